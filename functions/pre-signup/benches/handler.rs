//! In-process handler time for an allowed, auto-confirmed sign-up, against the serde_json
//! floors (see `trigger_common::testing::bench_handler`); `cargo xtask bench` reports them.

use criterion::{Criterion, criterion_group, criterion_main};
use lambda_runtime::{Context, LambdaEvent};
use pre_signup::{Config, Linking, handler};
use trigger_common::lookup_in;
use trigger_common::testing::{bench_handler, now};

fn handler_time(c: &mut Criterion) {
    let config = Config::from_env(lookup_in(&[
        ("ALLOWED_EMAIL_DOMAINS", "example.com, *.example.org"),
        ("DENIED_EMAIL_DOMAINS", "mailinator.com"),
        ("AUTO_CONFIRM", "allowed"),
    ]))
    .expect("a valid configuration");
    bench_handler(c, "pre-signup", include_bytes!("../fixtures/signup.json"), |event| {
        now(handler(
            LambdaEvent::new(event, Context::default()),
            &config,
            &Linking::OFF,
        ))
        .expect("accepted")
    });
}

criterion_group!(benches, handler_time);
criterion_main!(benches);
