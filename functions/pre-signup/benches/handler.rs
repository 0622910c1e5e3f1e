//! In-process handler time for an allowed, auto-confirmed sign-up, against serde_json
//! parsing and serializing the same event (the floor); `cargo xtask bench` reports both.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use lambda_runtime::{Context, LambdaEvent};
use pre_signup::{Config, handler};
use trigger_common::lookup_in;
use trigger_common::testing::{answer_floor, now, serde_round_trip, through_handler};

const EVENT: &[u8] = include_bytes!("../fixtures/signup.json");

fn handler_time(c: &mut Criterion) {
    let config = Config::from_env(lookup_in(&[
        ("ALLOWED_EMAIL_DOMAINS", "example.com, *.example.org"),
        ("DENIED_EMAIL_DOMAINS", "mailinator.com"),
        ("AUTO_CONFIRM", "allowed"),
    ]))
    .expect("a valid configuration");
    let mut group = c.benchmark_group("pre-signup");
    group.bench_function("serde-floor", |b| b.iter(|| serde_round_trip(black_box(EVENT))));
    let answer: serde_json::Value = serde_json::from_slice(&through_handler(EVENT, |event| {
        now(handler(LambdaEvent::new(event, Context::default()), &config)).expect("accepted")
    }))
    .expect("the answer is JSON");
    group.bench_function("answer-floor", |b| {
        b.iter(|| answer_floor(black_box(EVENT), black_box(&answer)))
    });
    group.bench_function("handler", |b| {
        b.iter(|| {
            through_handler(black_box(EVENT), |event| {
                now(handler(LambdaEvent::new(event, Context::default()), &config)).expect("accepted")
            })
        })
    });
    group.finish();
}

criterion_group!(benches, handler_time);
criterion_main!(benches);
