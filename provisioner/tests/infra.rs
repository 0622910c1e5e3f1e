//! The checked-in infrastructure as code must say what cognito.toml and the functions'
//! deploy settings say: re-render it and compare. (`cargo xtask test` then runs cfn-lint and
//! checkov on it.) To refresh: `cargo xtask render`.

use std::path::Path;

use provisioner::render;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn rendered() -> (serde_json::Value, std::collections::BTreeMap<String, serde_json::Value>) {
    let (spec, _) = provisioner::spec::load(&workspace().join("cognito.toml")).unwrap();
    let functions = render::workspace_functions(workspace(), &spec).unwrap();
    (
        render::cloudformation(&spec, &functions),
        render::policies(&spec, &functions),
    )
}

fn checked_in(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_template_is_current() {
    let (template, _) = rendered();
    assert_eq!(
        checked_in(&workspace().join("infra").join("template.json")),
        template,
        "infra/template.json is stale: run `cargo xtask render`"
    );
}

#[test]
fn the_policies_are_current() {
    let (_, policies) = rendered();
    let folder = workspace().join("infra").join("policies");
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        policies.keys().cloned().collect::<Vec<_>>(),
        "no stale or missing policy files"
    );
    for (name, document) in policies {
        assert_eq!(
            checked_in(&folder.join(&name)),
            document,
            "infra/policies/{name} is stale: run `cargo xtask render`"
        );
    }
}
