//! However `cargo xtask local` ends, nothing it started keeps running: killed with SIGKILL
//! (no handler runs; each server gets its parent-death signal), or stopped with SIGTERM or
//! SIGHUP (which stop the stack as Ctrl-C does). Each test runs the command's own binary
//! with `--no-demo --no-app`, has one function running under `cargo lambda watch` (started by an
//! invocation), then ends the command and checks by process id that every server, and every
//! process in their groups or started by them, is gone.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use harness::{children_of, is_alive, live_members, wait_until, workspace_root};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// The local command, up, with what it started.
struct Running {
    command: Child,
    stderr: std::path::PathBuf,
    _dir: tempfile::TempDir,
    servers: Vec<i32>,
    functions: Vec<i32>,
}

/// Starts `local --no-demo` and waits until it says the stack is up; then makes
/// `cargo lambda watch` start a function with one invocation.
fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let stderr = dir.path().join("stderr");
    let command = Command::new(env!("CARGO_BIN_EXE_local"))
        .arg("--no-demo")
        // Both tests run at once; the web app's port 3000 can be held by one only, and the
        // app is a thread of the command, so it cannot outlive it.
        .arg("--no-app")
        .current_dir(workspace_root())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    // From here a failed assertion stops the command (and with it its servers) on the way out.
    let mut running = Running {
        command,
        stderr,
        _dir: dir,
        servers: Vec::new(),
        functions: Vec::new(),
    };
    let mut lines = BufReader::new(running.command.stdout.take().unwrap()).lines();
    let mut lambda = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(endpoint) = line.trim().strip_prefix("Lambda endpoint") {
            lambda = Some(endpoint.trim().to_owned());
        }
        if line.trim().starts_with("processes") {
            running.servers = line
                .split("pid ")
                .skip(1)
                .map(|rest| {
                    rest.split(|c: char| !c.is_ascii_digit())
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap()
                })
                .collect();
            break;
        }
    }
    let log = |running: &Running| std::fs::read_to_string(&running.stderr).unwrap_or_default();
    // cognito-local, cargo lambda watch and the local Google.
    assert_eq!(
        running.servers.len(),
        3,
        "the stack did not come up:\n{}",
        log(&running)
    );
    let lambda = lambda.expect("the Lambda endpoint is printed");
    // Keep reading stdout so the command never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));

    // A function that calls nothing (the stack's pre-signup links, so it looks the fixture's
    // example pool up, which the stack does not have).
    let event = std::fs::read(workspace_root().join("functions/custom-message/fixtures/signup.json")).unwrap();
    let mut answer = ureq::post(format!("{lambda}/2015-03-31/functions/custom-message/invocations"))
        .send(&event[..])
        .unwrap();
    let answer = answer.body_mut().read_to_string().unwrap();
    assert!(answer.contains("CustomMessage_SignUp"), "{answer}");
    let watch = running.servers[1];
    running.functions = children_of(watch);
    assert!(
        !running.functions.is_empty(),
        "cargo lambda watch runs custom-message:\n{}",
        log(&running)
    );
    running
}

/// A test that fails while the command runs stops it: a process the test binary spawned
/// would otherwise outlive it, with every server it started.
impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.command.try_wait(), Ok(None)) {
            let _ = self.command.kill();
            let _ = self.command.wait();
        }
    }
}

impl Running {
    /// Waits until every server, every process in their groups and every function process
    /// has ended.
    fn assert_all_gone(&self) {
        let left = || {
            let mut left: Vec<i32> = self.servers.iter().flat_map(|group| live_members(*group)).collect();
            left.extend(self.servers.iter().chain(&self.functions).filter(|pid| is_alive(**pid)));
            left
        };
        let gone = wait_until(Duration::from_secs(15), || left().is_empty());
        assert!(
            gone,
            "still running: {:?}\n{}",
            left(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        );
    }
}

#[test]
fn killing_the_local_command_with_sigkill_leaves_no_server_running() {
    let mut running = start();
    running.command.kill().unwrap();
    running.command.wait().unwrap();
    running.assert_all_gone();
}

#[test]
fn sigterm_and_sighup_stop_the_local_command_like_ctrl_c() {
    for signal in [Signal::SIGTERM, Signal::SIGHUP] {
        let mut running = start();
        kill(Pid::from_raw(running.command.id().cast_signed()), signal).unwrap();
        let status = running.command.wait().unwrap();
        let stderr = std::fs::read_to_string(&running.stderr).unwrap();
        assert!(status.success(), "{signal}: {status}\n{stderr}");
        assert!(
            stderr.contains("Stopped every process this command started."),
            "{signal}:\n{stderr}"
        );
        running.assert_all_gone();
    }
}
