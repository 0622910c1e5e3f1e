//! A Lambda Runtime API of our own, on 127.0.0.1: the part of the protocol every runtime
//! interface client speaks (`/runtime/invocation/next`, `.../response`, `.../error` and
//! `/runtime/init/error`), answering with the headers Lambda itself sends.
//!
//! Why not `cargo lambda watch --only-lambda-apis`: it advertises
//! `AWS_LAMBDA_RUNTIME_API=http://127.0.0.1:9000/.rt`, a URL where Lambda gives `host:port`
//! (the RICs put `http://` in front themselves, so they never connect), and with the value
//! fixed by hand, its `/next` reply has no `Content-Type`. awslambdaric's native client
//! (aws-lambda-cpp, which aws-lambda-ric uses too) then copies curl's null content type
//! into a `std::string` and dies of SIGSEGV in `get_next()`. Lambda always sends
//! `Content-Type: application/json`; this server does too, so the Rust, Node.js and Python
//! clients all run against the same endpoint.
//!
//! Every reply is timed where it lands (when its body has been read), so a measurement
//! never includes the time its caller takes to notice.

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const PREFIX: &str = "/2018-06-01/runtime";
/// The deadline each invocation gets: Cognito waits 5 seconds for a trigger.
const DEADLINE: Duration = Duration::from_secs(5);
const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:bench";
/// The largest request body accepted (Lambda's synchronous payload limit).
const MAX_BODY: usize = 6 * 1024 * 1024;

/// What a function answered to one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Response(Vec<u8>),
    /// `/invocation/{id}/error`: the `Lambda-Runtime-Function-Error-Type` header and the body.
    Error {
        kind: String,
        body: Vec<u8>,
    },
}

/// An answer and when it arrived.
#[derive(Debug, Clone)]
pub struct Reply {
    pub outcome: Outcome,
    pub at: Instant,
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("the function reported an initialization error: {0}")]
    Init(String),
    #[error("the function stopped before answering")]
    Gone,
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

#[derive(Default)]
struct Inner {
    queue: VecDeque<(String, Vec<u8>)>,
    replies: HashMap<String, Reply>,
    init_error: Option<String>,
    next_id: u64,
    /// Bumped by `reset`: a `/next` still waiting from an earlier process (the server can't
    /// tell that its client was killed) gives up instead of taking a later process's event.
    generation: u64,
}

#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    changed: Condvar,
    stopping: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The server; it stops accepting when dropped.
pub struct RuntimeApi {
    address: SocketAddr,
    shared: Arc<Shared>,
}

impl RuntimeApi {
    /// Binds a free port on 127.0.0.1 and serves each connection on a thread of its own.
    pub fn start() -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let accepting = Arc::clone(&shared);
        std::thread::Builder::new().name("runtime-api".into()).spawn(move || {
            for stream in listener.incoming() {
                if accepting.stopping.load(Ordering::Acquire) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&accepting);
                std::thread::spawn(move || {
                    let _ = serve(stream, &shared);
                });
            }
        })?;
        Ok(Self { address, shared })
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`: `host:port`, as Lambda sets it.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// Queues an event for the next `/next` and returns its request id.
    pub fn submit(&self, event: &[u8]) -> String {
        let mut inner = self.shared.lock();
        inner.next_id += 1;
        let id = format!("bench-{:08}", inner.next_id);
        inner.queue.push_back((id.clone(), event.to_vec()));
        drop(inner);
        self.shared.changed.notify_all();
        id
    }

    /// Waits for the answer to `id`, checking `alive` (is the function still running?) while
    /// it waits.
    pub fn wait(&self, id: &str, timeout: Duration, mut alive: impl FnMut() -> bool) -> Result<Reply, WaitError> {
        let deadline = Instant::now() + timeout;
        let mut inner = self.shared.lock();
        loop {
            if let Some(reply) = inner.replies.remove(id) {
                return Ok(reply);
            }
            if let Some(error) = inner.init_error.take() {
                return Err(WaitError::Init(error));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(WaitError::Timeout(timeout));
            }
            let slice = (deadline - now).min(Duration::from_millis(20));
            inner = self
                .shared
                .changed
                .wait_timeout(inner, slice)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
            if !inner.replies.contains_key(id) && !alive() {
                return Err(WaitError::Gone);
            }
        }
    }

    /// Drops queued events and answers nobody collected (between two function processes).
    pub fn reset(&self) {
        let mut inner = self.shared.lock();
        inner.queue.clear();
        inner.replies.clear();
        inner.init_error = None;
        inner.generation += 1;
        drop(inner);
        self.shared.changed.notify_all();
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        self.shared.changed.notify_all();
        // Wakes the accept loop so it sees `stopping`.
        let _ = TcpStream::connect(self.address);
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Serves one keep-alive connection until the client closes it or the server stops.
fn serve(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader, &mut writer)? {
        let route = request.path.strip_prefix(PREFIX).unwrap_or_default();
        match (request.method.as_str(), route) {
            ("GET", "/invocation/next") => {
                let Some((id, event)) = next_event(shared) else {
                    return Ok(());
                };
                let deadline = SystemTime::now() + DEADLINE;
                let deadline_ms = deadline.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
                let headers = [
                    ("Content-Type", "application/json".to_owned()),
                    ("Lambda-Runtime-Aws-Request-Id", id.clone()),
                    ("Lambda-Runtime-Deadline-Ms", deadline_ms.to_string()),
                    ("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN.to_owned()),
                    (
                        "Lambda-Runtime-Trace-Id",
                        format!("Root=1-00000000-{id:0>24};Parent=0000000000000001;Sampled=0"),
                    ),
                ];
                respond(&mut writer, "200 OK", &headers, &event)?;
            }
            ("POST", "/init/error") => {
                let message = String::from_utf8_lossy(&request.body).into_owned();
                shared.lock().init_error = Some(message);
                shared.changed.notify_all();
                respond(&mut writer, "202 Accepted", &[], br#"{"status":"OK"}"#)?;
            }
            ("POST", route) => {
                let (id, outcome) = match route.strip_prefix("/invocation/").and_then(|rest| rest.split_once('/')) {
                    Some((id, "response")) => (id, Outcome::Response(request.body)),
                    Some((id, "error")) => {
                        let kind = request
                            .header("Lambda-Runtime-Function-Error-Type")
                            .unwrap_or("Unhandled");
                        let kind = kind.to_owned();
                        (
                            id,
                            Outcome::Error {
                                kind,
                                body: request.body,
                            },
                        )
                    }
                    _ => {
                        respond(&mut writer, "404 Not Found", &[], b"{}")?;
                        continue;
                    }
                };
                let at = Instant::now();
                shared.lock().replies.insert(id.to_owned(), Reply { outcome, at });
                shared.changed.notify_all();
                respond(&mut writer, "202 Accepted", &[], br#"{"status":"OK"}"#)?;
            }
            _ => respond(&mut writer, "404 Not Found", &[], b"{}")?,
        }
    }
    Ok(())
}

/// Blocks until an event is queued; `None` once the server stops or is reset.
fn next_event(shared: &Shared) -> Option<(String, Vec<u8>)> {
    let mut inner = shared.lock();
    let generation = inner.generation;
    loop {
        if shared.stopping.load(Ordering::Acquire) || inner.generation != generation {
            return None;
        }
        if let Some(event) = inner.queue.pop_front() {
            return Some(event);
        }
        inner = shared
            .changed
            .wait_timeout(inner, Duration::from_millis(200))
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0;
    }
}

fn respond(writer: &mut impl Write, status: &str, headers: &[(&str, String)], body: &[u8]) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !headers.iter().any(|(name, _)| *name == "Content-Type") {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str("\r\n");
    let mut message = head.into_bytes();
    message.extend_from_slice(body);
    writer.write_all(&message)?;
    writer.flush()
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

/// Reads one request; `None` when the client closed the connection between requests.
/// Bodies come with `Content-Length` or chunked; `Expect: 100-continue` (curl's habit for
/// larger bodies) is answered before the body is read.
fn read_request(reader: &mut impl BufRead, writer: &mut impl Write) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(invalid("malformed request line"));
    };
    let (method, path) = (method.to_owned(), path.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(invalid("connection closed inside the headers"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').ok_or_else(|| invalid("malformed header"))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if request
        .header("Expect")
        .is_some_and(|value| value.eq_ignore_ascii_case("100-continue"))
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        writer.flush()?;
    }
    if request
        .header("Transfer-Encoding")
        .is_some_and(|value| value.eq_ignore_ascii_case("chunked"))
    {
        request.body = read_chunked(reader)?;
    } else if let Some(length) = request.header("Content-Length") {
        let length: usize = length.parse().map_err(|_| invalid("bad Content-Length"))?;
        if length > MAX_BODY {
            return Err(invalid("body over 6 MB"));
        }
        request.body = vec![0; length];
        reader.read_exact(&mut request.body)?;
    }
    Ok(Some(request))
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let size = line.trim().split(';').next().unwrap_or_default();
        let size = usize::from_str_radix(size, 16).map_err(|_| invalid("bad chunk size"))?;
        if body.len() + size > MAX_BODY {
            return Err(invalid("body over 6 MB"));
        }
        if size == 0 {
            // Trailers, if any, end with an empty line.
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        line.clear();
        reader.read_line(&mut line)?;
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn exchange(api: &RuntimeApi, request: &str) -> String {
        let mut stream = TcpStream::connect(api.address()).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        // Interim `100 Continue` heads come first, without a body.
        let length: usize = loop {
            let start = head.len();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                head.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            if let Some(length) = head[start..].lines().find_map(|l| l.strip_prefix("Content-Length: ")) {
                break length.parse().unwrap();
            }
        };
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        head + &String::from_utf8(body).unwrap()
    }

    #[test]
    fn next_carries_the_headers_lambda_sends() {
        let api = RuntimeApi::start().unwrap();
        let id = api.submit(br#"{"a":1}"#);
        let reply = exchange(
            &api,
            "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        for header in [
            "Content-Type: application/json",
            &format!("Lambda-Runtime-Aws-Request-Id: {id}"),
            "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:",
            "Lambda-Runtime-Trace-Id: Root=1-",
        ] {
            assert!(reply.contains(header), "{header} missing from {reply}");
        }
        // An absolute deadline in epoch milliseconds, about 5 s ahead.
        let deadline: u128 = reply
            .lines()
            .find_map(|l| l.strip_prefix("Lambda-Runtime-Deadline-Ms: "))
            .unwrap()
            .parse()
            .unwrap();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
        assert!((now + 4_000..=now + 5_000).contains(&deadline), "{deadline} vs {now}");
        assert!(reply.ends_with(r#"{"a":1}"#));
    }

    #[test]
    fn responses_errors_and_init_errors_reach_the_waiter() {
        let api = RuntimeApi::start().unwrap();
        let ok = api.submit(b"{}");
        let chunked = "POST /2018-06-01/runtime/invocation/ID/response HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"b\r\n4\r\n\":2}\r\n0\r\n\r\n";
        assert!(exchange(&api, &chunked.replace("ID", &ok)).starts_with("HTTP/1.1 202"));
        let reply = api.wait(&ok, Duration::from_secs(1), || true).unwrap();
        assert_eq!(reply.outcome, Outcome::Response(br#"{"b":2}"#.to_vec()));

        let failed = api.submit(b"{}");
        let error = format!(
            "POST /2018-06-01/runtime/invocation/{failed}/error HTTP/1.1\r\nLambda-Runtime-Function-Error-Type: Oops\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n{{}}"
        );
        let answer = exchange(&api, &error);
        assert!(
            answer.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202"),
            "{answer}"
        );
        let reply = api.wait(&failed, Duration::from_secs(1), || true).unwrap();
        assert_eq!(
            reply.outcome,
            Outcome::Error {
                kind: "Oops".into(),
                body: b"{}".to_vec()
            }
        );

        let pending = api.submit(b"{}");
        exchange(
            &api,
            "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nContent-Length: 4\r\n\r\nboom",
        );
        let error = api.wait(&pending, Duration::from_secs(1), || true).unwrap_err();
        assert!(
            matches!(error, WaitError::Init(ref message) if message == "boom"),
            "{error}"
        );
    }

    #[test]
    fn a_next_left_waiting_by_an_earlier_process_gives_up_at_reset() {
        let api = RuntimeApi::start().unwrap();
        let mut stale = TcpStream::connect(api.address()).unwrap();
        stale
            .write_all(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n")
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        api.reset();
        api.submit(br#"{"for":"the next process"}"#);
        let reply = exchange(&api, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n");
        assert!(reply.ends_with(r#"{"for":"the next process"}"#), "{reply}");
        // The stale request got no event: its connection was closed.
        let mut rest = Vec::new();
        stale.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        stale.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    }

    #[test]
    fn a_waiter_learns_that_the_function_is_gone() {
        let api = RuntimeApi::start().unwrap();
        let id = api.submit(b"{}");
        let error = api.wait(&id, Duration::from_secs(5), || false).unwrap_err();
        assert!(matches!(error, WaitError::Gone), "{error}");
        let error = api.wait(&id, Duration::from_millis(50), || true).unwrap_err();
        assert!(matches!(error, WaitError::Timeout(_)), "{error}");
    }
}
