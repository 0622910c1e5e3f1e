//! Where the project's pinned tools are installed (`.tools/`, git-ignored; `cargo xtask`
//! fills it from `tools/`, each command with what it needs).

use std::path::{Path, PathBuf};

use crate::HarnessError;

/// The workspace root (this crate is `xtask/harness`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the harness sits two folders below the workspace root")
        .to_path_buf()
}

/// Paths of the installed tools.
#[derive(Debug, Clone)]
pub struct Tools {
    pub root: PathBuf,
}

impl Default for Tools {
    fn default() -> Self {
        Self {
            root: workspace_root().join(".tools"),
        }
    }
}

impl Tools {
    /// The virtual environment holding cargo-lambda (and the Zig it cross-links with).
    pub fn venv_bin(&self) -> PathBuf {
        self.root.join("venv").join("bin")
    }

    /// The virtual environment holding the test servers and checkers: moto and cfn-lint.
    pub fn test_venv_bin(&self) -> PathBuf {
        self.root.join("test").join("bin")
    }

    /// `cargo-lambda`, checked to exist.
    pub fn cargo_lambda(&self) -> Result<PathBuf, HarnessError> {
        self.require("cargo-lambda", self.venv_bin().join("cargo-lambda"))
    }

    /// The Python of the test tools' virtual environment (with moto), checked to exist.
    pub fn python(&self) -> Result<PathBuf, HarnessError> {
        self.require("moto", self.test_venv_bin().join("moto_server"))?;
        Ok(self.test_venv_bin().join("python"))
    }

    /// The node_modules folder holding cognito-local, checked to exist.
    pub fn cognito_local(&self) -> Result<PathBuf, HarnessError> {
        let modules = self.root.join("node").join("node_modules");
        self.require("cognito-local", modules.join("cognito-local").join("package.json"))?;
        Ok(modules)
    }

    /// cfn-lint, from the test tools' virtual environment, checked to exist.
    pub fn cfn_lint(&self) -> Result<PathBuf, HarnessError> {
        self.require("cfn-lint", self.test_venv_bin().join("cfn-lint"))
    }

    /// checkov, from its own virtual environment, checked to exist.
    pub fn checkov(&self) -> Result<PathBuf, HarnessError> {
        self.require("checkov", self.root.join("checkov").join("bin").join("checkov"))
    }

    /// The AWS SAM CLI, from its own virtual environment, checked to exist. Run it with
    /// [`Tools::sam_environment`].
    pub fn sam(&self) -> Result<PathBuf, HarnessError> {
        self.require("sam", self.root.join("sam").join("bin").join("sam"))
    }

    /// What `sam` runs with here: no telemetry (only loopback and the registries are
    /// reachable), and a region, which `sam validate` needs but `--lint` never calls.
    pub fn sam_environment() -> [(&'static str, &'static str); 2] {
        [("SAM_CLI_TELEMETRY", "0"), ("AWS_DEFAULT_REGION", "us-east-1")]
    }

    /// The Python of the benchmarks' virtual environment, with awslambdaric (the Python
    /// Runtime Interface Client), checked to exist.
    pub fn bench_python(&self) -> Result<PathBuf, HarnessError> {
        let venv = self.root.join("bench-python");
        // Written by setup once the install has succeeded.
        self.require("awslambdaric", venv.join("installed-requirements.txt"))?;
        Ok(venv.join("bin").join("python"))
    }

    /// aws-lambda-ric's entry script (the Node.js Runtime Interface Client, with its native
    /// client built), checked to exist; installed by `cargo xtask bench` only.
    pub fn bench_node_ric(&self) -> Result<PathBuf, HarnessError> {
        let package = self.root.join("bench-node").join("node_modules").join("aws-lambda-ric");
        self.require("aws-lambda-ric", package.join("dist").join("rapid-client.node"))?;
        Ok(package.join("bin").join("index.mjs"))
    }

    /// A PATH with the tools first, so `cargo lambda` finds cargo-lambda and its Zig.
    pub fn path_env(&self) -> std::ffi::OsString {
        let mut paths = vec![self.venv_bin()];
        paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        std::env::join_paths(paths).expect("tool paths hold no separator")
    }

    fn require(&self, tool: &'static str, path: PathBuf) -> Result<PathBuf, HarnessError> {
        if path.exists() {
            Ok(path)
        } else {
            Err(HarnessError::ToolMissing {
                tool,
                path: path.display().to_string(),
            })
        }
    }
}
