//! The deploy path against moto's server (Lambda, IAM and Cognito), the same code
//! `cargo xtask deploy` runs: arm64 zips built by cargo-lambda, deployed with
//! `cargo lambda deploy`, then provisioned. After it, the pool's LambdaConfig points at the
//! deployed functions, each function's resource policy lets only cognito-idp.amazonaws.com
//! from that pool invoke it, and each role allows no more than its function needs.

use aws_sdk_cognitoidentityprovider as cognito;
use aws_sdk_iam as iam;
use aws_sdk_lambda as lambda;
use e2e::deploy::{self, Target};
use e2e::{Moto, Tools};
use serde_json::Value;

const REGION: &str = "us-east-1";

#[tokio::test]
async fn deploy_then_provision_wires_each_function_with_least_privilege() {
    let tools = Tools::default();
    let zips = deploy::package(&tools).expect("the arm64 zips build");
    for zip in &zips {
        assert!(
            zip.bytes <= zip.budget,
            "{} is {} bytes, over {}",
            zip.function,
            zip.bytes,
            zip.budget
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start(&tools, dir.path()).unwrap();
    // The project's spec, with pre-token generation wired too, so that every function is
    // deployed.
    let spec = dir.path().join("cognito.toml");
    let text = std::fs::read_to_string(e2e::workspace_root().join("cognito.toml")).unwrap();
    let text = text.replace(
        "custom_message = \"custom-message\"\n",
        "custom_message = \"custom-message\"\npre_token_generation = { function = \"pre-token-generation\", version = \"V2_0\" }\n",
    );
    assert!(text.contains("pre_token_generation"), "the spec's [triggers] moved");
    std::fs::write(&spec, text).unwrap();
    let target = Target {
        spec: Some(spec),
        connection: provisioner::aws::Connection {
            region: Some(REGION.into()),
            endpoint_url: Some(moto.endpoint()),
            credentials: Some(("testing".into(), "testing".into())),
            ..Default::default()
        },
        ..Target::default()
    };
    let deployed = deploy::deploy(&tools, &target)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", moto.output()));
    let pool_id = deployed.user_pool_id.clone();

    let config = e2e::sdk_config(&moto.endpoint());
    let cognito = cognito::Client::new(&config);
    let lambda = lambda::Client::new(&config);
    let iam = iam::Client::new(&config);
    let pool = cognito
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let pool_arn = pool.arn().unwrap().to_owned();
    let lambda_config = pool.lambda_config().unwrap();

    for (function, _) in deploy::FUNCTIONS {
        let found = lambda.get_function().function_name(function).send().await.unwrap();
        let configuration = found.configuration().unwrap();
        let arn = configuration.function_arn().unwrap();
        assert_eq!(
            configuration.runtime().map(|r| r.as_str()),
            Some("provided.al2023"),
            "{function}"
        );
        assert_eq!(
            configuration
                .architectures()
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>(),
            ["arm64"]
        );
        assert_eq!(configuration.timeout(), Some(5), "Cognito waits 5 s at most");
        assert_eq!(configuration.memory_size(), Some(128));
        assert!(
            configuration
                .role()
                .unwrap()
                .ends_with(&format!(":role/{function}-role"))
        );

        let wired = match function {
            "pre-signup" => lambda_config.pre_sign_up(),
            "post-confirmation" => lambda_config.post_confirmation(),
            "custom-message" => lambda_config.custom_message(),
            "pre-token-generation" => lambda_config.pre_token_generation_config().map(|c| c.lambda_arn()),
            other => panic!("{other} is wired to no trigger this test knows"),
        };
        assert_eq!(
            wired,
            Some(arn.trim_end_matches(":$LATEST")),
            "{function} is wired into the pool"
        );

        let policy: Value = serde_json::from_str(
            lambda
                .get_policy()
                .function_name(function)
                .send()
                .await
                .unwrap()
                .policy()
                .unwrap(),
        )
        .unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 1, "{function}: {policy}");
        let statement = &statements[0];
        assert_eq!(statement["Principal"]["Service"], "cognito-idp.amazonaws.com");
        assert_eq!(statement["Action"], "lambda:InvokeFunction");
        assert_eq!(statement["Condition"]["ArnLike"]["AWS:SourceArn"], pool_arn.as_str());
        assert_eq!(
            statement["Condition"]["StringEquals"]["AWS:SourceAccount"],
            "123456789012"
        );

        let role_policy = iam
            .get_role_policy()
            .role_name(format!("{function}-role"))
            .policy_name("least-privilege")
            .send()
            .await
            .unwrap();
        let document = urlencoding_decode(role_policy.policy_document());
        let document: Value = serde_json::from_str(&document).unwrap();
        let text = document.to_string();
        assert!(
            text.contains(&format!("log-group:/aws/lambda/{function}:*")),
            "{function}: {text}"
        );
        if function == "post-confirmation" {
            let cognito_statement = document["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["Action"] == "cognito-idp:AdminAddUserToGroup")
                .expect("post-confirmation may add users to groups");
            assert_eq!(cognito_statement["Resource"], pool_arn.as_str(), "on its own pool only");
        } else {
            assert!(
                !text.contains("cognito-idp"),
                "{function} needs nothing but logs: {text}"
            );
        }
    }

    // A second deploy converges: the functions' code uploaded again (a deploy always does),
    // and nothing else written: no role, no provisioner change, no role policy.
    let again = deploy::deploy(&tools, &target).await.unwrap();
    assert_eq!(again.user_pool_id, pool_id);
    assert_eq!(again.provisioner_writes, 0, "{:?}", again.done);
    let expected: Vec<String> = deploy::FUNCTIONS
        .iter()
        .map(|(function, _)| {
            format!("deployed function {function} (role arn:aws:iam::123456789012:role/{function}-role)")
        })
        .collect();
    assert_eq!(again.done, expected);
}

/// IAM returns policy documents URL-encoded.
fn urlencoding_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}
