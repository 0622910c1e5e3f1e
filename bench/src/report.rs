//! BENCHMARKS.md: the figures of one run, the machine they were taken on, and each goal of
//! the budget checked against them.

use std::fmt::Write;
use std::time::Duration;

use crate::measure::{Language, Warm};
use crate::stats::{Human, Summary, ratio};

/// The machine and toolchain a run was taken on.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    pub date: String,
    pub cpu: String,
    pub cores: usize,
    pub memory: String,
    pub kernel: String,
    pub rustc: String,
    pub node: String,
    pub python: String,
}

#[derive(Debug, Clone)]
pub struct ColdRow {
    pub work: &'static str,
    pub language: Language,
    pub summary: Summary,
}

#[derive(Debug, Clone)]
pub struct WarmRow {
    pub work: &'static str,
    pub language: Language,
    pub warm: Warm,
    /// Whether the function calls the AWS SDK (the budget differs).
    pub sdk: bool,
}

/// Criterion's medians for one function: its handler, and serde_json parsing and
/// serializing the same event (the floor).
#[derive(Debug, Clone)]
pub struct HandlerRow {
    pub function: &'static str,
    pub handler: Duration,
    pub floor: Duration,
    /// The event parsed and the handler's own answer serialized, nothing between: the floor
    /// for a function whose answer is larger than its event.
    pub answer_floor: Duration,
}

#[derive(Debug, Clone)]
pub struct ZipRow {
    pub function: &'static str,
    pub bytes: u64,
    pub budget: u64,
}

#[derive(Debug, Clone)]
pub struct ProvisionRow {
    pub scenario: &'static str,
    pub reads: u64,
    pub writes: u64,
    pub wall: Summary,
}

/// Everything one `cargo xtask bench` measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub machine: Machine,
    pub cold: Vec<ColdRow>,
    pub warm: Vec<WarmRow>,
    pub handlers: Vec<HandlerRow>,
    pub zips: Vec<ZipRow>,
    pub provisioner: Vec<ProvisionRow>,
    /// Free text: what was found where a goal is missed, and other observations.
    pub notes: Vec<String>,
    /// Free text under the cold-start table: what its rows show beside the goals.
    pub cold_notes: Vec<String>,
}

/// A goal of the budget, as measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub goal: String,
    pub measured: String,
    pub met: bool,
}

/// The work the same-work comparison is made on, and the Rust floor.
pub const COMPARED: &str = "pre-signup";
pub const FLOOR: &str = "echo";
/// post-confirmation with its AdminAddUserToGroup call (the plain row makes none, so it
/// builds no SDK client).
pub const GROUP_CALL: &str = "post-confirmation + AdminAddUserToGroup";
/// The same with this host's certificate folder instead of provided.al2023's two bundle
/// files (every other Rust subject runs with those).
pub const HOST_CERT_FOLDER: &str = "post-confirmation + AdminAddUserToGroup, this host's certificate folder";

impl Report {
    /// The cold-start summary of `work` in `language`, if it was measured.
    pub fn cold(&self, work: &str, language: Language) -> Option<&Summary> {
        self.cold
            .iter()
            .find(|row| row.work == work && row.language == language)
            .map(|row| &row.summary)
    }

    /// Each goal of issue #6's budget, checked against this run's figures.
    pub fn goals(&self) -> Vec<Goal> {
        let mut goals = Vec::new();
        let rust = self.cold(COMPARED, Language::Rust);
        for (language, times) in [(Language::Node, 10.0), (Language::Python, 5.0)] {
            if let (Some(rust), Some(other)) = (rust, self.cold(COMPARED, language)) {
                let speedup = ratio(other.median, rust.median);
                goals.push(Goal {
                    goal: format!(
                        "{COMPARED} cold start at least {times}x faster in Rust than in {}",
                        language.label()
                    ),
                    measured: format!("{speedup:.1}x ({} vs {})", Human(rust.median), Human(other.median)),
                    met: speedup >= times,
                });
            }
        }
        if let Some(floor) = self.cold(FLOOR, Language::Rust) {
            for function in harness::FUNCTION_NAMES {
                if let Some(cold) = self.cold(function, Language::Rust) {
                    let times = ratio(cold.median, floor.median);
                    goals.push(Goal {
                        goal: format!("{function} cold start within 1.5x of the hello-world floor"),
                        measured: format!("{times:.2}x ({} vs {})", Human(cold.median), Human(floor.median)),
                        met: times <= 1.5,
                    });
                }
            }
        }
        for row in &self.handlers {
            let times = ratio(row.handler, row.floor);
            goals.push(Goal {
                goal: format!("{} handler at most 2x the serde_json floor", row.function),
                measured: format!("{times:.2}x ({} vs {})", Human(row.handler), Human(row.floor)),
                met: times <= 2.0,
            });
        }
        for row in &self.zips {
            goals.push(Goal {
                goal: format!("{} zip at most {}", row.function, megabytes(row.budget)),
                measured: megabytes(row.bytes),
                met: row.bytes <= row.budget,
            });
        }
        for row in self
            .warm
            .iter()
            .filter(|row| row.language == Language::Rust && row.work != FLOOR)
        {
            let budget_mib = if row.sdk { 40 } else { 20 };
            goals.push(Goal {
                goal: format!("{} peak RSS at most {budget_mib} MB", row.work),
                measured: format!("{:.1} MiB", row.warm.peak_rss_kib as f64 / 1024.0),
                met: row.warm.peak_rss_kib <= budget_mib * 1024,
            });
        }
        if let Some(no_op) = self.provisioner.iter().find(|row| row.scenario == NO_OP) {
            let calls = no_op.reads + no_op.writes;
            goals.push(Goal {
                goal: "a no-op apply: no write, at most 12 calls".into(),
                measured: format!("{} reads, {} writes", no_op.reads, no_op.writes),
                met: no_op.writes == 0 && calls <= 12,
            });
        }
        goals
    }

    /// The whole document.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let _ = writeln!(
            out,
            "# Benchmarks\n\n\
             Written by `cargo xtask bench` on {}; every figure below comes from that one run, and\n\
             every ratio compares figures of the same run. Re-run it to refresh this file; how each\n\
             figure is taken is described under [Method](#method).\n\n\
             **Machine:** {} ({} cores), {} RAM, Linux {}. **Toolchains:** {}, Node.js {}, {}.\n",
            m.date, m.cpu, m.cores, m.memory, m.kernel, m.rustc, m.node, m.python
        );

        let goals = self.goals();
        let _ = writeln!(out, "## Goals\n\n| goal | measured | |\n|---|---|---|");
        for goal in &goals {
            let mark = if goal.met { "met" } else { "**missed**" };
            let _ = writeln!(out, "| {} | {} | {mark} |", goal.goal, goal.measured);
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out, "\n### Where a goal is missed");
        }
        for note in &self.notes {
            let _ = writeln!(out, "\n{note}");
        }

        let _ = writeln!(
            out,
            "\n## Cold start\n\nFrom the process's spawn to its first answer arriving at the Runtime API \
             (the event is queued before the spawn).\nRatios compare medians with the Rust {COMPARED} \
             function.\n\n| function | runtime | runs | median | p95 | min | max | vs Rust {COMPARED} |\n|---|---|---|---|---|---|---|---|"
        );
        let base = self.cold(COMPARED, Language::Rust).map(|s| s.median);
        for row in &self.cold {
            let s = &row.summary;
            let versus = base.map_or("".into(), |base| format!("{:.2}x", ratio(s.median, base)));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {versus} |",
                row.work,
                row.language.label(),
                s.runs,
                Human(s.median),
                Human(s.p95),
                Human(s.min),
                Human(s.max)
            );
        }

        for note in &self.cold_notes {
            let _ = writeln!(out, "\n{note}");
        }

        let _ = writeln!(
            out,
            "\n## Warm invocations\n\nOne process, invocations one after another (as one Lambda \
             execution environment serves them), each timed from its submission to its answer; \
             peak RSS is the process's VmHWM after the burst.\n\n\
             | function | runtime | invocations | per second | p50 | p99 | max | peak RSS |\n|---|---|---|---|---|---|---|---|"
        );
        for row in &self.warm {
            let (w, s) = (&row.warm, &row.warm.latency);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.0} | {} | {} | {} | {:.1} MiB |",
                row.work,
                row.language.label(),
                s.runs,
                w.per_second,
                Human(s.median),
                Human(s.p99),
                Human(s.max),
                w.peak_rss_kib as f64 / 1024.0
            );
        }

        let _ = writeln!(
            out,
            "\n## In-process handler time\n\ncriterion medians, release profile. The handler row takes \
             the event's bytes through parsing, the handler and serializing the answer, as \
             lambda_runtime does; the floor only parses and serializes the same event with \
             serde_json; the answer floor parses the event and serializes the handler's own \
             answer, with no work between.\n\n| function | handler | serde_json floor | ratio | answer floor | ratio |\n|---|---|---|---|---|---|"
        );
        for row in &self.handlers {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2}x | {} | {:.2}x |",
                row.function,
                Human(row.handler),
                Human(row.floor),
                ratio(row.handler, row.floor),
                Human(row.answer_floor),
                ratio(row.handler, row.answer_floor)
            );
        }

        let _ = writeln!(
            out,
            "\n## Package size\n\nThe arm64 release zips `cargo xtask package` builds (what \
             `cargo lambda deploy` uploads).\n\n| function | zip | bytes | budget |\n|---|---|---|---|"
        );
        for row in &self.zips {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                row.function,
                megabytes(row.bytes),
                thousands(row.bytes),
                megabytes(row.budget)
            );
        }

        let _ = writeln!(
            out,
            "\n## Provisioner\n\n`provisioner apply --output json` against moto's server, with \
             `cognito.toml` and the three functions in place; calls as its SDK interceptor counts \
             them; wall time of the whole command (the debug build `cargo run -p provisioner` runs).\n\n| scenario | reads | writes | runs | median wall | max wall |\n|---|---|---|---|---|---|"
        );
        for row in &self.provisioner {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                row.scenario,
                row.reads,
                row.writes,
                row.wall.runs,
                Human(row.wall.median),
                Human(row.wall.max)
            );
        }
        if let Some(no_op) = self.provisioner.iter().find(|row| row.scenario == NO_OP)
            && no_op.reads + no_op.writes > 12
        {
            let _ = writeln!(
                out,
                "\nThe no-op apply's {} reads: the pool (ListUserPools, DescribeUserPool), its client \
                 (ListUserPoolClients, DescribeUserPoolClient), its groups (ListGroups), what its domain serves \
                 (DescribeUserPoolDomain) and the client's branding style (DescribeManagedLoginBrandingByClient), \
                 and each function's GetFunction and GetPolicy. The 12-call goal was set when the plan read 11: \
                 the domain's version and the branding style are read since the spec manages managed login, \
                 one DescribeManagedLoginBrandingByClient per client that signs in through the login pages.",
                no_op.reads
            );
        }
        out.push_str(METHOD);
        out
    }
}

pub const EMPTY: &str = "apply on an empty account";
pub const NO_OP: &str = "apply again (no-op)";
pub const ONE_FIELD: &str = "apply after one change (password minimum length)";

const METHOD: &str = "
## Method

- **Reproduce:** `cargo xtask bench` (about 20 minutes from a clean clone on two cores, most
  of it release builds; minutes once they are built). It installs what it needs: the pinned
  tools of `cargo xtask setup`, and for the comparison aws-lambda-ric (`tools/bench/package.json`, built from source, which takes cmake,
  autoconf, automake and libtool: Debian packages it installs when they are missing and it runs
  as root) and awslambdaric (`tools/bench/requirements.txt`).
- **One Runtime API for every runtime.** `bench/src/runtime_api.rs` serves the Lambda Runtime
  API on 127.0.0.1 with the headers Lambda sends. `cargo lambda watch --only-lambda-apis` can't
  serve as the common endpoint: it advertises `AWS_LAMBDA_RUNTIME_API` as a URL
  (`http://127.0.0.1:9000/.rt`, where Lambda gives `host:port`), and its `/next` reply carries
  no `Content-Type`, on which awslambdaric's native client (aws-lambda-cpp) dereferences a null
  pointer and dies of SIGSEGV.
- **Same start for every subject:** the same code spawns each process with the same Lambda
  environment (`AWS_LAMBDA_*`, region, credentials and an endpoint for the SDK); Rust binaries
  are host (x86_64) release builds, started with provided.al2023's certificate layout: its
  `/etc/pki/tls/certs` holds two bundle files, `ca-bundle.crt` (the PEM certificates) and
  `ca-bundle.trust.crt` (the same in OpenSSL's `TRUSTED CERTIFICATE` form, which rustls reads
  past), so the bench makes a folder of those two from this host's bundle (the second by
  relabelling) and points `SSL_CERT_FILE` at the first and `SSL_CERT_DIR` at the folder, as
  the system's probe finds them there; one row keeps this host's `/etc/ssl/certs` (a file
  per certificate) to show what that folder would cost; Node.js runs `aws-lambda-ric`'s `bin/index.mjs` and Python
  `python -m awslambdaric`, both with handlers in `bench/`. Cold starts of all subjects are
  interleaved, round after round, so that a noisy moment hits them all.
- **Same work:** the Node.js and Python pre-signup handlers (`bench/node`, `bench/python`) read
  the same variables and make the same decision; the run fails unless their answers equal the
  Rust function's. `echo` returns its event: the floor of each runtime.
- **post-confirmation** calls AdminAddUserToGroup on moto's server (a pool, a group and a user
  made for the run), so its figures include that round trip through a Python server.
- This machine is shared: read the medians and spreads together, and compare ratios, not
  absolute times, with other machines.
";

fn megabytes(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(median_ms: f64) -> Summary {
        let median = Duration::from_secs_f64(median_ms / 1e3);
        Summary {
            runs: 25,
            min: median,
            median,
            p95: median,
            p99: median,
            max: median,
        }
    }

    fn cold(work: &'static str, language: Language, median_ms: f64) -> ColdRow {
        ColdRow {
            work,
            language,
            summary: summary(median_ms),
        }
    }

    fn sample() -> Report {
        Report {
            cold: vec![
                cold("pre-signup", Language::Rust, 4.0),
                cold("echo", Language::Rust, 3.0),
                cold("post-confirmation", Language::Rust, 6.0),
                cold("pre-signup", Language::Node, 100.0),
                cold("pre-signup", Language::Python, 15.0),
            ],
            warm: vec![WarmRow {
                work: "post-confirmation",
                language: Language::Rust,
                warm: Warm {
                    latency: summary(1.0),
                    per_second: 1000.0,
                    peak_rss_kib: 30 * 1024,
                },
                sdk: true,
            }],
            handlers: vec![HandlerRow {
                function: "pre-signup",
                handler: Duration::from_micros(9),
                floor: Duration::from_micros(4),
                answer_floor: Duration::from_micros(5),
            }],
            zips: vec![ZipRow {
                function: "pre-signup",
                bytes: 1_065_833,
                budget: 1_500_000,
            }],
            provisioner: vec![ProvisionRow {
                scenario: NO_OP,
                reads: 11,
                writes: 0,
                wall: summary(300.0),
            }],
            cold_notes: vec!["What the cold rows show.".into()],
            ..Report::default()
        }
    }

    #[test]
    fn goals_are_checked_against_the_figures() {
        let goals = sample().goals();
        let verdict = |start: &str| {
            goals
                .iter()
                .find(|g| g.goal.starts_with(start))
                .unwrap_or_else(|| panic!("no goal {start}: {goals:?}"))
                .clone()
        };
        let node = verdict("pre-signup cold start at least 10x faster in Rust than in Node.js");
        assert!(node.met && node.measured.starts_with("25.0x"), "{node:?}");
        // 15 / 4 = 3.75, under the 5x goal.
        assert!(!verdict("pre-signup cold start at least 5x faster in Rust than in Python").met);
        assert!(verdict("pre-signup cold start within 1.5x").met);
        let post = verdict("post-confirmation cold start within 1.5x");
        assert!(!post.met && post.measured.starts_with("2.00x"), "{post:?}");
        assert!(!verdict("pre-signup handler at most 2x").met);
        assert!(verdict("pre-signup zip").met);
        assert!(verdict("post-confirmation peak RSS at most 40 MB").met);
        assert!(verdict("a no-op apply").met);
    }

    #[test]
    fn the_document_shows_every_section_and_marks_misses() {
        let text = sample().markdown();
        for heading in [
            "## Goals",
            "## Cold start",
            "## Warm invocations",
            "## In-process handler time",
            "## Package size",
            "## Provisioner",
            "## Method",
        ] {
            assert!(text.contains(heading), "{heading} missing");
        }
        assert!(text.contains("| pre-signup | Node.js | 25 | 100.00 ms |"), "{text}");
        assert!(text.contains("| 25.00x |"), "{text}");
        assert!(text.contains("**missed**"));
        let cold = &text[text.find("## Cold start").unwrap()..text.find("## Warm invocations").unwrap()];
        assert!(
            cold.contains("\nWhat the cold rows show.\n"),
            "under the cold-start table: {text}"
        );
        assert!(
            text.contains("| pre-signup | 1.07 MB | 1,065,833 | 1.50 MB |"),
            "{text}"
        );
    }
}
