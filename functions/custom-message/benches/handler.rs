//! In-process handler time for the sign-up email and SMS (rendered, checked against
//! Cognito's rules), against the serde_json floors (see
//! `trigger_common::testing::bench_handler`); `cargo xtask bench` reports them.

use criterion::{Criterion, criterion_group, criterion_main};
use custom_message::{Config, handler};
use lambda_runtime::{Context, LambdaEvent};
use trigger_common::testing::{bench_handler, now};

fn handler_time(c: &mut Criterion) {
    let config = Config::default();
    bench_handler(
        c,
        "custom-message",
        include_bytes!("../fixtures/signup.json"),
        |event| now(handler(LambdaEvent::new(event, Context::default()), &config)).expect("rendered"),
    );
}

criterion_group!(benches, handler_time);
criterion_main!(benches);
