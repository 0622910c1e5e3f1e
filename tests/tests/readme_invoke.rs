//! The README's `cargo lambda invoke` examples, run as written against a real
//! `cargo lambda watch` serving the functions: they must keep working.
//!
//! Each example line may end with `# expect: <text>` (the invocation succeeds and prints
//! it) or `# expect-error: <text>` (the invocation fails and says it).

use e2e::local::watch::run_dir;
use e2e::{Tools, Watch};

struct Example {
    args: Vec<String>,
    expect: String,
    should_fail: bool,
}

fn readme_examples() -> Vec<Example> {
    let readme = std::fs::read_to_string(e2e::workspace_root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- invoke-examples:start -->")
        .expect("README has the invoke examples");
    let end = readme
        .find("<!-- invoke-examples:end -->")
        .expect("the invoke examples end");
    readme[start..end]
        .lines()
        .filter_map(|line| line.trim().strip_prefix("cargo lambda invoke "))
        .map(|line| {
            let (command, expectation) = line.split_once('#').expect("each example says what to expect");
            let expectation = expectation.trim();
            let (should_fail, expect) = match expectation.strip_prefix("expect-error:") {
                Some(text) => (true, text),
                None => (
                    false,
                    expectation
                        .strip_prefix("expect:")
                        .expect("`# expect:` or `# expect-error:`"),
                ),
            };
            Example {
                args: command.split_whitespace().map(str::to_owned).collect(),
                expect: expect.trim().to_owned(),
                should_fail,
            }
        })
        .collect()
}

#[test]
fn readme_invoke_examples_work_under_cargo_lambda_watch() {
    let examples = readme_examples();
    assert!(examples.len() >= 6, "the README shows every function");
    let watch = Watch::start(&Tools::default(), &run_dir("readme-invoke").unwrap(), &[]).unwrap();
    for example in examples {
        let args: Vec<&str> = example.args.iter().map(String::as_str).collect();
        let output = watch.invoke(&args).unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let described = format!(
            "cargo lambda invoke {}\nstdout: {stdout}\nstderr: {stderr}\nwatch log:\n{}",
            args.join(" "),
            watch.output()
        );
        assert_eq!(!output.status.success(), example.should_fail, "{described}");
        let printed = if example.should_fail { &stderr } else { &stdout };
        // The error is printed wrapped to the terminal width, and an answer keeps the layout
        // of the event's own JSON where it passes it through: compare without white space.
        let compact = |text: &str| -> String {
            text.split_whitespace()
                .filter(|w| *w != "│")
                .collect::<Vec<_>>()
                .concat()
        };
        assert!(
            compact(printed).contains(&compact(&example.expect)),
            "expected {:?} in the output of {described}",
            example.expect
        );
    }
}
