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

/// A pool with every setting of today's Cognito the spec has: its template passes cfn-lint,
/// checkov and `sam validate --lint` as the checked-in one does.
#[test]
fn a_template_with_every_new_resource_passes_cfn_lint_checkov_and_sam_validate() {
    let text = std::fs::read_to_string(workspace().join("cognito.toml"))
        .unwrap()
        .replace("mfa = \"off\"\n", "mfa = \"optional\"\ntier = \"plus\"\nthreat_protection = \"enforced\"\n")
        .replace("prefix = \"toyseven\"\n", "prefix = \"toyseven\"\n\n[domain.custom]\nname = \"auth.example.com\"\ncertificate_arn = \"arn:aws:acm:us-east-1:123456789012:certificate/abc\"\n")
        + "\n[pool.mfa_factors]\nsoftware_token = true\nsms = true\nemail = true\n\
           [pool.sms]\nsns_caller_arn = \"arn:aws:iam::123456789012:role/cognito-sms\"\nexternal_id = \"toyseven\"\n\
           [pool.email]\nsource_arn = \"arn:aws:ses:us-east-1:123456789012:identity/example.com\"\nfrom = \"noreply@example.com\"\n\
           [pool.sign_in_policy]\nallowed_first_auth_factors = [\"password\", \"email_otp\", \"sms_otp\", \"web_authn\"]\n\
           [pool.web_authn]\nrelying_party_id = \"auth.example.com\"\nfactor_configuration = \"multi_factor_with_user_verification\"\n\
           [[pool.log_delivery]]\nevent_source = \"user_notification\"\ndestination = \"arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito/toyseven\"\n\
           [[pool.log_delivery]]\nevent_source = \"user_auth_events\"\ndestination = \"arn:aws:s3:::toyseven-auth-events\"\n\
           [pool.risk_configuration]\ncompromised_credentials = \"block\"\nnotify = true\n\
           account_takeover = { low = \"no_action\", medium = \"mfa_if_configured\", high = \"block\" }\n";
    let (spec, _) = provisioner::spec::parse("cognito.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let functions = render::workspace_functions(workspace(), &spec).unwrap();
    let template = render::cloudformation(&spec, &functions);
    for kind in [
        "AWS::Cognito::ManagedLoginBranding",
        "AWS::Cognito::LogDeliveryConfiguration",
        "AWS::Cognito::UserPoolRiskConfigurationAttachment",
    ] {
        assert!(
            template["Resources"]
                .as_object()
                .unwrap()
                .values()
                .any(|r| r["Type"] == kind),
            "{kind}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    // Beside the checked-in one, so that its CodeUri ("..") names the workspace as it does.
    let path = workspace()
        .join("infra")
        .join(format!("modern-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string_pretty(&template).unwrap()).unwrap();
    let tools = harness::Tools::default();
    let lint = std::process::Command::new(tools.cfn_lint().unwrap())
        .arg(&path)
        .output()
        .unwrap();
    let checkov = std::process::Command::new(tools.checkov().unwrap())
        .args([
            "--framework",
            "cloudformation",
            "--compact",
            "--quiet",
            "--skip-download",
            "-f",
        ])
        .arg(&path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let sam = std::process::Command::new(tools.sam().unwrap())
        .args(["validate", "--lint", "--template"])
        .arg(&path)
        .envs(harness::Tools::sam_environment())
        .current_dir(dir.path())
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        sam.status.success(),
        "sam validate --lint: {}{}",
        String::from_utf8_lossy(&sam.stdout),
        String::from_utf8_lossy(&sam.stderr)
    );
    assert!(
        lint.status.success(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    assert!(
        checkov.status.success(),
        "checkov: {}{}",
        String::from_utf8_lossy(&checkov.stdout),
        String::from_utf8_lossy(&checkov.stderr)
    );
}
