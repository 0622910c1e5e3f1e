//! The README's CloudWatch Logs Insights queries, read and run against the lines the
//! functions write, so a test can prove that each query finds what it says and nothing else.
//!
//! This is a small evaluator of the part of the Logs Insights language the README uses, not
//! the service: the commands `fields`, `filter`, `stats`, `sort`, `display` and `limit`;
//! filters of `and`, `or`, `not`, parentheses, `ispresent(field)`, `field = "text"`,
//! `field != "text"`, `field like /regex/` and `field like "substring"`. A line is an event
//! as Logs Insights sees one: `@message` is the line, and a line that is a JSON object has
//! its members as discovered fields, nested ones joined by `.` (`fields.alarm`). Anything
//! else in a query is an error, so a query that uses more than this evaluates nothing
//! silently.

use serde_json::Value;

/// One query: its commands in order.
#[derive(Debug, Clone)]
pub struct Query {
    pub text: String,
    commands: Vec<Command>,
}

#[derive(Debug, Clone)]
enum Command {
    /// `fields`, `display`, `sort`, `stats`: the fields they name must exist in a line they
    /// are to show.
    Names(Vec<String>),
    Filter(Expr),
    Limit,
}

#[derive(Debug, Clone)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    IsPresent(String),
    Equals(String, String),
    Like(String, regex_lite::Regex),
    Contains(String, String),
}

/// The fields Logs Insights makes for every event; only `@message` has a value here.
const SYSTEM_FIELDS: [&str; 5] = ["@message", "@timestamp", "@ingestionTime", "@logStream", "@log"];

impl Query {
    /// Parses `text`, or says what in it this evaluator does not know.
    pub fn parse(text: &str) -> Result<Self, String> {
        let commands = split_commands(text)?
            .into_iter()
            .map(|command| parse_command(&command))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            text: text.to_owned(),
            commands,
        })
    }

    /// Whether every `filter` of the query keeps `line`.
    pub fn matches(&self, line: &str) -> bool {
        let event = Event::of(line);
        self.commands.iter().all(|command| match command {
            Command::Filter(expr) => expr.holds(&event),
            Command::Names(_) | Command::Limit => true,
        })
    }

    /// The fields the query shows, counts or sorts by that `line` does not have.
    pub fn missing_fields(&self, line: &str) -> Vec<String> {
        let event = Event::of(line);
        self.commands
            .iter()
            .filter_map(|command| match command {
                Command::Names(names) => Some(names),
                Command::Filter(_) | Command::Limit => None,
            })
            .flatten()
            .filter(|name| !event.has(name))
            .cloned()
            .collect()
    }
}

/// A log line as Logs Insights reads it.
struct Event<'a> {
    message: &'a str,
    json: Option<Value>,
}

impl<'a> Event<'a> {
    fn of(line: &'a str) -> Self {
        let json = serde_json::from_str::<Value>(line).ok().filter(Value::is_object);
        Self { message: line, json }
    }

    fn has(&self, name: &str) -> bool {
        SYSTEM_FIELDS.contains(&name) || self.field(name).is_some()
    }

    /// A discovered field's value as Logs Insights compares it: a string as it is, anything
    /// else as its JSON text.
    fn value(&self, name: &str) -> Option<String> {
        if name == "@message" {
            return Some(self.message.to_owned());
        }
        self.field(name).map(|value| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    }

    fn field(&self, name: &str) -> Option<&Value> {
        let mut node = self.json.as_ref()?;
        for part in name.split('.') {
            node = match node {
                Value::Object(members) => members.get(part)?,
                Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

impl Expr {
    fn holds(&self, event: &Event<'_>) -> bool {
        match self {
            Expr::And(a, b) => a.holds(event) && b.holds(event),
            Expr::Or(a, b) => a.holds(event) || b.holds(event),
            Expr::Not(a) => !a.holds(event),
            Expr::IsPresent(name) => event.field(name).is_some() || name == "@message",
            Expr::Equals(name, text) => event.value(name).is_some_and(|value| value == *text),
            Expr::Like(name, regex) => event.value(name).is_some_and(|value| regex.is_match(&value)),
            Expr::Contains(name, text) => event.value(name).is_some_and(|value| value.contains(text.as_str())),
        }
    }
}

/// The query's commands, split at each `|` outside strings, regular expressions and
/// backticks.
fn split_commands(text: &str) -> Result<Vec<String>, String> {
    let mut commands = vec![String::new()];
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        let current = commands.last_mut().expect("one command at least");
        match quote {
            Some(q) => {
                current.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '|' => commands.push(String::new()),
            None => {
                if matches!(c, '"' | '\'' | '/' | '`') {
                    quote = Some(c);
                }
                current.push(c);
            }
        }
    }
    if let Some(q) = quote {
        return Err(format!("an unclosed {q} in {text:?}"));
    }
    Ok(commands.into_iter().map(|c| c.trim().to_owned()).collect())
}

fn parse_command(command: &str) -> Result<Command, String> {
    let (verb, rest) = command.split_once(char::is_whitespace).unwrap_or((command, ""));
    let tokens = tokenize(rest)?;
    match verb {
        "fields" | "display" => Ok(Command::Names(field_list(&tokens)?)),
        "sort" => {
            let names = tokens
                .split(|token| *token == Token::Comma)
                .map(|key| match key {
                    [Token::Name(name)] | [Token::Name(name), Token::Word(_)] => Ok(name.clone()),
                    other => Err(format!("a sort key this evaluator does not know: {other:?}")),
                })
                .collect::<Result<_, _>>()?;
            Ok(Command::Names(names))
        }
        "stats" => Ok(Command::Names(stats_fields(&tokens)?)),
        "limit" => match tokens.as_slice() {
            [Token::Word(n)] if n.parse::<u32>().is_ok() => Ok(Command::Limit),
            other => Err(format!("limit takes a number, not {other:?}")),
        },
        "filter" => {
            let mut parser = Parser { tokens: &tokens, at: 0 };
            let expr = parser.or()?;
            match parser.tokens.get(parser.at) {
                None => Ok(Command::Filter(expr)),
                Some(token) => Err(format!("unexpected {token:?} in filter {rest:?}")),
            }
        }
        other => Err(format!("a command this evaluator does not know: {other:?}")),
    }
}

/// `a, b, c`: field names only (no expressions or aliases).
fn field_list(tokens: &[Token]) -> Result<Vec<String>, String> {
    tokens
        .split(|token| *token == Token::Comma)
        .map(|item| match item {
            [Token::Name(name)] => Ok(name.clone()),
            other => Err(format!("a field this evaluator does not know: {other:?}")),
        })
        .collect()
}

/// The fields `stats` reads: its aggregates' arguments and its `by` fields. `count(*)`
/// reads none; `bin(…)` in `by` reads `@timestamp`.
fn stats_fields(tokens: &[Token]) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut at = 0;
    while at < tokens.len() {
        match &tokens[at..] {
            [Token::Word(function), Token::Open, Token::Star, Token::Close, ..] if function == "count" => at += 4,
            [Token::Word(function), Token::Open, Token::Name(name), Token::Close, ..]
                if [
                    "count",
                    "count_distinct",
                    "sum",
                    "avg",
                    "min",
                    "max",
                    "earliest",
                    "latest",
                ]
                .contains(&function.as_str()) =>
            {
                names.push(name.clone());
                at += 4;
            }
            [Token::Word(function), Token::Open, Token::Word(_), Token::Close, ..] if function == "bin" => {
                names.push("@timestamp".to_owned());
                at += 4;
            }
            [Token::Word(word), Token::Name(_), ..] if word == "as" => at += 2,
            [Token::Word(word), ..] if word == "by" => at += 1,
            [Token::Comma, ..] => at += 1,
            [Token::Name(name), ..] if at > 0 && tokens[..at].contains(&Token::Word("by".into())) => {
                names.push(name.clone());
                at += 1;
            }
            rest => return Err(format!("stats this evaluator does not know, at {rest:?}")),
        }
    }
    Ok(names)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A field name: starts with a letter, `_` or `@`, or is backticked.
    Name(String),
    /// A keyword or function name; the parser decides, by position, that a bare word is one.
    Word(String),
    Text(String),
    Regex(String),
    Open,
    Close,
    Comma,
    Star,
    Equals,
    NotEquals,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    const KEYWORDS: &[&str] = &[
        "and",
        "or",
        "not",
        "like",
        "in",
        "as",
        "by",
        "asc",
        "desc",
        "ispresent",
        "count",
        "count_distinct",
        "sum",
        "avg",
        "bin",
        "min",
        "max",
        "earliest",
        "latest",
    ];
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' | '*' | '=' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    ',' => Token::Comma,
                    '*' => Token::Star,
                    _ => Token::Equals,
                });
            }
            '!' => {
                chars.next();
                if chars.next() != Some('=') {
                    return Err(format!("a lone ! in {text:?}"));
                }
                tokens.push(Token::NotEquals);
            }
            '"' | '\'' | '/' | '`' => {
                chars.next();
                let mut body = String::new();
                let mut closed = false;
                while let Some(next) = chars.next() {
                    if next == '\\' {
                        let escaped = chars.next().ok_or("a trailing backslash")?;
                        match (c, escaped) {
                            // In a regular expression only the delimiter's escape is ours.
                            ('/', '/') => body.push('/'),
                            ('/', other) => {
                                body.push('\\');
                                body.push(other);
                            }
                            (_, other) => body.push(other),
                        }
                    } else if next == c {
                        closed = true;
                        break;
                    } else {
                        body.push(next);
                    }
                }
                if !closed {
                    return Err(format!("an unclosed {c} in {text:?}"));
                }
                tokens.push(match c {
                    '/' => Token::Regex(body),
                    '`' => Token::Name(body),
                    _ => Token::Text(body),
                });
            }
            c if c.is_alphanumeric() || c == '_' || c == '@' => {
                let mut word = String::new();
                while let Some(&next) = chars.peek() {
                    if next.is_alphanumeric() || matches!(next, '_' | '@' | '.') {
                        word.push(next);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let keyword = KEYWORDS.contains(&word.as_str()) || word.bytes().all(|b| b.is_ascii_digit());
                tokens.push(if keyword || word.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    Token::Word(word)
                } else {
                    Token::Name(word)
                });
            }
            other => {
                return Err(format!(
                    "a character this evaluator does not know: {other:?} in {text:?}"
                ));
            }
        }
    }
    Ok(tokens)
}

struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.at);
        self.at += 1;
        token
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w == word)
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut expr = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            expr = Expr::Or(Box::new(expr), Box::new(self.and()?));
        }
        Ok(expr)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut expr = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            expr = Expr::And(Box::new(expr), Box::new(self.unary()?));
        }
        Ok(expr)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek_word("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        match self.next().cloned() {
            Some(Token::Open) => {
                let expr = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(expr),
                    other => Err(format!("expected ), found {other:?}")),
                }
            }
            Some(Token::Word(word)) if word == "ispresent" => {
                match (self.next().cloned(), self.next().cloned(), self.next().cloned()) {
                    (Some(Token::Open), Some(Token::Name(name)), Some(Token::Close)) => Ok(Expr::IsPresent(name)),
                    other => Err(format!("ispresent takes one field, not {other:?}")),
                }
            }
            Some(Token::Name(name)) => self.comparison(name),
            other => Err(format!("a filter this evaluator does not know, at {other:?}")),
        }
    }

    fn comparison(&mut self, name: String) -> Result<Expr, String> {
        let negated = self.peek_word("not");
        if negated {
            self.at += 1;
        }
        let expr = match (self.next().cloned(), self.next().cloned()) {
            (Some(Token::Equals), Some(Token::Text(text))) if !negated => Expr::Equals(name, text),
            (Some(Token::NotEquals), Some(Token::Text(text))) if !negated => {
                Expr::Not(Box::new(Expr::Equals(name, text)))
            }
            (Some(Token::Word(like)), Some(Token::Regex(pattern))) if like == "like" => {
                let regex = regex_lite::Regex::new(&pattern).map_err(|error| format!("/{pattern}/: {error}"))?;
                Expr::Like(name, regex)
            }
            (Some(Token::Word(like)), Some(Token::Text(text))) if like == "like" => Expr::Contains(name, text),
            other => return Err(format!("a comparison this evaluator does not know: {name} {other:?}")),
        };
        Ok(if negated { Expr::Not(Box::new(expr)) } else { expr })
    }
}

/// A query of the README with the name its marker gives it.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub label: String,
    pub query: Query,
}

/// The marker a README query carries on the line before its fence:
/// `<!-- logs-insights: <label> -->`.
pub const MARKER: &str = "<!-- logs-insights:";

/// Every Logs Insights query in the part of `markdown` under the heading that starts with
/// `heading` (up to the next heading of its level or above), each with its label. A fenced
/// block that reads as a query (it starts with `fields`, `filter` or `stats`) without a
/// label, a label without a fenced block after it, or a query this evaluator cannot read is
/// an error: no query in that part goes unchecked.
pub fn queries_under(markdown: &str, heading: &str) -> Result<Vec<Labelled>, String> {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let mut section = Vec::new();
    let mut fenced = false;
    for line in markdown.lines().skip_while(|line| !line.starts_with(heading)) {
        let depth = line.chars().take_while(|c| *c == '#').count();
        let ends = !fenced && depth > 0 && depth <= level && line.chars().nth(depth) == Some(' ');
        if ends && !section.is_empty() {
            break;
        }
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        section.push(line);
    }
    if section.is_empty() {
        return Err(format!("no heading {heading:?}"));
    }
    let mut lines = section.into_iter();
    let mut queries = Vec::new();
    let mut label: Option<String> = None;
    while let Some(line) = lines.next() {
        if let Some(rest) = line.trim().strip_prefix(MARKER) {
            let name = rest
                .trim()
                .strip_suffix("-->")
                .ok_or(format!("an unclosed marker: {line}"))?;
            label = Some(name.trim().to_owned());
            continue;
        }
        if !line.trim_start().starts_with("```") {
            if let (false, Some(label)) = (line.trim().is_empty(), &label) {
                return Err(format!("{MARKER} {label} --> is not followed by a fenced query"));
            }
            continue;
        }
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|line| !line.trim_start().starts_with("```"))
            .collect();
        let text = body.join("\n");
        let first = text.trim_start();
        let is_query = ["fields ", "filter ", "stats "]
            .iter()
            .any(|verb| first.starts_with(verb));
        match (label.take(), is_query) {
            (Some(label), true) => queries.push(Labelled {
                query: Query::parse(&text).map_err(|error| format!("query {label:?}: {error}"))?,
                label,
            }),
            (Some(label), false) => return Err(format!("the block after {MARKER} {label} --> is no query")),
            (None, true) => return Err(format!("a query without a {MARKER} …--> line before it:\n{text}")),
            (None, false) => {}
        }
    }
    Ok(queries)
}

/// What a function wrote in one scenario, and which of the README's queries (by label) must
/// find a line of it.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub printed: String,
    pub found_by: Vec<&'static str>,
}

/// Checks each query against every scenario: in a scenario that names it, it finds at least
/// one line, and that line has every field the query shows or counts; in any other, it finds
/// none. A query no scenario names, or a label no query has, fails too. Returns each failure,
/// in words.
pub fn check(queries: &[Labelled], scenarios: &[Scenario]) -> Vec<String> {
    let mut failures = Vec::new();
    for scenario in scenarios {
        for label in &scenario.found_by {
            if !queries.iter().any(|query| query.label == *label) {
                failures.push(format!("{}: no README query is labelled {label:?}", scenario.name));
            }
        }
    }
    for Labelled { label, query } in queries {
        if !scenarios.iter().any(|s| s.found_by.iter().any(|l| l == label)) {
            failures.push(format!("query {label:?}: no scenario shows what it finds"));
        }
        for scenario in scenarios {
            let found: Vec<&str> = scenario.printed.lines().filter(|line| query.matches(line)).collect();
            let expected = scenario.found_by.iter().any(|l| l == label);
            match (expected, found.as_slice()) {
                (true, []) => failures.push(format!(
                    "query {label:?} finds no line of {}:\n{}\n--- printed:\n{}",
                    scenario.name, query.text, scenario.printed
                )),
                (true, lines) => {
                    for line in lines {
                        let missing = query.missing_fields(line);
                        if !missing.is_empty() {
                            failures.push(format!(
                                "query {label:?} shows {missing:?}, which {}'s line lacks: {line}",
                                scenario.name
                            ));
                        }
                    }
                }
                (false, []) => {}
                (false, lines) => failures.push(format!(
                    "query {label:?} also finds {}'s line(s): {lines:?}",
                    scenario.name
                )),
            }
        }
    }
    failures
}

/// The README at the workspace root, from a function crate's `CARGO_MANIFEST_DIR`.
pub fn readme(crate_dir: &str) -> String {
    let path = std::path::Path::new(crate_dir).join("../../README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"timestamp":"2026-12-02T18:36:18.1Z","level":"ERROR","fields":{"message":"m","alarm":"X_FAILED","user":"alarm=\"Y\""},"span":{"requestId":"r"}}"#;

    fn query(text: &str) -> Query {
        Query::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"))
    }

    #[test]
    fn filters_compare_discovered_fields_and_the_message() {
        assert!(query(r#"filter fields.alarm = "X_FAILED""#).matches(JSON));
        assert!(!query(r#"filter fields.alarm = "X""#).matches(JSON));
        assert!(!query(r#"filter fields.user = "X_FAILED""#).matches(JSON));
        assert!(query(r#"filter @message like /alarm(=|":)"X_FAILED"/"#).matches(JSON));
        assert!(
            !query(r#"filter @message like /alarm(=|":)"Y"/"#).matches(JSON),
            "the escaped quote"
        );
        assert!(query(r#"filter ispresent(span.requestId) and level = "ERROR""#).matches(JSON));
        assert!(!query(r#"filter ispresent(fields.outcome) or level != "ERROR""#).matches(JSON));
        assert!(query(r#"filter not (level = "INFO") and fields.message like "m""#).matches(JSON));
        assert!(!query(r#"filter fields.alarm = "X_FAILED""#).matches("ERROR alarm=\"X_FAILED\""));
        assert!(query(r#"filter @message like /alarm="X_FAILED"/"#).matches("ERROR alarm=\"X_FAILED\""));
    }

    #[test]
    fn every_field_a_query_shows_or_counts_must_be_in_the_line() {
        let q = query(
            "fields @timestamp, fields.alarm, fields.sub\n| filter ispresent(fields.alarm)\n| sort @timestamp desc",
        );
        assert_eq!(q.missing_fields(JSON), ["fields.sub"]);
        let q = query(
            "filter level = \"ERROR\" | stats count(*) as n, count_distinct(fields.user) by fields.alarm, bin(1h)",
        );
        assert!(q.missing_fields(JSON).is_empty(), "{:?}", q.missing_fields(JSON));
        assert_eq!(
            query("stats count(*) by fields.nope").missing_fields(JSON),
            ["fields.nope"]
        );
    }

    #[test]
    fn what_this_evaluator_does_not_know_is_an_error() {
        for text in [
            "filter fields.a > 3",
            "parse @message /x/",
            "filter fields.a in [\"x\"]",
            "fields strlen(@message)",
            "filter fields.a = \"unclosed",
        ] {
            assert!(Query::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn queries_are_read_from_their_section_with_their_labels() {
        let markdown = "# A\n\n### `one`\n\ntext\n\n<!-- logs-insights: first -->\n```\nfilter a = \"b\"\n```\n\n#### more\n\n```sh\nls\n```\n\n### `two`\n\n```\nfilter c = \"d\"\n```\n";
        let found = queries_under(markdown, "### `one`").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].label, "first");
        let error = queries_under(markdown, "### `two`").unwrap_err();
        assert!(error.contains("without"), "{error}");
        assert!(queries_under(markdown, "### `three`").is_err());
    }
}
