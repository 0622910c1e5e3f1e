//! Child processes that are always stopped: each server starts in its own process group,
//! its output goes to a log file, and dropping the handle signals the whole group (the
//! server and whatever it started) by id, then waits for it.

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::HarnessError;

/// The process groups of the servers running now, so that an interrupt can stop them all
/// (see `stop_all`) even while their owners are busy.
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

fn running() -> std::sync::MutexGuard<'static, Vec<i32>> {
    RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stops every server this process started and has not stopped yet (for a Ctrl-C
/// handler): SIGTERM to each group, then SIGKILL to whatever is left after 2 s.
pub fn stop_all() {
    let groups: Vec<i32> = running().drain(..).collect();
    for group in &groups {
        let _ = killpg(Pid::from_raw(*group), Signal::SIGTERM);
    }
    let alive = |group: &i32| killpg(Pid::from_raw(*group), None).is_ok();
    wait_until(Duration::from_secs(2), || !groups.iter().any(alive));
    for group in groups.iter().filter(|g| alive(g)) {
        let _ = killpg(Pid::from_raw(*group), Signal::SIGKILL);
    }
}

/// A free TCP port on 127.0.0.1, as the OS picks it.
pub fn free_port() -> Result<u16, HarnessError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Polls `ready` every 100 ms until it is true or `timeout` passes.
pub fn wait_until(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if ready() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs `command` to its end; a failure is an error carrying what it printed.
pub fn run_to_end(what: &str, command: &mut Command) -> Result<(), HarnessError> {
    let output = command.output().map_err(|source| HarnessError::Start {
        what: what.to_owned(),
        source,
    })?;
    if output.status.success() {
        return Ok(());
    }
    Err(HarnessError::Failed {
        what: what.to_owned(),
        status: output.status.to_string(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}

/// A running server; stopped with its process group when dropped.
#[derive(Debug)]
pub struct Server {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts `command` in a new process group, its stdout and stderr to `log`.
    pub fn start(name: &str, mut command: Command, log: &Path) -> Result<Self, HarnessError> {
        let out = File::create(log)?;
        let err = out.try_clone()?;
        command.stdin(Stdio::null()).stdout(out).stderr(err).process_group(0);
        let child = command.spawn().map_err(|source| HarnessError::Start {
            what: name.to_owned(),
            source,
        })?;
        running().push(child.id() as i32);
        Ok(Self {
            name: name.to_owned(),
            child,
            log: log.to_path_buf(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has not exited yet.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What the server has printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `port` on 127.0.0.1 accepts connections, failing early if the server
    /// exits first.
    pub fn wait_for_port(&mut self, port: u16, timeout: Duration) -> Result<(), HarnessError> {
        let mut exited = None;
        let ready = wait_until(timeout, || {
            if let Ok(Some(status)) = self.child.try_wait() {
                exited = Some(status);
                return true;
            }
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        if let Some(status) = exited {
            return Err(HarnessError::Exited {
                what: self.name.clone(),
                status: status.to_string(),
                output: self.output(),
            });
        }
        if !ready {
            return Err(HarnessError::NotReady {
                what: self.name.clone(),
                seconds: timeout.as_secs(),
                output: self.output(),
            });
        }
        Ok(())
    }

    /// Stops the process group: SIGTERM, then SIGKILL if it is still there after 5 s.
    pub fn stop(&mut self) {
        let id = self.child.id() as i32;
        running().retain(|group| *group != id);
        let group = Pid::from_raw(id);
        if let Ok(Some(_)) = self.child.try_wait() {
            // Children that outlived the leader are still in the group.
            let _ = killpg(group, Signal::SIGKILL);
            return;
        }
        let _ = killpg(group, Signal::SIGTERM);
        let exited = wait_until(Duration::from_secs(5), || matches!(self.child.try_wait(), Ok(Some(_))));
        if !exited {
            let _ = killpg(group, Signal::SIGKILL);
            let _ = self.child.wait();
        }
        // Children that outlived the leader are still in the group.
        let _ = killpg(group, Signal::SIGKILL);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
