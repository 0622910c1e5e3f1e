//! The functions' log setup: lambda_runtime's default subscriber (level from
//! `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`'s directives, else INFO; JSON when
//! `AWS_LAMBDA_LOG_FORMAT=JSON`) with one cap added: lambda_runtime and its API client never log at TRACE, whatever the
//! level asks for, because at TRACE lambda_runtime logs every raw event it receives, and a
//! Cognito event carries the user's email, phone number and every other attribute.

use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::filter::{EnvFilter, FilterFn, LevelFilter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

use crate::config::var;

/// Whether an event or span from `metadata` may be logged at all. lambda_runtime logs the
/// raw invocation payload at TRACE (`raw JSON event received from Lambda`), so everything
/// its crates say at TRACE is dropped; their DEBUG and above stay.
pub fn loggable(metadata: &Metadata<'_>) -> bool {
    !(metadata.target().starts_with("lambda_runtime") && *metadata.level() == Level::TRACE)
}

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
        .without_time()
        .with_ansi(false)
        .with_writer(writer);
    if json {
        Box::new(base.with(format.json()))
    } else {
        Box::new(base.with(format))
    }
}

/// Installs [`subscriber`] over the process environment and stdout, where Lambda collects
/// logs. Call once, first thing in `main`.
pub fn init() {
    // A second call (only possible in tests) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber(crate::process_env, std::io::stdout));
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
}
