//! Helpers for the functions' tests: arbitrary JSON for property tests, fixture loading and
//! log capture (to check that personal data is masked).

use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Any JSON value, nested a few levels deep, with keys that sometimes are the ones Cognito
/// events use so that the parser gets past its first checks.
pub fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
        arb_trigger_source().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "version",
            "triggerSource",
            "region",
            "userPoolId",
            "userName",
            "callerContext",
            "request",
            "response",
            "userAttributes",
            "email",
            "locale",
            "codeParameter",
            "usernameParameter",
            "clientMetadata",
            "validationData",
            "name",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z]{1,8}",
    ]
}

fn arb_trigger_source() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec!["PreSignUp_", "PostConfirmation_", "CustomMessage_"]);
    let suffix = prop::sample::select(vec![
        "SignUp",
        "AdminCreateUser",
        "ExternalProvider",
        "ConfirmSignUp",
        "ConfirmForgotPassword",
        "ResendCode",
        "ForgotPassword",
        "UpdateUserAttribute",
        "VerifyUserAttribute",
        "Authentication",
        "Future",
    ]);
    (prefix, suffix).prop_map(|(p, s)| format!("{p}{s}"))
}

/// A fixture event from a function crate's `fixtures/` folder.
pub fn fixture(crate_dir: &str, name: &str) -> Value {
    let path = Path::new(crate_dir).join("fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// Every path in `value` where a field can be replaced: used to corrupt fixtures one field
/// at a time in property tests.
pub fn field_paths(value: &Value) -> Vec<Vec<String>> {
    fn walk(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if let Value::Object(fields) = value {
            for (key, child) in fields {
                path.push(key.clone());
                out.push(path.clone());
                walk(child, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

/// `value` with the field at `path` replaced by `replacement` (or removed when `None`).
pub fn with_field(mut value: Value, path: &[String], replacement: Option<Value>) -> Value {
    let (last, parents) = path.split_last().expect("a non-empty path");
    let mut node = &mut value;
    for key in parents {
        node = &mut node[key.as_str()];
    }
    if let Value::Object(fields) = node {
        match replacement {
            Some(replacement) => {
                fields.insert(last.clone(), replacement);
            }
            None => {
                fields.remove(last);
            }
        }
    }
    value
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `future` on a current-thread runtime with every log line captured, and returns its
/// output together with the logs.
pub fn capture_logs<T>(future: impl Future<Output = T>) -> (T, String) {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let output = tracing::subscriber::with_default(subscriber, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
            .block_on(future)
    });
    let logs = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    (output, logs)
}

/// Polls `future` once and returns its output: a handler that does no I/O finishes at its
/// first poll, so a benchmark can time it without a runtime's overhead. Panics if the
/// future would wait.
pub fn now<T>(future: impl Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the future waited on I/O"),
    }
}

/// What lambda_runtime does around any handler: the event's bytes parsed into JSON, given to
/// `handler`, and its answer serialized.
pub fn through_handler(event: &[u8], handler: impl FnOnce(Value) -> Value) -> Vec<u8> {
    let payload: Value = serde_json::from_slice(event).expect("the event is JSON");
    serde_json::to_vec(&handler(payload)).expect("a JSON value serializes")
}

/// A handler benchmark's floor: the same parsing and serializing with no handler between.
pub fn serde_round_trip(event: &[u8]) -> Vec<u8> {
    through_handler(event, |payload| payload)
}

/// A second floor for functions whose answer is larger than their event (a rendered
/// message): the event parsed and the handler's `answer` serialized, with no work between.
pub fn answer_floor(event: &[u8], answer: &Value) -> Vec<u8> {
    let payload: Value = serde_json::from_slice(event).expect("the event is JSON");
    drop(payload);
    serde_json::to_vec(answer).expect("a JSON value serializes")
}

/// The handler benchmark every function runs (`benches/handler.rs`): in group `function`,
/// `handler` takes `event`'s bytes through parsing, `handle` and serializing, as
/// lambda_runtime does; `serde-floor` only parses and serializes the event; `answer-floor`
/// parses the event and serializes `handle`'s answer, with no work between.
#[cfg(feature = "bench")]
pub fn bench_handler(c: &mut criterion::Criterion, function: &str, event: &[u8], handle: impl Fn(Value) -> Value) {
    use std::hint::black_box;

    let answer: Value = serde_json::from_slice(&through_handler(event, &handle)).expect("the answer is JSON");
    let mut group = c.benchmark_group(function);
    group.bench_function("serde-floor", |b| b.iter(|| serde_round_trip(black_box(event))));
    group.bench_function("answer-floor", |b| {
        b.iter(|| answer_floor(black_box(event), black_box(&answer)))
    });
    group.bench_function("handler", |b| b.iter(|| through_handler(black_box(event), &handle)));
    group.finish();
}
