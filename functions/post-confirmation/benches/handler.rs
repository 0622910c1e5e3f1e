//! In-process handler time for a confirmed sign-up joining the default group (the group
//! call answered in memory: the network round trip is in the warm figures instead), against
//! the serde_json floors (see `trigger_common::testing::bench_handler`); `cargo xtask bench`
//! reports them.

use criterion::{Criterion, criterion_group, criterion_main};
use lambda_runtime::{Context, LambdaEvent};
use post_confirmation::{Config, GroupError, GroupMembership, handler};
use trigger_common::testing::{bench_handler, now};

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
    bench_handler(
        c,
        "post-confirmation",
        include_bytes!("../fixtures/confirm-signup.json"),
        |event| {
            now(handler(
                LambdaEvent::new(event, Context::default()),
                &config,
                &Accepting,
            ))
            .expect("added")
        },
    );
}

criterion_group!(benches, handler_time);
criterion_main!(benches);
