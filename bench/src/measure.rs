//! Runs a function process against the Runtime API and times it: a cold start (from the
//! process's spawn to its first answer landing), or a warm burst (one invocation after
//! another through the same process) with its peak resident memory.
//!
//! Every subject, whatever its language, is started the same way, with the same Lambda
//! environment, by the same code.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use harness::{HarnessError, Server};

use crate::runtime_api::{Outcome, RuntimeApi, WaitError};
use crate::stats::Summary;

/// How long one invocation (a cold start included) may take before the run fails.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Rust,
    Node,
    Python,
}

impl Language {
    pub fn label(self) -> &'static str {
        match self {
            Self::Rust => "Rust",
            Self::Node => "Node.js",
            Self::Python => "Python",
        }
    }
}

/// A function to measure: how to start it, with what, and the event it gets.
#[derive(Debug, Clone)]
pub struct Subject {
    /// What it does: "pre-signup", "echo", ...
    pub work: &'static str,
    pub language: Language,
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub dir: PathBuf,
    /// The function's own settings, on top of the Lambda environment.
    pub env: Vec<(String, String)>,
    pub event: Vec<u8>,
}

impl Subject {
    pub fn name(&self) -> String {
        format!("{} ({})", self.work, self.language.label())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    #[error(transparent)]
    Harness(#[from] HarnessError),
    #[error("could not start the Runtime API: {0}")]
    Api(std::io::Error),
    #[error("{subject}: {error}; its output:\n{output}")]
    NoAnswer {
        subject: String,
        error: WaitError,
        output: String,
    },
    #[error("{subject} answered with an error ({kind}): {body}")]
    FunctionError {
        subject: String,
        kind: String,
        body: String,
    },
}

/// Environment pairs as a subject holds them.
pub fn owned_env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A warm burst's figures.
#[derive(Debug, Clone)]
pub struct Warm {
    pub latency: Summary,
    pub per_second: f64,
    /// The process's peak resident set (VmHWM) after the burst, in KiB.
    pub peak_rss_kib: u64,
}

/// The Runtime API and the Lambda environment every subject is started with.
pub struct Harness {
    api: RuntimeApi,
    logs: PathBuf,
    lambda_env: Vec<(String, String)>,
}

impl Harness {
    /// `extra_env` (credentials, an endpoint) goes to every subject alike.
    pub fn new(logs: &Path, extra_env: &[(String, String)]) -> Result<Self, MeasureError> {
        let api = RuntimeApi::start().map_err(MeasureError::Api)?;
        let mut lambda_env = owned_env(&[
            ("AWS_LAMBDA_RUNTIME_API", api.address().as_str()),
            ("AWS_LAMBDA_FUNCTION_NAME", "bench"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "bench"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("TZ", ":UTC"),
            ("LANG", "en_US.UTF-8"),
        ]);
        lambda_env.extend_from_slice(extra_env);
        Ok(Self {
            api,
            logs: logs.to_path_buf(),
            lambda_env,
        })
    }

    fn spawn(&self, subject: &Subject) -> Result<Server, MeasureError> {
        let mut command = Command::new(&subject.program);
        command
            .args(&subject.args)
            .current_dir(&subject.dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(self.lambda_env.iter().cloned())
            .envs(subject.env.iter().cloned());
        if subject.language == Language::Python {
            // Lambda's task root is read-only: the handler is compiled at every cold start.
            command
                .env("LAMBDA_TASK_ROOT", &subject.dir)
                .env("PYTHONDONTWRITEBYTECODE", "1");
        }
        let log = self
            .logs
            .join(format!("{}-{}.log", subject.work, subject.language.label()));
        Ok(Server::start(&subject.name(), command, &log)?)
    }

    /// Sends `event` and waits for the answer, failing on a function error.
    fn invoke(&self, subject: &Subject, process: &mut Server) -> Result<(Instant, Vec<u8>), MeasureError> {
        let id = self.api.submit(&subject.event);
        self.answer(subject, process, &id)
    }

    fn answer(&self, subject: &Subject, process: &mut Server, id: &str) -> Result<(Instant, Vec<u8>), MeasureError> {
        let reply = self
            .api
            .wait(id, ANSWER_WITHIN, || process.is_running())
            .map_err(|error| MeasureError::NoAnswer {
                subject: subject.name(),
                error,
                output: process.output(),
            })?;
        match reply.outcome {
            Outcome::Response(body) => Ok((reply.at, body)),
            Outcome::Error { kind, body } => Err(MeasureError::FunctionError {
                subject: subject.name(),
                kind,
                body: String::from_utf8_lossy(&body).into_owned(),
            }),
        }
    }

    /// One cold start: the event is queued, the process spawned, and the time runs until
    /// its answer lands. Returns that time and the answer.
    pub fn cold_start(&self, subject: &Subject) -> Result<(Duration, Vec<u8>), MeasureError> {
        self.api.reset();
        let id = self.api.submit(&subject.event);
        let started = Instant::now();
        let mut process = self.spawn(subject)?;
        let (at, body) = self.answer(subject, &mut process, &id)?;
        process.stop();
        Ok((at - started, body))
    }

    /// A warm burst through one process: `warm_up` invocations untimed, then `invocations`
    /// one after another, each timed from its submission to its answer.
    pub fn warm(&self, subject: &Subject, warm_up: usize, invocations: usize) -> Result<Warm, MeasureError> {
        self.api.reset();
        let mut process = self.spawn(subject)?;
        for _ in 0..warm_up.max(1) {
            self.invoke(subject, &mut process)?;
        }
        let mut latencies = Vec::with_capacity(invocations);
        let burst = Instant::now();
        for _ in 0..invocations {
            let sent = Instant::now();
            let (at, _) = self.invoke(subject, &mut process)?;
            latencies.push(at - sent);
        }
        let elapsed = burst.elapsed();
        let peak_rss_kib = peak_rss_kib(process.pid()).unwrap_or(0);
        process.stop();
        Ok(Warm {
            latency: Summary::of(&latencies).expect("at least one invocation"),
            per_second: invocations as f64 / elapsed.as_secs_f64(),
            peak_rss_kib,
        })
    }
}

/// VmHWM of a running process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_of_this_process_is_read() {
        let kib = peak_rss_kib(std::process::id()).unwrap();
        assert!(kib > 100, "{kib} KiB");
        assert_eq!(peak_rss_kib(u32::MAX), None);
    }
}
