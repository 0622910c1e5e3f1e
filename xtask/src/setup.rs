//! Installs the pinned tools into `.tools/` (git-ignored), each command only what it uses,
//! saying for each install what the tool is and why it is needed. A stamp holding the pins
//! each was installed from makes a re-run with nothing changed take no time.
//!
//! - cargo-lambda (`tools/requirements.txt`) into `.tools/venv`: local, package, deploy,
//!   test, bench;
//! - cognito-local (`tools/package.json` and its lockfile) into `.tools/node`: local, test;
//! - moto and cfn-lint (`tools/test-requirements.txt`) into `.tools/test`: test, bench;
//! - checkov (`tools/checkov-requirements.txt`) into `.tools/checkov`: test;
//! - the AWS SAM CLI (`tools/sam-requirements.txt`) into `.tools/sam`: test;
//! - awslambdaric (`tools/bench/requirements.txt`) into `.tools/bench-python`: test, bench;
//! - aws-lambda-ric (`tools/bench/package.json`) into `.tools/bench-node`: bench only;
//! - headless Chromium and chromedriver from Debian's packages (`chromium`,
//!   `chromium-driver`), when missing and running as root: test (the browser test).

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use harness::{Tools, workspace_root};

use crate::step;

/// A pinned tool set: what it is, why it is installed, where its pins are and where it goes.
struct Install {
    /// The top-level packages, as the pins file names them.
    packages: &'static [&'static str],
    why: &'static str,
    /// The pins, under `tools/`.
    pins: &'static str,
    /// The folder under `.tools/`.
    into: &'static str,
}

const CARGO_LAMBDA: Install = Install {
    packages: &["cargo-lambda"],
    why: "builds the functions (Zig cross-links them for arm64) and serves them behind the Lambda Invoke API",
    pins: "requirements.txt",
    into: "venv",
};

const COGNITO_LOCAL: Install = Install {
    packages: &["cognito-local"],
    why: "the Cognito API (sign-up, hosted login, tokens, JWKS) the local stack runs on",
    pins: "package.json",
    into: "node",
};

const TEST_SERVERS: Install = Install {
    packages: &["moto[server]", "cfn-lint"],
    why: "the AWS API (Cognito, Lambda, IAM) the provisioner and deploy tests run against, and the template's linter",
    pins: "test-requirements.txt",
    into: "test",
};

const CHECKOV: Install = Install {
    packages: &["checkov"],
    why: "security checks on infra/template.json (a virtual environment of its own: its dependencies conflict with moto's)",
    pins: "checkov-requirements.txt",
    into: "checkov",
};

const SAM: Install = Install {
    packages: &["aws-sam-cli"],
    why: "`sam validate --lint` of infra/template.json, as SAM reads it (a virtual environment of its own)",
    pins: "sam-requirements.txt",
    into: "sam",
};

const BENCH_PYTHON: Install = Install {
    packages: &["awslambdaric"],
    why: "the Python runtime client the benchmark and its tests run the Python function with",
    pins: "bench/requirements.txt",
    into: "bench-python",
};

const BENCH_NODE: Install = Install {
    packages: &["aws-lambda-ric"],
    why: "the Node.js runtime client the benchmark runs the Node.js function with (its native client builds from source)",
    pins: "bench/package.json",
    into: "bench-node",
};

/// What `cargo xtask local` needs: cargo-lambda and cognito-local.
pub fn local(tools: &Tools) -> Result<()> {
    lambda(tools)?;
    node_tools(tools, &COGNITO_LOCAL, tools.cognito_local().is_ok(), || Ok(()))
}

/// What `cargo xtask package` and `deploy` need: cargo-lambda.
pub fn lambda(tools: &Tools) -> Result<()> {
    python_tools(tools, &CARGO_LAMBDA, tools.cargo_lambda().is_ok())
}

/// What `cargo xtask test` needs (and `cargo xtask setup` installs): every tool but the
/// benchmark's Node.js client.
pub fn all(tools: &Tools) -> Result<()> {
    local(tools)?;
    python_tools(tools, &TEST_SERVERS, tools.python().is_ok() && tools.cfn_lint().is_ok())?;
    python_tools(tools, &CHECKOV, tools.checkov().is_ok())?;
    python_tools(tools, &SAM, tools.sam().is_ok())?;
    python_tools(tools, &BENCH_PYTHON, tools.bench_python().is_ok())?;
    browser()
}

/// The browser the browser test drives: Debian's Chromium and its chromedriver, installed
/// from Debian's packages when missing and running as root (CI's fresh machine).
fn browser() -> Result<()> {
    if harness::browser::chromium().is_ok() && harness::browser::chromedriver().is_ok() {
        return Ok(());
    }
    let packages = harness::browser::PACKAGES;
    if !(on_path("apt-get") && is_root()) {
        bail!(
            "the browser test drives headless Chromium through chromedriver: install them (Debian: `apt-get install {}`) and run again",
            packages.join(" ")
        );
    }
    eprintln!(
        "==> installing {} from Debian's packages: the browser test signs in through the hosted UI in headless Chromium",
        packages.join(" and ")
    );
    step(Command::new("apt-get").arg("update").arg("-q"))?;
    step(
        Command::new("apt-get")
            // With the recommended fonts, so that pages (and screenshots) show their text.
            .args(["install", "-y", "-q"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// What `cargo xtask bench` needs: cargo-lambda (for the zips), moto and both runtime
/// clients (aws-lambda-ric's native client is built with cmake and autotools, installed from
/// Debian's packages when missing).
pub fn bench(tools: &Tools) -> Result<()> {
    lambda(tools)?;
    python_tools(tools, &TEST_SERVERS, tools.python().is_ok() && tools.cfn_lint().is_ok())?;
    python_tools(tools, &BENCH_PYTHON, tools.bench_python().is_ok())?;
    node_tools(tools, &BENCH_NODE, tools.bench_node_ric().is_ok(), native_build_tools)
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
    eprintln!("==> installing {packages} from Debian's packages: aws-lambda-ric builds its native client with them");
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

/// `name version` for each of `install`'s packages, read from its pins (`name==version` lines
/// or a package.json's `"name": "version"`).
fn described(install: &Install, pins: &str) -> String {
    let version = |package: &str| {
        let python = pins
            .lines()
            .find_map(|line| line.strip_prefix(package)?.strip_prefix("=="));
        let node = || {
            let after = pins.split_once(&format!("\"{package}\": \""))?.1;
            after.split_once('"').map(|(version, _)| version)
        };
        python.or_else(node).unwrap_or("(version unpinned)").trim().to_owned()
    };
    let packages: Vec<String> = install
        .packages
        .iter()
        .map(|package| format!("{package} {}", version(package)))
        .collect();
    format!(
        "{} into .tools/{}: {}",
        packages.join(" and "),
        install.into,
        install.why
    )
}

/// Installs `tools/<pins>` into the virtual environment `.tools/<into>`.
fn python_tools(tools: &Tools, install: &Install, installed: bool) -> Result<()> {
    let requirements_path = workspace_root().join("tools").join(install.pins);
    let requirements = fs::read_to_string(&requirements_path)
        .with_context(|| format!("cannot read {}", requirements_path.display()))?;
    let venv = tools.root.join(install.into);
    let stamp = venv.join("installed-requirements.txt");
    if up_to_date(&stamp, &requirements, installed) {
        return Ok(());
    }
    eprintln!("==> installing {}", described(install, &requirements));
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

/// Installs `tools/<pins>` (a package.json) with its lockfile into `.tools/<into>`, after
/// `prepare` (whatever the install needs besides npm) when it is not up to date.
fn node_tools(tools: &Tools, install: &Install, installed: bool, prepare: impl FnOnce() -> Result<()>) -> Result<()> {
    let package_path = workspace_root().join("tools").join(install.pins);
    let source = package_path.parent().context("a package.json sits in a folder")?;
    let lock_path = source.join("package-lock.json");
    let lock = fs::read_to_string(&lock_path).with_context(|| format!("cannot read {}", lock_path.display()))?;
    let target = tools.root.join(install.into);
    let stamp = target.join("installed-package-lock.json");
    if up_to_date(&stamp, &lock, installed) {
        return Ok(());
    }
    let package =
        fs::read_to_string(&package_path).with_context(|| format!("cannot read {}", package_path.display()))?;
    eprintln!("==> installing {}", described(install, &package));
    prepare()?;
    fs::create_dir_all(&target)?;
    fs::copy(&package_path, target.join("package.json"))?;
    fs::copy(&lock_path, target.join("package-lock.json"))?;
    step(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel", "error"])
            .current_dir(&target),
    )
    .with_context(|| format!("installing {} needs Node.js 20 with npm", install.packages.join(", ")))?;
    fs::write(&stamp, lock)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_install_names_its_pinned_versions() {
        for install in [
            &CARGO_LAMBDA,
            &COGNITO_LOCAL,
            &TEST_SERVERS,
            &CHECKOV,
            &BENCH_PYTHON,
            &BENCH_NODE,
        ] {
            let pins = fs::read_to_string(workspace_root().join("tools").join(install.pins)).unwrap();
            let text = described(install, &pins);
            assert!(!text.contains("unpinned"), "{text}");
            assert!(text.contains(&format!(".tools/{}", install.into)), "{text}");
        }
        let pins = fs::read_to_string(workspace_root().join("tools/requirements.txt")).unwrap();
        assert!(described(&CARGO_LAMBDA, &pins).starts_with("cargo-lambda 1."));
    }
}
