//! Installs the pinned tools into `.tools/` (git-ignored): the Python ones
//! (`tools/requirements.txt`: cargo-lambda, moto, cfn-lint) into a virtual environment at
//! `.tools/venv`, checkov (`tools/checkov-requirements.txt`) into `.tools/checkov`, the Node ones (`tools/package.json` and its lockfile: cognito-local) into
//! `.tools/node`. A stamp holding the pins each was installed from makes a re-run with
//! nothing changed take no time.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
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
    node_tools(tools)
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

fn node_tools(tools: &Tools) -> Result<()> {
    let source = workspace_root().join("tools");
    let lock = fs::read_to_string(source.join("package-lock.json")).context("cannot read tools/package-lock.json")?;
    let target = tools.root.join("node");
    let stamp = target.join("installed-package-lock.json");
    if up_to_date(&stamp, &lock, tools.cognito_local().is_ok()) {
        return Ok(());
    }
    fs::create_dir_all(&target)?;
    fs::copy(source.join("package.json"), target.join("package.json"))?;
    fs::copy(source.join("package-lock.json"), target.join("package-lock.json"))?;
    step(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel", "error"])
            .current_dir(&target),
    )
    .context("installing cognito-local needs Node.js 20 with npm")?;
    fs::write(&stamp, lock)?;
    Ok(())
}
