//! `plan` and `apply` as scripts use them, against moto's server: saved plans applied exactly
//! or refused once the spec or the account moved, `--detailed-exitcode`, destructive changes
//! only with `--yes`, and each change reported as soon as it is made.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider as cognito;
use serde_json::Value;

use common::{Account, project_spec, stderr, stdout};

/// The project's spec without triggers (no Lambda in these tests) and a prefix of its own.
fn spec_text() -> String {
    let text = project_spec();
    let start = text.find("[triggers]").unwrap();
    let end = start + text[start..].find("\n[[groups]]").unwrap();
    format!("{}[triggers]\n{}", &text[..start], &text[end..]).replace("prefix = \"toyseven\"", "prefix = \"plans\"")
}

struct Fixture {
    account: Account,
    cognito: cognito::Client,
}

impl Fixture {
    fn new() -> Self {
        let account = Account::start();
        let cognito = cognito::Client::new(&account.config);
        Self { account, cognito }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.account.dir.path().join(name)
    }

    fn write_spec(&self, text: &str) -> PathBuf {
        self.account.write_spec(text)
    }

    fn run(&self, spec: &Path, args: &[&str]) -> Output {
        self.account.run(spec, args)
    }

    fn pool_id(&self) -> Option<String> {
        self.account.runtime.block_on(async {
            let pools = self.cognito.list_user_pools().max_results(60).send().await.unwrap();
            pools.user_pools().first().and_then(|p| p.id()).map(str::to_owned)
        })
    }

    fn pool(&self) -> cognito::types::UserPoolType {
        let id = self.pool_id().unwrap();
        self.account.runtime.block_on(async {
            self.cognito
                .describe_user_pool()
                .user_pool_id(id)
                .send()
                .await
                .unwrap()
                .user_pool
                .unwrap()
        })
    }

    fn minimum_length(&self) -> Option<i32> {
        self.pool()
            .policies()
            .and_then(|p| p.password_policy())
            .map(|p| p.minimum_length().unwrap_or_default())
    }
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(output), stderr(output)))
}

fn writes(report: &Value) -> Vec<String> {
    report["calls"]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|o| !provisioner::aws::is_read(o))
        .map(str::to_owned)
        .collect()
}

/// The changes of a saved plan as `apply` reports them: marker and description.
fn saved_changes(path: &Path) -> Vec<String> {
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    saved["plan"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let marker = match c["action"].as_str().unwrap() {
                "create" => "+",
                "update" => "~",
                "replace" => "-/+",
                "delete" => "-",
                other => panic!("an action outside the format: {other}"),
            };
            format!("{marker} {}", c["description"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn a_saved_plan_is_applied_exactly_and_its_writes_are_the_plans() {
    let f = Fixture::new();
    let spec = f.write_spec(&spec_text());
    let saved = f.path("plan.json");
    let planned = f.run(&spec, &["plan", "--out", saved.to_str().unwrap()]);
    assert!(planned.status.success(), "{}", stderr(&planned));
    assert!(f.pool_id().is_none(), "plan --out is read-only");
    let changes = saved_changes(&saved);
    assert_eq!(
        changes,
        [
            "+ create user pool \"toyseven-cognito\"",
            "+ create app client \"toyseven-web\"",
            "+ create managed login branding for app client \"toyseven-web\" (Cognito's own style)",
            "+ create hosted-UI domain \"plans\" (managed login)",
            "+ create group \"members\"",
        ]
    );

    let applied = f.run(&spec, &["--output", "json", "apply", "--plan", saved.to_str().unwrap()]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let report = json(&applied);
    let done: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(done, changes);
    assert_eq!(
        writes(&report),
        [
            "CreateUserPool",
            "CreateUserPoolClient",
            "CreateManagedLoginBranding",
            "CreateUserPoolDomain",
            "CreateGroup"
        ]
    );
    let again = f.run(&spec, &["plan"]);
    assert!(stdout(&again).starts_with("no changes"), "{}", stdout(&again));
}

#[test]
fn a_saved_plan_is_refused_with_no_write_after_an_out_of_band_change() {
    let f = Fixture::new();
    let spec = f.write_spec(&spec_text());
    assert!(f.run(&spec, &["apply"]).status.success());
    let spec = f.write_spec(&spec_text().replace("minimum_length = 8", "minimum_length = 12"));
    let saved = f.path("plan.json");
    assert!(
        f.run(&spec, &["plan", "--out", saved.to_str().unwrap()])
            .status
            .success()
    );

    // Someone edits the group in the console between the plan and the apply.
    let pool_id = f.pool_id().unwrap();
    f.account.runtime.block_on(async {
        f.cognito
            .update_group()
            .user_pool_id(&pool_id)
            .group_name("members")
            .description("changed in the console")
            .send()
            .await
            .unwrap();
    });
    let refused = f.run(&spec, &["apply", "--plan", saved.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("changed since the plan was saved")
            && stderr(&refused).contains("nothing was changed"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(f.minimum_length(), Some(8), "the plan's change was not made");
}

#[test]
fn a_saved_plan_is_refused_with_no_write_after_a_spec_edit() {
    let f = Fixture::new();
    let spec = f.write_spec(&spec_text());
    let saved = f.path("plan.json");
    assert!(
        f.run(&spec, &["plan", "--out", saved.to_str().unwrap()])
            .status
            .success()
    );
    let spec = f.write_spec(&spec_text().replace("minimum_length = 8", "minimum_length = 12"));
    let refused = f.run(&spec, &["apply", "--plan", saved.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("the spec changed since the plan was saved"),
        "{}",
        stderr(&refused)
    );
    assert!(f.pool_id().is_none(), "nothing was created");
}

#[test]
fn detailed_exitcode_is_2_with_changes_pending_0_without_and_1_on_a_bad_spec() {
    let f = Fixture::new();
    let spec = f.write_spec(&spec_text());
    let pending = f.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(pending.status.code(), Some(2), "{}", stderr(&pending));
    assert!(f.run(&spec, &["apply"]).status.success());
    let converged = f.run(&spec, &["plan", "--detailed-exitcode"]);
    assert_eq!(converged.status.code(), Some(0), "{}", stderr(&converged));

    let bad = f.write_spec(&spec_text().replace("minimum_length = 8", "minimum_length = \"eight\""));
    let broken = f.run(&bad, &["plan", "--detailed-exitcode"]);
    assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
    // Without the flag a bad spec keeps its own exit code.
    assert_eq!(f.run(&bad, &["plan"]).status.code(), Some(2));
}

#[test]
fn a_destructive_change_is_refused_without_yes_when_stdin_is_not_a_terminal_and_nothing_is_written() {
    let f = Fixture::new();
    let spec = f.write_spec(&spec_text());
    assert!(f.run(&spec, &["apply"]).status.success());
    // A new prefix replaces the domain; the password change beside it waits too.
    let moved = f.write_spec(
        &spec_text()
            .replace("prefix = \"plans\"", "prefix = \"plans-2\"")
            .replace("minimum_length = 8", "minimum_length = 12"),
    );
    let plan = stdout(&f.run(&moved, &["plan"]));
    assert!(
        plan.contains("-/+ replace hosted-UI domain \"plans\" with \"plans-2\""),
        "{plan}"
    );

    // `output()` gives the child no terminal on stdin.
    let refused = f.run(&moved, &["apply"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("destructive") && stderr(&refused).contains("--yes"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(f.pool().domain(), Some("plans"));
    assert_eq!(f.minimum_length(), Some(8));

    let confirmed = f.run(&moved, &["apply", "--yes"]);
    assert!(confirmed.status.success(), "{}", stderr(&confirmed));
    assert_eq!(f.pool().domain(), Some("plans-2"));
    assert_eq!(f.minimum_length(), Some(12));
}

/// A loopback HTTP proxy in front of moto that holds the `stall_at`-th write (a Cognito
/// operation that is not Describe, List or Get) until released. A proxy rather than
/// aws-smithy-mocks, so that the provisioner binary itself, and its stdout, are tested.
struct StallingProxy {
    endpoint: String,
    /// Says when the stalled write arrived.
    stalled: mpsc::Receiver<String>,
    release: mpsc::Sender<()>,
}

impl StallingProxy {
    fn start(upstream: String, stall_at: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let (stalled_tx, stalled) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();
        let shared = Arc::new((AtomicUsize::new(0), Mutex::new(release_rx), Mutex::new(stalled_tx)));
        std::thread::spawn(move || {
            for connection in listener.incoming() {
                let Ok(connection) = connection else { return };
                let (shared, upstream) = (shared.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = serve(connection, &upstream, stall_at, &shared);
                });
            }
        });
        Self {
            endpoint,
            stalled,
            release,
        }
    }
}

type Shared = (AtomicUsize, Mutex<mpsc::Receiver<()>>, Mutex<mpsc::Sender<String>>);

/// Forwards each request on a kept-alive connection, holding the stalled write.
fn serve(connection: TcpStream, upstream: &str, stall_at: usize, shared: &Shared) -> std::io::Result<()> {
    let mut reader = BufReader::new(connection.try_clone()?);
    let mut writer = connection;
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let operation = headers
            .iter()
            .find(|(n, _)| n == "x-amz-target")
            .and_then(|(_, v)| v.rsplit('.').next())
            .unwrap_or_default()
            .to_owned();
        if !operation.is_empty() && !provisioner::aws::is_read(&operation) {
            let n = shared.0.fetch_add(1, Ordering::SeqCst) + 1;
            if n == stall_at {
                shared.2.lock().unwrap().send(operation.clone()).unwrap();
                let _ = shared.1.lock().unwrap().recv();
            }
        }
        let mut forwarded = ureq::http::Request::post(format!("{upstream}{path}"));
        for (name, value) in &headers {
            if !["host", "content-length", "connection", "transfer-encoding"].contains(&name.as_str()) {
                forwarded = forwarded.header(name, value);
            }
        }
        let mut response = agent
            .run(forwarded.body(body).unwrap())
            .map_err(std::io::Error::other)?;
        let status = response.status();
        let mut head = format!(
            "HTTP/1.1 {} {}\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        for (name, value) in response.headers() {
            if !["content-length", "connection", "transfer-encoding"].contains(&name.as_str()) {
                head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or_default()));
            }
        }
        let answer = response.body_mut().read_to_vec().map_err(std::io::Error::other)?;
        head.push_str(&format!("content-length: {}\r\n\r\n", answer.len()));
        writer.write_all(head.as_bytes())?;
        writer.write_all(&answer)?;
        writer.flush()?;
    }
}

#[test]
fn apply_reports_the_first_change_before_the_second_write_is_answered() {
    let f = Fixture::new();
    let spec = f.write_spec(&spec_text());
    let proxy = StallingProxy::start(f.account.moto.endpoint(), 2);
    let mut child = common::provisioner(&proxy.endpoint)
        .arg("--spec")
        .arg(&spec)
        .arg("apply")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });

    let held = proxy
        .stalled
        .recv_timeout(Duration::from_secs(120))
        .expect("the second write reached the proxy");
    assert_eq!(held, "CreateUserPoolClient");
    // The second write is held: the first change must already be on stdout.
    let first = lines
        .recv_timeout(Duration::from_secs(30))
        .expect("a line before the stalled write is answered");
    assert_eq!(first, "done: + create user pool \"toyseven-cognito\"");
    assert!(lines.try_recv().is_err(), "nothing else is done yet");

    proxy.release.send(()).unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "{err}");
    let rest: Vec<String> = lines.iter().collect();
    assert!(
        rest.contains(&"done: + create app client \"toyseven-web\"".to_owned()),
        "{rest:?}"
    );
}

#[test]
fn an_html_500_from_a_proxy_is_one_sentence_with_the_operation_the_status_and_the_endpoint() {
    // A stand-in for a proxy: every request answered with an HTML error page.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for connection in listener.incoming() {
            let Ok(mut connection) = connection else { return };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(connection.try_clone().unwrap());
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let page = "<html><body><h1>500 Internal Server Error</h1></body></html>";
                let _ = write!(
                    connection,
                    "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                    page.len()
                );
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("cognito.toml");
    std::fs::write(&spec, spec_text()).unwrap();
    let output = common::provisioner(&endpoint)
        .arg("--spec")
        .arg(&spec)
        .arg("plan")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let said = stderr(&output);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.contains("ListUserPools")
            && said.contains("HTTP 500")
            && said.contains(&endpoint)
            && said.contains("text/html"),
        "{said}"
    );
    assert!(!said.contains("ResponseError") && !said.contains("raw:"), "{said}");
}
