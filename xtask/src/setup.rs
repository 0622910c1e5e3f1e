//! Installs the pinned tools into `.tools/` (git-ignored): the Python ones
//! (`tools/requirements.txt`: cargo-lambda, moto, cfn-lint) into a virtual environment at
//! `.tools/venv`, checkov (`tools/checkov-requirements.txt`) into `.tools/checkov`,
//! awslambdaric (`tools/bench/requirements.txt`) into `.tools/bench-python`, the Node ones
//! (`tools/package.json` and its lockfile: cognito-local) into `.tools/node`; for
//! `cargo xtask bench` only, aws-lambda-ric (`tools/bench/package.json`) into
//! `.tools/bench-node`. A stamp holding the pins each was installed from makes a re-run
//! with nothing changed take no time.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use e2e::{Tools, workspace_root};

use crate::step;

pub fn run(tools: &Tools) -> Result<()> {
    python_tools(
        tools,
        "requirements.txt",
        "venv",
        tools.cargo_lambda().is_ok() && tools.cfn_lint().is_ok() && tools.python().is_ok(),
    )?;
    python_tools(tools, "checkov-requirements.txt", "checkov", tools.checkov().is_ok())?;
    python_tools(
        tools,
        "bench/requirements.txt",
        "bench-python",
        tools.bench_python().is_ok(),
    )?;
    node_tools(
        tools,
        "",
        "node",
        "cognito-local",
        tools.cognito_local().is_ok(),
        || Ok(()),
    )
}

/// What `cargo xtask bench` needs on top: aws-lambda-ric, whose native client is built from
/// source with cmake and autotools (installed from Debian's packages when missing).
pub fn bench(tools: &Tools) -> Result<()> {
    run(tools)?;
    let installed = tools.bench_node_ric().is_ok();
    node_tools(
        tools,
        "bench",
        "bench-node",
        "aws-lambda-ric",
        installed,
        native_build_tools,
    )
}

/// What aws-lambda-ric's install script builds its native client with, installed from
/// Debian's packages when missing and running as root.
fn native_build_tools() -> Result<()> {
    let needed = ["cmake", "autoconf", "automake", "libtoolize", "make", "g++"];
    let missing: Vec<&str> = needed.into_iter().filter(|tool| !on_path(tool)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let packages = "cmake autoconf automake libtool make g++";
    if !(on_path("apt-get") && is_root()) {
        bail!(
            "building aws-lambda-ric's native client needs {}: install them (Debian: `apt-get install {packages}`) and run again",
            missing.join(", ")
        );
    }
    step(Command::new("apt-get").arg("update").arg("-q"))?;
    step(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(packages.split(' '))
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn on_path(program: &str) -> bool {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).any(|dir| dir.join(program).is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

/// Whether `stamp` records exactly `pins` (and the tool it guards is there).
fn up_to_date(stamp: &Path, pins: &str, installed: bool) -> bool {
    installed && fs::read_to_string(stamp).ok().as_deref() == Some(pins)
}

/// Installs `tools/<requirements>` into the virtual environment `.tools/<venv>`.
fn python_tools(tools: &Tools, requirements: &str, venv: &str, installed: bool) -> Result<()> {
    let requirements_path = workspace_root().join("tools").join(requirements);
    let requirements = fs::read_to_string(&requirements_path)
        .with_context(|| format!("cannot read {}", requirements_path.display()))?;
    let venv = tools.root.join(venv);
    let stamp = venv.join("installed-requirements.txt");
    if up_to_date(&stamp, &requirements, installed) {
        return Ok(());
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    step(Command::new(&python).args(["-m", "venv"]).arg(&venv))
        .context("creating the tools' virtual environment needs Python 3 with venv")?;
    step(
        Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements_path),
    )?;
    fs::write(&stamp, requirements)?;
    Ok(())
}

/// Installs `tools/<folder>/package.json` with its lockfile into `.tools/<target>`, after
/// `prepare` (whatever the install needs besides npm) when it is not up to date.
fn node_tools(
    tools: &Tools,
    folder: &str,
    target: &str,
    what: &str,
    installed: bool,
    prepare: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let source = workspace_root().join("tools").join(folder);
    let lock_path = source.join("package-lock.json");
    let lock = fs::read_to_string(&lock_path).with_context(|| format!("cannot read {}", lock_path.display()))?;
    let target = tools.root.join(target);
    let stamp = target.join("installed-package-lock.json");
    if up_to_date(&stamp, &lock, installed) {
        return Ok(());
    }
    prepare()?;
    fs::create_dir_all(&target)?;
    fs::copy(source.join("package.json"), target.join("package.json"))?;
    fs::copy(source.join("package-lock.json"), target.join("package-lock.json"))?;
    step(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel", "error"])
            .current_dir(&target),
    )
    .with_context(|| format!("installing {what} needs Node.js 20 with npm"))?;
    fs::write(&stamp, lock)?;
    Ok(())
}
