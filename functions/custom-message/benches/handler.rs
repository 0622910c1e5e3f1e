//! In-process handler time for the sign-up email and SMS (rendered, checked against
//! Cognito's rules), against serde_json parsing and serializing the same event (the floor);
//! `cargo xtask bench` reports both.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use custom_message::{Config, handler};
use lambda_runtime::{Context, LambdaEvent};
use trigger_common::testing::{answer_floor, now, serde_round_trip, through_handler};

const EVENT: &[u8] = include_bytes!("../fixtures/signup.json");

fn handler_time(c: &mut Criterion) {
    let config = Config::default();
    let mut group = c.benchmark_group("custom-message");
    group.bench_function("serde-floor", |b| b.iter(|| serde_round_trip(black_box(EVENT))));
    let answer: serde_json::Value = serde_json::from_slice(&through_handler(EVENT, |event| {
        now(handler(LambdaEvent::new(event, Context::default()), &config)).expect("rendered")
    }))
    .expect("the answer is JSON");
    group.bench_function("answer-floor", |b| {
        b.iter(|| answer_floor(black_box(EVENT), black_box(&answer)))
    });
    group.bench_function("handler", |b| {
        b.iter(|| {
            through_handler(black_box(EVENT), |event| {
                now(handler(LambdaEvent::new(event, Context::default()), &config)).expect("rendered")
            })
        })
    });
    group.finish();
}

criterion_group!(benches, handler_time);
criterion_main!(benches);
