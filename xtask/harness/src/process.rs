//! Child processes that are always stopped, whatever ends the process that started them.
//!
//! - Each server starts in a process group of its own, its output to a log file; `stop` (and
//!   dropping the handle) signals the whole group by id, and only then reaps the leader, so
//!   the group id cannot have been reused by an unrelated process when it is signalled.
//! - Each child gets SIGTERM when its parent dies (PR_SET_PDEATHSIG), however the parent
//!   ends, SIGKILL included. The signal follows the *thread* that forked the child, so every
//!   child is forked by one thread that lives as long as the process (`spawn`). SIGTERM, not
//!   SIGKILL: `cargo lambda watch` runs each function in a session of its own and stops them
//!   on SIGTERM, where SIGKILL would orphan them.
//! - A server's port is held (`Port`) from before the server is configured until it
//!   listens, so no other process can take it in between.

use std::fs::File;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::sys::socket::{self, AddressFamily, SockFlag, SockType, SockaddrIn, sockopt};
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid};
use nix::unistd::{Pid, getppid};

use crate::HarnessError;

/// The process groups of the servers running now, so that an interrupt can stop them all
/// (see `stop_all`) even while their owners are busy. Whoever signals a group or reaps its
/// leader holds this lock, so a group is never signalled after its leader was reaped.
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

fn running() -> MutexGuard<'static, Vec<i32>> {
    RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stops every server this process started and has not stopped yet (for a Ctrl-C, SIGTERM
/// or SIGHUP handler that then exits): SIGTERM to each group, then SIGKILL to whatever is
/// left after 2 s. The leaders stay unreaped (their owners never get to it), so their
/// group ids stay theirs.
pub fn stop_all() {
    let mut running = running();
    let groups: Vec<i32> = running.drain(..).collect();
    for group in &groups {
        let _ = killpg(Pid::from_raw(*group), Signal::SIGTERM);
    }
    wait_until(Duration::from_secs(2), || {
        groups.iter().all(|group| exit_status(*group).is_some())
    });
    for group in &groups {
        // Children that outlived their leader are still in its group.
        let _ = killpg(Pid::from_raw(*group), Signal::SIGKILL);
    }
}

/// How `pid`, a child of this process, ended, or `None` while it runs. It leaves the child
/// unreaped (WNOWAIT): only `Server::stop` reaps, after its last signal to the group.
fn exit_status(pid: i32) -> Option<String> {
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
    match waitid(Id::Pid(Pid::from_raw(pid)), flags) {
        Ok(WaitStatus::StillAlive) => None,
        Ok(WaitStatus::Exited(_, code)) => Some(format!("exit status: {code}")),
        Ok(WaitStatus::Signaled(_, signal, _)) => Some(format!("killed by {signal}")),
        Ok(other) => Some(format!("{other:?}")),
        Err(errno) => Some(format!("cannot wait for it: {errno}")),
    }
}

/// Spawns `command` from the one thread that lives as long as this process, with SIGTERM
/// as its parent-death signal (see the module's notes).
fn spawn(mut command: Command) -> io::Result<Child> {
    let parent = std::process::id();
    // SAFETY: the hook runs in the child between fork and exec, where only async-signal-safe
    // calls are allowed: prctl and getppid are system calls, and neither path allocates.
    #[allow(unsafe_code)]
    unsafe {
        command.pre_exec(move || die_with_parent(parent));
    }
    type Request = (Command, mpsc::Sender<io::Result<Child>>);
    static SPAWNER: OnceLock<Option<mpsc::Sender<Request>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (requests, incoming) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("spawner".into())
            .spawn(move || {
                for (mut command, reply) in incoming {
                    let _ = reply.send(command.spawn());
                }
            })
            .ok()
            .map(|_| requests)
    });
    let gone = || io::Error::other("the thread that starts processes is gone");
    let (reply, answer) = mpsc::channel();
    spawner
        .as_ref()
        .ok_or_else(gone)?
        .send((command, reply))
        .map_err(|_| gone())?;
    answer.recv().map_err(|_| gone())?
}

/// In the child: SIGTERM when the parent dies; and if it already has (the child was
/// re-parented before the call), no exec at all.
fn die_with_parent(parent: u32) -> io::Result<()> {
    nix::sys::prctl::set_pdeathsig(Signal::SIGTERM)?;
    if getppid().as_raw().cast_unsigned() != parent {
        return Err(io::Error::from_raw_os_error(nix::libc::ESRCH));
    }
    Ok(())
}

/// A loopback port held for a server from before it is configured until it listens: a
/// socket bound to 127.0.0.1 with SO_REUSEADDR and never listening. The server (node, tokio,
/// Werkzeug and Rust's std all set SO_REUSEADDR) can bind and listen on it; the kernel hands
/// a bound port to no other `bind(0)` or outgoing connection.
#[derive(Debug)]
pub struct Port {
    number: u16,
    _held: OwnedFd,
}

impl Port {
    /// A port the OS picks, held until this value is dropped (`Server::wait_for_port` does
    /// it once the server listens).
    pub fn reserve() -> Result<Self, HarnessError> {
        let held = socket::socket(AddressFamily::Inet, SockType::Stream, SockFlag::SOCK_CLOEXEC, None)
            .map_err(io::Error::from)?;
        socket::setsockopt(&held, sockopt::ReuseAddr, &true).map_err(io::Error::from)?;
        socket::bind(held.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, 0)).map_err(io::Error::from)?;
        let bound: SockaddrIn = socket::getsockname(held.as_raw_fd()).map_err(io::Error::from)?;
        Ok(Self {
            number: bound.port(),
            _held: held,
        })
    }

    pub fn number(&self) -> u16 {
        self.number
    }
}

/// A port nothing listens on at the moment of the call, for a test that needs an endpoint
/// that refuses connections. A server's port is `Port::reserve`d instead.
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

/// Runs `command` to its end, its output captured; a failure is an error carrying what it
/// printed.
pub fn run_to_end(what: &str, command: &mut Command) -> Result<(), HarnessError> {
    let output = output(what, command)?;
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

/// Runs `command` to its end with its output going where ours goes (a compile's progress,
/// for people to watch).
pub fn run_shown(what: &str, command: &mut Command) -> Result<(), HarnessError> {
    let replaced = std::mem::replace(command, Command::new(command.get_program()));
    let mut child = spawn(replaced).map_err(|source| HarnessError::Start {
        what: what.to_owned(),
        source,
    })?;
    let status = child.wait()?;
    if status.success() {
        return Ok(());
    }
    Err(HarnessError::Failed {
        what: what.to_owned(),
        status: status.to_string(),
        output: "(shown above)".into(),
    })
}

/// Runs `command` to its end and returns what it printed, whatever its exit status.
pub fn output(what: &str, command: &mut Command) -> Result<Output, HarnessError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let replaced = std::mem::replace(command, Command::new(command.get_program()));
    let child = spawn(replaced).map_err(|source| HarnessError::Start {
        what: what.to_owned(),
        source,
    })?;
    Ok(child.wait_with_output()?)
}

/// A running server; stopped with its process group when dropped.
#[derive(Debug)]
pub struct Server {
    name: String,
    child: Child,
    log: PathBuf,
    reaped: bool,
}

impl Server {
    /// Starts `command` in a new process group, its stdout and stderr to `log`.
    pub fn start(name: &str, mut command: Command, log: &Path) -> Result<Self, HarnessError> {
        let out = File::create(log)?;
        let err = out.try_clone()?;
        command.stdin(Stdio::null()).stdout(out).stderr(err).process_group(0);
        // Registered under the lock, so `stop_all` cannot run between the spawn and this.
        let mut running = running();
        let child = spawn(command).map_err(|source| HarnessError::Start {
            what: name.to_owned(),
            source,
        })?;
        running.push(child.id().cast_signed());
        Ok(Self {
            name: name.to_owned(),
            child,
            log: log.to_path_buf(),
            reaped: false,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has not exited yet.
    pub fn is_running(&self) -> bool {
        !self.reaped && exit_status(self.child.id().cast_signed()).is_none()
    }

    /// What the server has printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the server listens on `port`, failing early if it exits first, then lets
    /// the port go (it is the server's now).
    pub fn wait_for_port(&mut self, port: Port, timeout: Duration) -> Result<(), HarnessError> {
        let pid = self.child.id().cast_signed();
        let mut exited = None;
        let ready = wait_until(timeout, || {
            exited = exit_status(pid);
            exited.is_some() || TcpStream::connect(("127.0.0.1", port.number())).is_ok()
        });
        drop(port);
        if let Some(status) = exited {
            return Err(HarnessError::Exited {
                what: self.name.clone(),
                status,
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

    /// Stops the process group: SIGTERM, then SIGKILL if the leader is still there after
    /// 5 s; SIGKILL to whatever is left in the group; only then reaps the leader.
    pub fn stop(&mut self) {
        if self.reaped {
            return;
        }
        let id = self.child.id().cast_signed();
        let mut running = running();
        running.retain(|group| *group != id);
        let group = Pid::from_raw(id);
        let _ = killpg(group, Signal::SIGTERM);
        if !wait_until(Duration::from_secs(5), || exit_status(id).is_some()) {
            let _ = killpg(group, Signal::SIGKILL);
        }
        // Children that outlived the leader are still in the group.
        let _ = killpg(group, Signal::SIGKILL);
        let _ = self.child.wait();
        self.reaped = true;
        drop(running);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether `pid` is a process that has not ended: it exists and is not a zombie (an ended
/// process whose parent has not reaped it, which an init that does not reap leaves behind).
pub fn is_alive(pid: i32) -> bool {
    stat(pid).is_some_and(|stat| stat.alive())
}

/// The processes of group `group` that have not ended, from /proc.
pub fn live_members(group: i32) -> Vec<i32> {
    live_processes(|stat| stat.group == group)
}

/// The processes whose parent is `parent` and that have not ended, from /proc.
pub fn children_of(parent: i32) -> Vec<i32> {
    live_processes(|stat| stat.parent == parent)
}

fn live_processes(matching: impl Fn(&Stat) -> bool) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| stat(*pid).is_some_and(|stat| stat.alive() && matching(&stat)))
        .collect()
}

/// What `/proc/<pid>/stat` says of a process.
struct Stat {
    state: char,
    parent: i32,
    group: i32,
}

impl Stat {
    fn alive(&self) -> bool {
        !matches!(self.state, 'Z' | 'X')
    }
}

fn stat(pid: i32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (in parentheses) may hold spaces: the fields start after its end.
    let mut fields = text.get(text.rfind(')')? + 1..)?.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    let group = fields.next()?.parse().ok()?;
    Some(Stat { state, parent, group })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// These tests run one at a time. A process another test spawns holds a copy of every
    /// open descriptor between its fork and its exec (`SOCK_CLOEXEC` closes them only at
    /// the exec), so a held port dropped in that window stays bound; and a connection
    /// another test closes leaves its port in TIME_WAIT.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    fn alone() -> std::sync::MutexGuard<'static, ()> {
        ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[test]
    fn a_held_port_can_be_bound_by_the_server_it_is_held_for() {
        let _alone = alone();
        let port = Port::reserve().unwrap();
        let listener = TcpListener::bind(("127.0.0.1", port.number())).expect("the server binds the held port");
        TcpStream::connect(("127.0.0.1", port.number())).expect("and accepts connections on it");
        drop(listener);
    }

    #[test]
    fn a_held_port_is_refused_to_a_socket_it_is_not_held_for() {
        let _alone = alone();
        let held = Port::reserve().unwrap();
        let address = SockaddrIn::new(127, 0, 0, 1, held.number());
        let bind_elsewhere = || {
            let socket = socket::socket(AddressFamily::Inet, SockType::Stream, SockFlag::SOCK_CLOEXEC, None).unwrap();
            socket::bind(socket.as_raw_fd(), &address)
        };
        // A socket without SO_REUSEADDR: what a bind that picks a port, or another
        // program's server, meets.
        assert_eq!(bind_elsewhere(), Err(nix::errno::Errno::EADDRINUSE));
        drop(held);
        assert_eq!(bind_elsewhere(), Ok(()), "once let go, the port is anyone's");
    }

    #[test]
    fn a_stopped_server_and_its_group_are_gone_and_reaped() {
        let _alone = alone();
        let dir = std::env::temp_dir().join(format!("harness-stop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut command = Command::new("sh");
        // A child that ignores SIGTERM stays in the group after its leader exits.
        command.args(["-c", "sh -c 'trap \"\" TERM; sleep 60' & echo $!; wait"]);
        let mut server = Server::start("sleepers", command, &dir.join("log")).unwrap();
        let pid = server.pid().cast_signed();
        assert!(wait_until(Duration::from_secs(5), || !server
            .output()
            .trim()
            .is_empty()));
        let straggler: i32 = server.output().trim().parse().unwrap();
        server.stop();
        assert!(!server.is_running());
        assert!(
            wait_until(Duration::from_secs(5), || !is_alive(straggler)),
            "the straggler was killed"
        );
        assert!(!is_alive(pid), "the leader is gone");
        assert_eq!(live_members(pid), Vec::<i32>::new(), "nothing is left in the group");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
