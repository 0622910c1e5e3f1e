//! In-process handler time for a hosted-UI sign-in of a user in two configured groups with a
//! copied attribute and a suppressed claim, against the serde_json floors (see
//! `trigger_common::testing::bench_handler`); `cargo xtask bench` reports them.

use criterion::{Criterion, criterion_group, criterion_main};
use lambda_runtime::{Context, LambdaEvent};
use pre_token_generation::{Config, handler};
use trigger_common::lookup_in;
use trigger_common::testing::{bench_handler, now};

fn handler_time(c: &mut Criterion) {
    let config = Config::from_env(lookup_in(&[
        (
            "GROUP_SCOPES",
            "admins=toyseven-api/admin toyseven-api/read;members=toyseven-api/read",
        ),
        ("CLIENT_SCOPES", "1example23456789=toyseven-api/admin toyseven-api/read"),
        ("ATTRIBUTE_CLAIMS", "custom:tenant_id=tenant_id"),
        ("SUPPRESS_CLAIMS", "phone_number"),
    ]))
    .expect("a valid configuration");
    bench_handler(
        c,
        "pre-token-generation",
        include_bytes!("../fixtures/hosted-auth.json"),
        |event| now(handler(LambdaEvent::new(event, Context::default()), &config)).expect("answered"),
    );
}

criterion_group!(benches, handler_time);
criterion_main!(benches);
