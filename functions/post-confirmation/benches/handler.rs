//! In-process handler time for a confirmed sign-up joining the default group (the group
//! call answered in memory: the network round trip is in the warm figures instead), against
//! serde_json parsing and serializing the same event (the floor); `cargo xtask bench`
//! reports both.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use lambda_runtime::{Context, LambdaEvent};
use post_confirmation::{Config, GroupError, GroupMembership, handler};
use trigger_common::testing::{answer_floor, now, serde_round_trip, through_handler};

const EVENT: &[u8] = include_bytes!("../fixtures/confirm-signup.json");

/// Every user is added at once.
struct Accepting;

impl GroupMembership for Accepting {
    async fn add_user_to_group(&self, _pool: &str, _user: &str, _group: &str) -> Result<(), GroupError> {
        Ok(())
    }
}

fn handler_time(c: &mut Criterion) {
    let config = Config {
        default_group: Some("members".into()),
    };
    let mut group = c.benchmark_group("post-confirmation");
    group.bench_function("serde-floor", |b| b.iter(|| serde_round_trip(black_box(EVENT))));
    let answer: serde_json::Value = serde_json::from_slice(&through_handler(EVENT, |event| {
        now(handler(
            LambdaEvent::new(event, Context::default()),
            &config,
            &Accepting,
        ))
        .expect("added")
    }))
    .expect("the answer is JSON");
    group.bench_function("answer-floor", |b| {
        b.iter(|| answer_floor(black_box(EVENT), black_box(&answer)))
    });
    group.bench_function("handler", |b| {
        b.iter(|| {
            through_handler(black_box(EVENT), |event| {
                now(handler(
                    LambdaEvent::new(event, Context::default()),
                    &config,
                    &Accepting,
                ))
                .expect("added")
            })
        })
    });
    group.finish();
}

criterion_group!(benches, handler_time);
criterion_main!(benches);
