//! Installs the pinned tools: the Python ones (`tools/requirements.txt`) into a virtual
//! environment at `.tools/venv`. A stamp holding the requirements it was built from makes a
//! re-run with nothing changed take no time.

use std::fs;
use std::process::Command;

use anyhow::{Context, Result};
use e2e::{Tools, workspace_root};

use crate::step;

pub fn run(tools: &Tools) -> Result<()> {
    python_tools(tools)
}

fn python_tools(tools: &Tools) -> Result<()> {
    let requirements_path = workspace_root().join("tools").join("requirements.txt");
    let requirements = fs::read_to_string(&requirements_path)
        .with_context(|| format!("cannot read {}", requirements_path.display()))?;
    let venv = tools.root.join("venv");
    let stamp = venv.join("installed-requirements.txt");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(requirements.as_str())
        && tools.cargo_lambda().is_ok()
    {
        return Ok(());
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    step(Command::new(&python).args(["-m", "venv"]).arg(&venv))
        .context("creating the tools' virtual environment needs Python 3 with venv")?;
    let pip = tools.venv_bin().join("pip");
    step(
        Command::new(&pip)
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements_path),
    )?;
    fs::write(&stamp, requirements)?;
    Ok(())
}
