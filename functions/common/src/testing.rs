//! Helpers for the functions' tests: arbitrary JSON for property tests, fixture loading, log
//! capture (to check that personal data is masked), a loopback HTTP server that answers a
//! real client from a script, and a run of a function binary against a Runtime API of our
//! own; [`insights`] runs the README's Logs Insights queries against the lines the functions
//! write.

pub mod insights;

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
            "groupConfiguration",
            "groupsToOverride",
            "iamRolesToOverride",
            "preferredRole",
            "scopes",
            "custom:tenant_id",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z]{1,8}",
    ]
}

fn arb_trigger_source() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "PreSignUp_",
        "PostConfirmation_",
        "CustomMessage_",
        "TokenGeneration_",
    ]);
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
        "HostedAuth",
        "NewPasswordChallenge",
        "AuthenticateDevice",
        "RefreshTokens",
        "ClientCredentials",
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

/// What lambda_runtime does around any handler: the event's bytes read as its payload, given
/// to `handler`, and its answer serialized.
pub fn through_handler<R: serde::Serialize>(event: &[u8], handler: impl FnOnce(crate::Payload) -> R) -> Vec<u8> {
    let payload: crate::Payload = serde_json::from_slice(event).expect("the event is JSON");
    serde_json::to_vec(&handler(payload)).expect("the answer serializes")
}

/// A handler benchmark's floor: the event's bytes parsed into JSON and serialized again,
/// with no handler between.
pub fn serde_round_trip(event: &[u8]) -> Vec<u8> {
    let payload: Value = serde_json::from_slice(event).expect("the event is JSON");
    serde_json::to_vec(&payload).expect("a JSON value serializes")
}

/// A second floor for functions whose answer is larger than their event (a rendered
/// message): the event parsed and the handler's `answer` serialized, with no work between.
pub fn answer_floor(event: &[u8], answer: &Value) -> Vec<u8> {
    let payload: Value = serde_json::from_slice(event).expect("the event is JSON");
    drop(payload);
    serde_json::to_vec(answer).expect("a JSON value serializes")
}

/// `value` as a handler receives it.
pub fn payload(value: &Value) -> crate::Payload {
    crate::Payload::from_value(value)
}

/// A handler's answer as JSON, for assertions.
pub fn answer_json<R: serde::Serialize>(reply: &crate::Reply<R>) -> Value {
    serde_json::to_value(reply).expect("the answer serializes")
}

/// The handler benchmark every function runs (`benches/handler.rs`): in group `function`,
/// `handler` takes `event`'s bytes through parsing, `handle` and serializing, as
/// lambda_runtime does; `serde-floor` only parses and serializes the event; `answer-floor`
/// parses the event and serializes `handle`'s answer, with no work between.
#[cfg(feature = "bench")]
pub fn bench_handler<R: serde::Serialize>(
    c: &mut criterion::Criterion,
    function: &str,
    event: &[u8],
    handle: impl Fn(crate::Payload) -> R,
) {
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

/// One HTTP request a [`StubServer`] received.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What a [`StubServer`] answers.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn new(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.into(),
        }
    }
}

type Respond = dyn Fn(&Exchange) -> Option<Answer> + Send + Sync;

/// A small HTTP/1.1 server on 127.0.0.1 for tests that need a real client to talk to
/// something (the AWS SDK, lambda_runtime): every request is recorded and answered by a
/// closure; `None` closes the connection without an answer. It stops accepting when
/// dropped.
pub struct StubServer {
    address: std::net::SocketAddr,
    requests: Arc<Mutex<Vec<Exchange>>>,
    stopping: Arc<std::sync::atomic::AtomicBool>,
}

impl StubServer {
    /// Binds a port the OS picks and serves each connection (kept alive) on a thread.
    pub fn start(respond: impl Fn(&Exchange) -> Option<Answer> + Send + Sync + 'static) -> Self {
        use std::sync::atomic::Ordering;

        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let address = listener.local_addr().expect("a bound address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stopping = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let respond: Arc<Respond> = Arc::new(respond);
        let (seen, stop) = (Arc::clone(&requests), Arc::clone(&stopping));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::Acquire) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (seen, respond) = (Arc::clone(&seen), Arc::clone(&respond));
                std::thread::spawn(move || {
                    let _ = serve(stream, &seen, &*respond);
                });
            }
        });
        Self {
            address,
            requests,
            stopping,
        }
    }

    /// `host:port`.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// `http://host:port`, for an SDK's endpoint URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Exchange> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for StubServer {
    fn drop(&mut self) {
        self.stopping.store(true, std::sync::atomic::Ordering::Release);
        // Wakes the accept loop so it sees `stopping`.
        let _ = std::net::TcpStream::connect(self.address);
    }
}

fn serve(stream: std::net::TcpStream, seen: &Mutex<Vec<Exchange>>, respond: &Respond) -> std::io::Result<()> {
    use std::io::{BufRead, BufReader, Read};

    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or_default().to_owned(),
            parts.next().unwrap_or_default().to_owned(),
        );
        let mut headers = Vec::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let Some((name, value)) = line.trim_end().split_once(':') else {
                break;
            };
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let mut exchange = Exchange {
            method,
            path,
            headers,
            body: Vec::new(),
        };
        if exchange
            .header("Transfer-Encoding")
            .is_some_and(|value| value.eq_ignore_ascii_case("chunked"))
        {
            loop {
                line.clear();
                reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or_default(), 16)
                    .map_err(|_| std::io::Error::other("bad chunk size"))?;
                let mut chunk = vec![0; size + 2];
                reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                exchange.body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(length) = exchange.header("Content-Length") {
            let length: usize = length
                .parse()
                .map_err(|_| std::io::Error::other("bad Content-Length"))?;
            exchange.body = vec![0; length];
            reader.read_exact(&mut exchange.body)?;
        }
        seen.lock().unwrap().push(exchange.clone());
        let Some(answer) = respond(&exchange) else {
            return Ok(());
        };
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {}\r\n",
            answer.status,
            answer.body.len()
        );
        for (name, value) in &answer.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        writer.write_all(head.as_bytes())?;
        writer.write_all(&answer.body)?;
        writer.flush()?;
    }
}

/// Reads `pipe` to its end on a thread of its own.
fn drain(pipe: Option<impl std::io::Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut printed = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut printed);
        }
        printed
    })
}

/// How a function binary answered one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Response(Value),
    /// The error route: Lambda's `errorType` header and the body.
    Error {
        kind: String,
        body: Value,
    },
}

/// Runs the function binary at `binary` (a crate's `env!("CARGO_BIN_EXE_<name>")`) against a
/// Lambda Runtime API of our own on loopback, with only the variables `vars` (and the ones
/// the runtime needs), gives it `event` once, and returns its answer with everything it
/// printed. The process is killed once it has answered.
pub fn run_binary_once(binary: &str, vars: &[(&str, &str)], event: &Value) -> (Outcome, String) {
    use std::sync::atomic::{AtomicBool, Ordering};

    let body = serde_json::to_vec(event).expect("a JSON event");
    let given = AtomicBool::new(false);
    let api = StubServer::start(move |request| match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/2018-06-01/runtime/invocation/next") if !given.swap(true, Ordering::AcqRel) => {
            let deadline = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
            let deadline = deadline
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis()
                .to_string();
            Some(Answer::new(
                200,
                &[
                    ("Content-Type", "application/json"),
                    ("Lambda-Runtime-Aws-Request-Id", "test-request-1"),
                    ("Lambda-Runtime-Deadline-Ms", &deadline),
                    (
                        "Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:test",
                    ),
                ],
                body.clone(),
            ))
        }
        // A second `next`: nothing more to give; the test kills the process.
        ("GET", _) => None,
        _ => Some(Answer::new(202, &[("Content-Type", "application/json")], "{}")),
    });
    let mut child = std::process::Command::new(binary)
        .env_clear()
        .envs([
            ("AWS_LAMBDA_RUNTIME_API", api.address().as_str()),
            ("AWS_LAMBDA_FUNCTION_NAME", "test"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ])
        .envs(vars.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
    // Read while it runs: a binary that prints more than a pipe holds (TRACE logs of a few
    // SDK calls do) would otherwise block on its next write and never answer.
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let answer = loop {
        let answered = api.requests().into_iter().find(|r| r.method == "POST");
        if let Some(answer) = answered {
            break Some(answer);
        }
        let exited = child.try_wait().expect("the process can be polled").is_some();
        if exited || std::time::Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let _ = child.kill();
    let _ = child.wait();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout.join().unwrap_or_default()),
        String::from_utf8_lossy(&stderr.join().unwrap_or_default())
    );
    let Some(answer) = answer else {
        panic!("{binary} did not answer: {printed}");
    };
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    let outcome = if answer.path.ends_with("/response") {
        Outcome::Response(body)
    } else {
        let kind = answer
            .header("Lambda-Runtime-Function-Error-Type")
            .unwrap_or_default()
            .to_owned();
        Outcome::Error { kind, body }
    };
    (outcome, printed)
}
