//! The functions' log setup: lambda_runtime's default subscriber (level from
//! `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`'s directives, else INFO; JSON when
//! `AWS_LAMBDA_LOG_FORMAT=JSON`, each JSON line with its RFC 3339 `timestamp`, which Lambda's
//! log-level filtering needs) with one cap added: lambda_runtime and its API client never log at TRACE, whatever the
//! level asks for, because at TRACE lambda_runtime logs every raw event it receives, and a
//! Cognito event carries the user's email, phone number and every other attribute.

use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::filter::{EnvFilter, FilterFn, LevelFilter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

use crate::config::var;

/// Whether an event or span from `metadata` may be logged at all.
///
/// - lambda_runtime logs the raw invocation payload at TRACE (`raw JSON event received from
///   Lambda`), so everything its crates say at TRACE is dropped; their DEBUG and above stay.
/// - lambda_runtime logs each error answer again at ERROR, as the error's Debug text and
///   nothing else (`Failure { kind: .., message: .. }`): every function already wrote the
///   invocation's one line, at its own level (a sign-up refused by policy is INFO, with its
///   outcome), so that second line is dropped. So is its line for a panic (`user handler
///   panicked`, the payload shown as `Any { .. }`): [`panic_hook`] has written the panic's
///   own line.
pub fn loggable(metadata: &Metadata<'_>) -> bool {
    let target = metadata.target();
    let raw_event = target.starts_with("lambda_runtime") && *metadata.level() == Level::TRACE;
    let runtime_error_line = target == HANDLER_ERROR_TARGET && *metadata.level() == Level::ERROR;
    !(raw_event || runtime_error_line)
}

/// The panic hook every function installs: one ERROR line through the function's subscriber
/// (`error_type` `Panic` and its `location`), in place of Rust's default, which writes the
/// message raw to stderr, where Lambda makes a log line of each of its lines: text a panic
/// quoted could start a forged line with a newline. The message is logged (escaped, as
/// `panic`) only when it is the program's own text (`panic!("literal")`); a formatted one
/// (an `unwrap` on an error, `panic!("{x}")`) may quote an attribute's value, an email, so
/// only its length is.
pub fn panic_hook(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info.payload();
    let panic: String = match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(literal), _) => literal.chars().flat_map(char::escape_debug).collect(),
        (None, Some(formatted)) => format!("(a formatted message of {} bytes, not logged)", formatted.len()),
        (None, None) => "(not a string)".to_owned(),
    };
    let location = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default();
    tracing::error!(error_type = "Panic", %location, %panic, "the handler panicked");
}

/// The module of lambda_runtime that logs a handler's error answer and its panics.
const HANDLER_ERROR_TARGET: &str = "lambda_runtime::layers::panic";

/// The subscriber every function installs at cold start, reading its settings through
/// `lookup` and writing to `writer`.
pub fn subscriber<W>(lookup: impl Fn(&str) -> Option<String>, writer: W) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    // Lambda's log level, when set, is the whole filter (it is what the console and
    // CloudWatch show as the function's level); otherwise RUST_LOG's directives.
    let directives = match var(&lookup, "AWS_LAMBDA_LOG_LEVEL") {
        Some(level) if level.eq_ignore_ascii_case("fatal") => "error".to_owned(),
        Some(level) => level,
        None => var(&lookup, "RUST_LOG").unwrap_or_default(),
    };
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .parse_lossy(directives);
    let json = var(&lookup, "AWS_LAMBDA_LOG_FORMAT").is_some_and(|format| format.eq_ignore_ascii_case("json"));
    let base = tracing_subscriber::registry()
        .with(filter)
        .with(FilterFn::new(loggable));
    let format = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(false)
        .with_writer(writer);
    if json {
        // Lambda's log-level filtering reads a JSON line's `level` only beside a valid RFC 3339
        // `timestamp`; without one it files the line as INFO, and an application log level of
        // WARN or ERROR would then drop the alarm lines. The UTC time tracing writes
        // (`2026-12-02T18:36:18.123456Z`) is one.
        Box::new(base.with(format.json()))
    } else {
        // CloudWatch stamps each plain line itself.
        Box::new(base.with(format.without_time()))
    }
}

/// Installs [`subscriber`] over the process environment and stdout, where Lambda collects
/// logs. Call once, first thing in `main`.
pub fn init() {
    // A second call (only possible in tests) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber(crate::process_env, std::io::stdout));
    std::panic::set_hook(Box::new(panic_hook));
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::lookup_in;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What the subscriber writes for a TRACE event from lambda_runtime's own module (the
    /// target its raw-event line carries) and one from a function, at `vars`.
    ///
    /// This runs the subscriber and its filters as `init` installs them; the binaries' tests
    /// (`the_binary_never_logs_the_raw_event`) run lambda_runtime's real code path.
    fn logged(vars: &[(&str, &str)]) -> String {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = subscriber(lookup_in(vars), move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(
                target: "lambda_runtime::layers::api_response",
                body = r#"{"email":"jane.doe@example.com"}"#,
                "raw JSON event received from Lambda"
            );
            tracing::debug!(target: "lambda_runtime::runtime", "runtime debug line");
            tracing::trace!(target: "pre_signup", "function trace line");
            tracing::info!(target: "pre_signup", "function info line");
        });
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn lambda_runtime_never_logs_at_trace_whatever_the_level_asks() {
        for vars in [
            &[("RUST_LOG", "trace")][..],
            &[("AWS_LAMBDA_LOG_LEVEL", "TRACE")],
            &[("RUST_LOG", "lambda_runtime=trace,lambda_runtime::layers=trace")],
            &[("AWS_LAMBDA_LOG_LEVEL", "trace"), ("AWS_LAMBDA_LOG_FORMAT", "JSON")],
        ] {
            let logs = logged(vars);
            assert!(!logs.contains("jane.doe"), "{vars:?}: {logs}");
            assert!(!logs.contains("raw JSON event"), "{vars:?}: {logs}");
            assert!(logs.contains("runtime debug line"), "{vars:?}: DEBUG stays: {logs}");
        }
        let logs = logged(&[("RUST_LOG", "trace")]);
        assert!(logs.contains("function trace line"), "TRACE is on for the rest: {logs}");
    }

    #[test]
    fn lambda_runtimes_lines_for_an_error_answer_and_a_panic_are_dropped_and_the_functions_kept() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = subscriber(lookup_in(&[]), move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            // The two lines lambda_runtime's panic layer writes, as it writes them.
            tracing::error!(target: "lambda_runtime::layers::panic", "Failure {{ kind: \"SignUpRejected\" }}");
            tracing::error!(target: "lambda_runtime::layers::panic", error = ?"boom", "user handler panicked");
            tracing::error!(target: "pre_signup", "a function's own error line");
        });
        let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert!(!logs.contains("SignUpRejected"), "{logs}");
        assert!(!logs.contains("user handler panicked"), "{logs}");
        assert!(logs.contains("a function's own error line"), "{logs}");
    }

    #[test]
    fn a_panic_is_one_error_line_its_own_text_escaped_and_a_formatted_message_never_logged() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = subscriber(lookup_in(&[("AWS_LAMBDA_LOG_FORMAT", "JSON")]), move || writer.clone());
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(panic_hook));
        let caught = tracing::subscriber::with_default(subscriber, || {
            let literal = std::panic::catch_unwind(|| panic!("x\n{{\"fields\":{{\"outcome\":\"linked\"}}}}"));
            let formatted = std::panic::catch_unwind(|| {
                let email = "victim@example.com";
                panic!("bad value {email}")
            });
            literal.is_err() && formatted.is_err()
        });
        std::panic::set_hook(previous);
        assert!(caught);
        let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = logs.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "one line each, the newline escaped: {logs}");
        for line in &lines {
            assert_eq!(line["level"], "ERROR", "{line}");
            assert_eq!(line["fields"]["error_type"], "Panic", "{line}");
            assert!(line["fields"].get("outcome").is_none(), "{line}");
            assert!(
                line["fields"]["location"].as_str().unwrap().contains("logging.rs"),
                "{line}"
            );
        }
        let literal = lines[0]["fields"]["panic"].as_str().unwrap();
        assert!(literal.starts_with("x\\n{\\\"fields"), "{literal}");
        assert!(!logs.contains("victim"), "{logs}");
        assert_eq!(
            lines[1]["fields"]["panic"], "(a formatted message of 28 bytes, not logged)",
            "{logs}"
        );
    }

    #[test]
    fn the_level_comes_from_lambda_then_rust_log_then_info() {
        let logs = logged(&[]);
        assert!(
            logs.contains("function info line") && !logs.contains("debug line"),
            "{logs}"
        );
        let logs = logged(&[("AWS_LAMBDA_LOG_LEVEL", "WARN"), ("RUST_LOG", "trace")]);
        assert!(!logs.contains("function info line"), "{logs}");
        let logs = logged(&[("AWS_LAMBDA_LOG_FORMAT", "json")]);
        assert!(logs.starts_with('{') && logs.contains("\"level\":\"INFO\""), "{logs}");
    }

    /// Lambda files a JSON line without a valid RFC 3339 `timestamp` as INFO whatever its
    /// `level` says, so an application log level of ERROR would drop the alarm lines.
    #[test]
    fn json_lines_carry_an_rfc_3339_timestamp_beside_their_level() {
        let logs = logged(&[("AWS_LAMBDA_LOG_FORMAT", "JSON"), ("AWS_LAMBDA_LOG_LEVEL", "INFO")]);
        let line: serde_json::Value = serde_json::from_str(logs.lines().next().unwrap()).unwrap();
        assert_eq!(line["level"], "INFO", "{line}");
        let stamp = line["timestamp"]
            .as_str()
            .unwrap_or_else(|| panic!("no timestamp: {line}"));
        // RFC 3339's date-time: full-date "T" full-time, here in UTC.
        let bytes = stamp.as_bytes();
        let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
        assert!(
            stamp.len() >= 20
                && digits(0..4)
                && bytes[4] == b'-'
                && digits(5..7)
                && bytes[7] == b'-'
                && digits(8..10)
                && bytes[10] == b'T'
                && digits(11..13)
                && bytes[13] == b':'
                && digits(14..16)
                && bytes[16] == b':'
                && digits(17..19)
                && stamp.ends_with('Z'),
            "{stamp}"
        );
        let plain = logged(&[]);
        assert!(
            plain.starts_with(" INFO") || plain.starts_with("INFO"),
            "plain lines carry no time: {plain}"
        );
    }
}
