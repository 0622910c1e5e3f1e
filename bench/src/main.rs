//! The command behind `cargo xtask bench` (which installs the tools first): builds what is
//! measured, runs every measurement and writes BENCHMARKS.md. The measuring itself (the
//! Runtime API, the timing, the report) is this crate's library; this is the orchestration:
//! builds, servers and the subjects.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use aws_sdk_cognitoidentityprovider as cognito;
use bench::report::{self, ColdRow, HandlerRow, Machine, ProvisionRow, Report, WarmRow, ZipRow};
use bench::stats::Human;
use bench::{Harness, Language, PRE_SIGNUP_POLICY, Subject, Summary, owned_env};
use harness::FUNCTION_NAMES as FUNCTIONS;
use harness::moto::{Moto, deploy_placeholders, sdk_config};
use harness::{Tools, workspace_root};
use serde_json::Value;

/// Cold starts per subject (the issue asks for at least 20).
const COLD_STARTS: usize = 25;
const WARM_UP: usize = 50;
const WARM_INVOCATIONS: usize = 1_000;
/// Rounds of the provisioner scenarios, each on a fresh moto.
const PROVISION_ROUNDS: usize = 5;

fn main() -> Result<()> {
    let tools = Tools::default();
    let root = workspace_root();
    let mut release = vec!["build", "--release", "--locked"];
    for package in FUNCTIONS.iter().chain(&["hello-echo"]) {
        release.extend(["-p", package]);
    }
    cargo(&release)?;
    cargo(&["build", "--locked", "-p", "provisioner"])?;
    let mut criterion = vec!["bench", "--locked", "--bench", "handler"];
    for package in FUNCTIONS {
        criterion.extend(["-p", package]);
    }
    criterion.extend(["--", "--noplot", "--warm-up-time", "1", "--measurement-time", "3"]);
    cargo(&criterion)?;

    let work = root.join("target").join("bench-run");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;

    let sizes;
    let mut report = Report {
        machine: machine(&tools),
        handlers: FUNCTIONS.iter().map(|f| handler_row(f)).collect::<Result<_>>()?,
        ..Report::default()
    };
    {
        let moto = Moto::start(&tools, &work)?;
        let (pool, user) = runtime.block_on(cognito_fixture(&moto.endpoint()))?;
        let subjects = subjects(&tools, &pool, &user)?;
        let env = owned_env(&[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_ENDPOINT_URL", moto.endpoint().as_str()),
        ]);
        let harness = Harness::new(&work, &env)?;
        sizes = check_answers(&harness, &subjects)?;
        report.cold = cold_starts(&harness, &subjects)?;
        for subject in subjects.iter().filter(|s| s.work != report::HOST_CERT_FOLDER) {
            eprintln!("==> warm: {}", subject.name());
            report.warm.push(WarmRow {
                work: subject.work,
                language: subject.language,
                warm: harness.warm(subject, WARM_UP, WARM_INVOCATIONS)?,
                sdk: subject.work.starts_with("post-confirmation"),
            });
        }
    }
    report.provisioner = provisioner(&tools, &work, &runtime)?;
    eprintln!("==> arm64 release zips");
    report.zips = deploy::package(&tools)?
        .into_iter()
        .map(|zip| ZipRow {
            function: zip.function,
            bytes: zip.bytes,
            budget: zip.budget,
        })
        .collect();
    report.notes = notes(&report, &sizes);
    report.cold_notes = cold_notes(&report);

    let path = root.join("BENCHMARKS.md");
    std::fs::write(&path, report.markdown())?;
    eprintln!("\nwrote {}", path.display());
    for goal in report.goals() {
        let mark = if goal.met { "met   " } else { "MISSED" };
        eprintln!("  {mark} {}: {}", goal.goal, goal.measured);
    }
    Ok(())
}

/// criterion's median for `<function>/handler` and `<function>/serde-floor`.
fn handler_row(function: &'static str) -> Result<HandlerRow> {
    let median = |id: &str| -> Result<Duration> {
        let path = workspace_root()
            .join("target/criterion")
            .join(function)
            .join(id)
            .join("new/estimates.json");
        let text = std::fs::read_to_string(&path).with_context(|| format!("criterion wrote no {}", path.display()))?;
        let estimates: Value = serde_json::from_str(&text)?;
        let nanos = estimates["median"]["point_estimate"]
            .as_f64()
            .with_context(|| format!("no median in {}", path.display()))?;
        Ok(Duration::from_secs_f64(nanos / 1e9))
    };
    Ok(HandlerRow {
        function,
        handler: median("handler")?,
        floor: median("serde-floor")?,
        answer_floor: median("answer-floor")?,
    })
}

/// A pool, the default group and a user in moto, for post-confirmation's real call.
async fn cognito_fixture(endpoint: &str) -> Result<(String, String)> {
    let client = cognito::Client::new(&sdk_config(endpoint));
    let pool = client.create_user_pool().pool_name("bench").send().await?;
    let pool = pool.user_pool().and_then(|p| p.id()).context("no pool id")?.to_owned();
    client
        .create_group()
        .user_pool_id(&pool)
        .group_name("members")
        .send()
        .await?;
    let user = "bench-user";
    client
        .admin_create_user()
        .user_pool_id(&pool)
        .username(user)
        .send()
        .await?;
    Ok((pool, user.to_owned()))
}

fn fixture(function: &str, name: &str) -> Result<Vec<u8>> {
    let path = workspace_root()
        .join("functions")
        .join(function)
        .join("fixtures")
        .join(name);
    std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))
}

/// Every subject: the Rust functions, the Rust floor, and pre-signup and the floor in
/// Node.js and Python, all with the same event per kind of work. post-confirmation runs
/// three ways: a confirmed password reset (no call, so no SDK client: its start alone, the
/// row the floor goal reads), a confirmed sign-up with its AdminAddUserToGroup call to moto
/// (the client built for it), and the same with this host's certificate folder.
fn subjects(tools: &Tools, pool: &str, user: &str) -> Result<Vec<Subject>> {
    let release = workspace_root().join("target").join("release");
    let bench = workspace_root().join("bench");
    let policy = owned_env(&PRE_SIGNUP_POLICY);
    let sign_up = fixture("pre-signup", "signup.json")?;
    let reset = fixture("post-confirmation", "confirm-forgot-password.json")?;
    let mut confirmation: Value = serde_json::from_slice(&fixture("post-confirmation", "confirm-signup.json")?)?;
    confirmation["userPoolId"] = pool.into();
    confirmation["userName"] = user.into();
    // provided.al2023's certificate layout for every Rust subject (the SDK's TLS trust store
    // reads it): the folder `/etc/pki/tls/certs` with its two bundle files.
    let al2023 = al2023_certificates()?;
    let cert_file = al2023.join("ca-bundle.crt").to_string_lossy().into_owned();
    let cert_dir = al2023.to_string_lossy().into_owned();
    let certificates = [
        ("SSL_CERT_FILE", cert_file.as_str()),
        ("SSL_CERT_DIR", cert_dir.as_str()),
    ];
    let rust = |work: &'static str, binary: &str, env: &[(&str, &str)], event: Vec<u8>| {
        let mut env = owned_env(env);
        if work != report::HOST_CERT_FOLDER {
            env.extend(owned_env(&certificates));
        }
        Subject {
            work,
            language: Language::Rust,
            program: release.join(binary),
            args: Vec::new(),
            dir: workspace_root(),
            env,
            event,
        }
    };
    let group = [("DEFAULT_GROUP", "members")];
    let node_ric = tools.bench_node_ric()?;
    let node = |work: &'static str, module: &str| Subject {
        work,
        language: Language::Node,
        program: "node".into(),
        args: vec![node_ric.clone().into(), format!("{module}.handler").into()],
        dir: bench.join("node"),
        env: policy.clone(),
        event: sign_up.clone(),
    };
    let python_bin = tools.bench_python()?;
    let python = |work: &'static str, module: &str| Subject {
        work,
        language: Language::Python,
        program: python_bin.clone(),
        args: vec!["-m".into(), "awslambdaric".into(), format!("{module}.handler").into()],
        dir: bench.join("python"),
        env: policy.clone(),
        event: sign_up.clone(),
    };
    Ok(vec![
        rust("pre-signup", "pre-signup", &PRE_SIGNUP_POLICY, sign_up.clone()),
        rust("post-confirmation", "post-confirmation", &group, reset),
        rust(
            report::GROUP_CALL,
            "post-confirmation",
            &group,
            serde_json::to_vec(&confirmation)?,
        ),
        rust(
            report::HOST_CERT_FOLDER,
            "post-confirmation",
            &group,
            serde_json::to_vec(&confirmation)?,
        ),
        rust(
            "custom-message",
            "custom-message",
            &[("APP_NAME", "Toyseven"), ("DEFAULT_LOCALE", "en")],
            fixture("custom-message", "signup.json")?,
        ),
        rust(
            "pre-token-generation",
            "pre-token-generation",
            &[
                (
                    "GROUP_SCOPES",
                    "admins=toyseven-api/admin toyseven-api/read;members=toyseven-api/read",
                ),
                ("CLIENT_SCOPES", "1example23456789=toyseven-api/admin toyseven-api/read"),
                ("ATTRIBUTE_CLAIMS", "custom:tenant_id=tenant_id"),
            ],
            fixture("pre-token-generation", "authentication.json")?,
        ),
        rust(report::FLOOR, "hello-echo", &[], sign_up.clone()),
        node("pre-signup", "pre-signup"),
        node(report::FLOOR, "echo"),
        python("pre-signup", "pre_signup"),
        python(report::FLOOR, "echo"),
    ])
}

/// A folder laid out as provided.al2023's `/etc/pki/tls/certs`: `ca-bundle.crt`, the PEM
/// bundle (this host's, the same public roots), and `ca-bundle.trust.crt`, the same
/// certificates in OpenSSL's trusted form, which rustls-native-certs reads and passes over
/// (here relabelled: `TRUSTED CERTIFICATE` sections of the same size).
fn al2023_certificates() -> Result<std::path::PathBuf> {
    let bundle = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]
        .into_iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
        .context("no CA bundle on this host to lay out as provided.al2023's")?;
    let folder = workspace_root().join("target/bench-run/al2023-certs");
    std::fs::create_dir_all(&folder)?;
    std::fs::write(folder.join("ca-bundle.crt"), &bundle)?;
    let trusted = bundle
        .replace("-----BEGIN CERTIFICATE-----", "-----BEGIN TRUSTED CERTIFICATE-----")
        .replace("-----END CERTIFICATE-----", "-----END TRUSTED CERTIFICATE-----");
    std::fs::write(folder.join("ca-bundle.trust.crt"), trusted)?;
    Ok(folder)
}

/// One invocation of each subject, before anything is timed: the same work must give the
/// same answer in every language, and the floors must echo. Returns the Rust functions'
/// event and answer sizes in bytes.
fn check_answers(harness: &Harness, subjects: &[Subject]) -> Result<Vec<(&'static str, usize, usize)>> {
    let mut reference = None;
    let mut sizes = Vec::new();
    for subject in subjects {
        let (_, answer) = harness.cold_start(subject)?;
        if subject.language == Language::Rust {
            sizes.push((subject.work, subject.event.len(), answer.len()));
        }
        let answer: Value = serde_json::from_slice(&answer)
            .with_context(|| format!("{} answered with something other than JSON", subject.name()))?;
        match subject.work {
            report::FLOOR => {
                let event: Value = serde_json::from_slice(&subject.event)?;
                ensure!(answer == event, "{} changed the event: {answer}", subject.name());
            }
            report::COMPARED if subject.language == Language::Rust => {
                ensure!(
                    answer["response"]["autoConfirmUser"] == true,
                    "pre-signup (Rust) did not auto-confirm: {answer}"
                );
                reference = Some(answer);
            }
            report::COMPARED => {
                let expected = reference.as_ref().context("the Rust pre-signup is measured first")?;
                ensure!(
                    &answer == expected,
                    "{} decided otherwise than the Rust function:\n{answer}\n{expected}",
                    subject.name()
                );
            }
            _ => {}
        }
    }
    Ok(sizes)
}

/// `COLD_STARTS` cold starts of every subject, interleaved round by round.
fn cold_starts(harness: &Harness, subjects: &[Subject]) -> Result<Vec<ColdRow>> {
    let mut samples = vec![Vec::with_capacity(COLD_STARTS); subjects.len()];
    for round in 1..=COLD_STARTS {
        eprintln!("==> cold starts, round {round} of {COLD_STARTS}");
        for (subject, times) in subjects.iter().zip(&mut samples) {
            times.push(harness.cold_start(subject)?.0);
        }
    }
    Ok(subjects
        .iter()
        .zip(samples)
        .map(|(subject, times)| ColdRow {
            work: subject.work,
            language: subject.language,
            summary: Summary::of(&times).expect("COLD_STARTS > 0"),
        })
        .collect())
}

/// `provisioner apply` on a fresh moto: on an empty account, again with nothing to do, and
/// after one field of the spec changed; calls from its report, wall time around the command.
fn provisioner(tools: &Tools, work: &Path, runtime: &tokio::runtime::Runtime) -> Result<Vec<ProvisionRow>> {
    let binary = workspace_root().join("target").join("debug").join("provisioner");
    let spec_text = std::fs::read_to_string(workspace_root().join("cognito.toml"))?;
    let changed = spec_text.replace("minimum_length = 8", "minimum_length = 10");
    ensure!(
        changed != spec_text,
        "cognito.toml has no `minimum_length = 8` to change"
    );
    let scenarios = [
        (report::EMPTY, &spec_text),
        (report::NO_OP, &spec_text),
        (report::ONE_FIELD, &changed),
    ];
    let mut calls = [(0, 0); 3];
    let mut walls = vec![Vec::new(); 3];
    for round in 1..=PROVISION_ROUNDS {
        eprintln!("==> provisioner, round {round} of {PROVISION_ROUNDS}");
        let dir = work.join(format!("provisioner-{round}"));
        std::fs::create_dir_all(&dir)?;
        let moto = Moto::start(tools, &dir)?;
        let config = sdk_config(&moto.endpoint());
        runtime
            .block_on(deploy_placeholders(&config, &FUNCTIONS))
            .map_err(anyhow::Error::msg)?;
        let spec = dir.join("cognito.toml");
        for (i, (scenario, text)) in scenarios.iter().enumerate() {
            std::fs::write(&spec, text)?;
            let started = Instant::now();
            let output = Command::new(&binary)
                .arg("--spec")
                .arg(&spec)
                .args(["--region", "us-east-1", "--endpoint-url", &moto.endpoint()])
                .args(["--output", "json", "apply"])
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env_remove("AWS_PROFILE")
                .output()?;
            walls[i].push(started.elapsed());
            if !output.status.success() {
                bail!("{scenario}: {}", String::from_utf8_lossy(&output.stderr));
            }
            let applied: Value = serde_json::from_slice(&output.stdout)?;
            let count = |kind: &str| applied["calls"][kind].as_u64().context("no call count in the report");
            calls[i] = (count("reads")?, count("writes")?);
        }
    }
    Ok(scenarios
        .iter()
        .zip(calls)
        .zip(walls)
        .map(|(((scenario, _), (reads, writes)), wall)| ProvisionRow {
            scenario,
            reads,
            writes,
            wall: Summary::of(&wall).expect("PROVISION_ROUNDS > 0"),
        })
        .collect())
}

/// Runs `cargo <args>` in the workspace root with its output shown, failing if it fails.
fn cargo(args: &[&str]) -> Result<()> {
    eprintln!("==> cargo {}", args.join(" "));
    let status = harness::cargo().args(args).status().context("could not run cargo")?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

fn command_line(program: impl AsRef<std::ffi::OsStr>, arg: &str) -> String {
    Command::new(program)
        .arg(arg)
        .output()
        .map(|o| {
            String::from_utf8_lossy(if o.stdout.is_empty() { &o.stderr } else { &o.stdout })
                .trim()
                .to_owned()
        })
        .unwrap_or_else(|_| "unknown".into())
}

fn machine(tools: &Tools) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let field = |text: &str, name: &str| {
        text.lines()
            .find_map(|line| {
                line.strip_prefix(name)?
                    .split_once(':')
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".into())
    };
    let memory_kib: f64 = field(&meminfo, "MemTotal")
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap_or(0.0);
    Machine {
        date: command_line("date", "-u").replace("  ", " "),
        cpu: field(&cpuinfo, "model name"),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory: format!("{:.0} GiB", memory_kib / 1024.0 / 1024.0),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        rustc: command_line("rustc", "-V"),
        node: command_line("node", "-v"),
        python: tools
            .bench_python()
            .map(|python| command_line(python, "--version"))
            .unwrap_or_default(),
    }
}

/// What the cold-start rows of post-confirmation say about its SDK client and the
/// certificate layout, whatever the goals.
fn cold_notes(report: &Report) -> Vec<String> {
    let cold = |work: &str| report.cold(work, Language::Rust).map(|summary| summary.median);
    let (Some(reset), Some(call), Some(host)) = (
        cold("post-confirmation"),
        cold(report::GROUP_CALL),
        cold(report::HOST_CERT_FOLDER),
    ) else {
        return Vec::new();
    };
    let files = std::fs::read_dir("/etc/ssl/certs").map_or(0, |dir| dir.count());
    vec![format!(
        "post-confirmation's first row is a confirmed password reset: no call, and no SDK client \
         (it is built at the first call that needs one). A confirmed sign-up builds the client and \
         calls AdminAddUserToGroup, which moto (a Python server) answers: its first answer comes \
         after {} with provided.al2023's two bundle files, {} over the reset's start, and after {} \
         with this host's `/etc/ssl/certs` ({files} entries: a file per certificate beside the \
         bundle, each of which rustls-native-certs reads), so that folder would cost {} more.",
        Human(call),
        Human(call.saturating_sub(reset)),
        Human(host),
        Human(host.saturating_sub(call)),
    )]
}

/// What this run's misses come from, as far as the run itself measured it.
fn notes(report: &Report, sizes: &[(&str, usize, usize)]) -> Vec<String> {
    let mut notes = Vec::new();
    let goals = report.goals();
    let missed = |start: &str| goals.iter().any(|g| !g.met && g.goal.starts_with(start));
    let cold = |work: &str| report.cold(work, Language::Rust).map(|summary| summary.median);
    let size = |binary: &str| {
        let path = workspace_root().join("target/release").join(binary);
        std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6)
    };
    if let (true, Some(start), Some(plain), Some(floor)) = (
        missed("pre-signup cold start"),
        cold("pre-signup"),
        cold("custom-message"),
        cold(report::FLOOR),
    ) && start > plain
    {
        notes.push(format!(
            "**pre-signup's start**: since account linking it links the AWS SDK for Cognito, so \
             its binary is {:.1} MB against custom-message's {:.1} MB and the floor's {:.1} MB. \
             The SDK client is built only when `LINK_EXTERNAL_USERS=verified` (not in this run), \
             but the loader maps and relocates the whole binary at every start: pre-signup \
             starts in {}, custom-message, which does comparable work without the SDK, in {}, \
             and the floor in {}.",
            size("pre-signup"),
            size("custom-message"),
            size("hello-echo"),
            Human(start),
            Human(plain),
            Human(floor),
        ));
    }
    if let (true, Some(start), Some(floor)) = (
        missed("post-confirmation cold start"),
        cold("post-confirmation"),
        cold(report::FLOOR),
    ) {
        let sibling = cold("pre-signup").map_or(String::new(), |pre_signup| {
            format!(
                " pre-signup, which links the same SDK and builds no client in this run either, \
                 starts in {}.",
                Human(pre_signup)
            )
        });
        notes.push(format!(
            "**post-confirmation's start**: its row is a confirmed password reset, which makes no \
             call, and the Cognito client is built at the first call that needs one, so this start \
             builds none. What it has over the {} floor ({} against {}, the goal leaves {}) is its \
             binary: {:.1} MB with the AWS SDK linked, against the floor's {:.1} MB, which the \
             loader maps and relocates at every start.{sibling}",
            Human(floor),
            Human(start),
            Human(floor),
            Human(floor / 2),
            size("post-confirmation"),
            size("hello-echo"),
        ));
    }
    for row in &report.handlers {
        if !missed(&format!("{} handler", row.function)) {
            continue;
        }
        let (event, answer) = sizes
            .iter()
            .find(|(work, ..)| *work == row.function)
            .map_or((0, 0), |(_, event, answer)| (*event, *answer));
        let floors = format!(
            "Parsing the event and serializing that same answer with no work between takes {}; \
             the handler takes {}, {:.2}x that floor. The goal's floor serializes only the event.",
            Human(row.answer_floor),
            Human(row.handler),
            bench::stats::ratio(row.handler, row.answer_floor),
        );
        // What the figures of this run show; no profile is claimed (the last ones predate the
        // intake that keeps the payload's texts).
        let why = match row.function {
            "custom-message" => format!(
                "(from this run's figures, not profiled): its answer, {answer} bytes against the \
                 event's {event}, holds the rendered email, whose text serde_json escapes as it \
                 writes it: the answer floor below, which does no work but write that answer, \
                 already takes most of the handler's time."
            ),
            "pre-token-generation" => format!(
                "(from this run's figures, not profiled): its answer is {answer} bytes against the \
                 event's {event}; beside reading the event, the handler builds the response typed, \
                 with the claims and scopes copied into both tokens, before it is serialized once."
            ),
            _ => format!(
                "(from this run's figures, not profiled): its answer is {answer} bytes against the \
                 event's {event}."
            ),
        };
        notes.push(format!("**{} handler time** {why} {floors}", row.function));
    }
    notes
}
