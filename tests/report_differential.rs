//! Differential tests of the streaming report reader (issue 10).
//!
//! A reference reader, written the plain way on a parsed JSON tree, computes the per-spec counts
//! and verdicts of any report by DESIGN.md section 3. Property tests check over every committed
//! fixture, and over random mutations of them (byte flips, deletions, truncations, bracket swaps,
//! repeated and reordered keys, changed statuses and attempt lists), that the streaming reader
//! accepts exactly when `serde_json` does (and the reference accepts the report's shape), and
//! that, when both accept, both give the same counts and verdicts.
//!
//! `cargo test` runs a bounded number of cases. The long mode runs a million (or
//! `ITM_GATE_DIFF_CASES`) mutated inputs and prints its counts:
//!
//! ```sh
//! cargo test --release --test report_differential -- --ignored --nocapture
//! ```
//!
//! The reference follows DESIGN.md's outcome rule (outcome from the attempts; `[failed,
//! skipped]` is failed; where the `status` label says worse, the worse counts). A spec holding
//! a test whose outcome by Playwright's own rule differs is "disputed": it is compared like
//! every other, and counted, to show how often the gate's rule matters.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use itm_gate::report::{
    self, ReportConfig, ReportError, ReportSink, Stats, Status, TestCase, TextOrigin, TopLevelError,
};
use itm_gate::verdict::{SpecTally, Tallies, Verdict, VerdictRules, judge};
use proptest::prelude::*;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// A JSON tree that keeps repeated keys (serde_json's `Value` keeps only the last), so the
// reference can refuse a repeated key the gate reads, as the streaming reader does.

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Number(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Number(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(serde_json::Number::from_f64(v).map_or(Node::Null, Node::Number))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::String(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut fields = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Node>()? {
                    fields.push((key, value));
                }
                Ok(Node::Object(fields))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

// ---------------------------------------------------------------------------------------------
// The reference reader.

/// How one test counts, from best to worst (as the gate ranks repeated tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Passed,
    SkippedOnPurpose,
    Flaky,
    DidNotRun,
    Failed,
}

/// Counts of one spec file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
    flaky: u64,
    skipped: u64,
    did_not_run: u64,
}

/// What the reference reads from a report.
#[derive(Debug, Default)]
struct Reference {
    /// Counts by spec file (report-relative), repeated tests counted once, the worse way.
    counts: BTreeMap<String, Counts>,
    /// Spec files holding a test whose outcome today's reader may take differently.
    disputed: Vec<String>,
    top_level_errors: usize,
}

/// A shape the gate refuses (the report is valid JSON but not a report it reads).
type Refused = String;

fn fields<'a>(node: &'a Node, what: &str) -> Result<&'a [(String, Node)], Refused> {
    match node {
        Node::Null => Ok(&[]),
        Node::Object(fields) => Ok(fields),
        _ => Err(format!("{what} is not an object")),
    }
}

/// The value of `key`; a key the gate reads may appear only once.
fn get<'a>(fields: &'a [(String, Node)], key: &str) -> Result<Option<&'a Node>, Refused> {
    let mut found = fields.iter().filter(|(k, _)| k == key).map(|(_, v)| v);
    let first = found.next();
    if found.next().is_some() {
        return Err(format!("`{key}` twice"));
    }
    Ok(first)
}

fn items<'a>(node: Option<&'a Node>, what: &str) -> Result<&'a [Node], Refused> {
    match node {
        None | Some(Node::Null) => Ok(&[]),
        Some(Node::Array(items)) => Ok(items),
        Some(_) => Err(format!("{what} is not an array")),
    }
}

fn optional_string(node: Option<&Node>) -> Result<Option<String>, Refused> {
    match node {
        None | Some(Node::Null) => Ok(None),
        Some(Node::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err("not a string".into()),
    }
}

/// A number as the gate reads it: its integer part, 0 when negative.
fn number(node: Option<&Node>) -> Result<Option<u64>, Refused> {
    match node {
        None | Some(Node::Null) => Ok(None),
        Some(Node::Number(n)) => Ok(Some(match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(v), _, _) => v,
            (None, Some(_), _) => 0,
            (_, _, Some(f)) if f < 0.0 => 0,
            (_, _, Some(f)) => f.trunc() as u64,
            _ => 0,
        })),
        Some(_) => Err("not a number".into()),
    }
}

fn check_error(node: &Node) -> Result<(), Refused> {
    let f = fields(node, "an error")?;
    optional_string(get(f, "message")?)?;
    optional_string(get(f, "value")?)?;
    if let Some(location) = get(f, "location")? {
        let l = fields(location, "a location")?;
        optional_string(get(l, "file")?)?;
        number(get(l, "line")?)?;
        number(get(l, "column")?)?;
    }
    Ok(())
}

fn check_annotations(node: Option<&Node>) -> Result<(), Refused> {
    for annotation in items(node, "annotations")? {
        let a = fields(annotation, "an annotation")?;
        optional_string(get(a, "type")?)?;
        optional_string(get(a, "description")?)?;
    }
    Ok(())
}

fn parse_status(word: &str) -> Option<Status> {
    Status::parse(word)
}

/// The attempts' statuses of one result list, checking each result's shape.
fn read_results(node: Option<&Node>) -> Result<Vec<Option<Status>>, Refused> {
    let mut statuses = Vec::new();
    for result in items(node, "results")? {
        let r = fields(result, "a result")?;
        let status = optional_string(get(r, "status")?)?;
        number(get(r, "retry")?)?;
        let errors = items(get(r, "errors")?, "errors")?;
        for error in errors {
            check_error(error)?;
        }
        // `error` repeats `errors[0]`; it is read only when `errors` is empty.
        let error = get(r, "error")?;
        if errors.is_empty()
            && let Some(error) = error
            && *error != Node::Null
        {
            check_error(error)?;
        }
        for stream in ["stdout", "stderr"] {
            for entry in items(get(r, stream)?, stream)? {
                if let Node::Object(e) = entry {
                    get(e, "text")?;
                    get(e, "buffer")?;
                }
            }
        }
        check_annotations(get(r, "annotations")?)?;
        statuses.push(status.as_deref().and_then(parse_status));
    }
    Ok(statuses)
}

/// DESIGN.md section 3: a test's class from its attempts and expected status.
fn design_class(expected: Status, attempts: &[Option<Status>]) -> Class {
    let ran = |s: &Option<Status>| !matches!(s, Some(Status::Skipped) | Some(Status::Interrupted));
    let as_expected = |s: &Option<Status>| ran(s) && *s == Some(expected);
    // A failure counts as passed on retry only when an attempt after the LAST failure ended as
    // expected: `[failed, passed, failed]` is failed.
    let last_failure = attempts.iter().rposition(|s| ran(s) && !as_expected(s));
    match last_failure {
        Some(at) if attempts[at + 1..].iter().any(as_expected) => Class::Flaky,
        Some(_) => Class::Failed,
        None if attempts.iter().any(as_expected) => Class::Passed,
        None if expected == Status::Skipped
            && !attempts.is_empty()
            && !attempts.contains(&Some(Status::Interrupted)) =>
        {
            Class::SkippedOnPurpose
        }
        None => Class::DidNotRun,
    }
}

/// What a test's `status` label alone says (`None` without a label or with an unknown word).
fn label_class(expected: Status, label: Option<&str>) -> Option<Class> {
    match label? {
        "expected" => Some(Class::Passed),
        "unexpected" => Some(Class::Failed),
        "flaky" => Some(Class::Flaky),
        "skipped" if expected == Status::Skipped => Some(Class::SkippedOnPurpose),
        "skipped" => Some(Class::DidNotRun),
        _ => None,
    }
}

/// Playwright's rule (its `status` label, else its derivation): what the gate took before
/// issue 10, kept to count the specs where the gate's own rule says otherwise.
fn playwright_class(expected: Status, label: Option<&str>, attempts: &[Option<Status>]) -> Class {
    let label = match label {
        Some("expected") => Some(0),
        Some("unexpected") => Some(1),
        Some("flaky") => Some(2),
        Some("skipped") => Some(3),
        _ => None,
    };
    let label = label.unwrap_or_else(|| {
        let ran: Vec<&Option<Status>> = attempts
            .iter()
            .skip_while(|s| matches!(s, Some(Status::Skipped) | Some(Status::Interrupted)))
            .collect();
        let failures = ran
            .iter()
            .filter(|s| !matches!(s, Some(Status::Skipped) | Some(Status::Interrupted)))
            .filter(|s| ***s != Some(expected))
            .count();
        if ran.is_empty() {
            3
        } else if failures == 0 {
            0
        } else if failures == ran.len() {
            1
        } else {
            2
        }
    });
    match label {
        0 => Class::Passed,
        1 => Class::Failed,
        2 => Class::Flaky,
        _ if expected == Status::Skipped => Class::SkippedOnPurpose,
        _ => Class::DidNotRun,
    }
}

/// A test as the reference reads it.
struct RefTest {
    file: String,
    line: u64,
    titles: Vec<String>,
    project: String,
    class: Class,
    disputed: bool,
}

fn read_suite(
    node: &Node,
    titles: &mut Vec<String>,
    parent_file: Option<&str>,
    out: &mut Vec<RefTest>,
) -> Result<(), Refused> {
    let f = fields(node, "a suite")?;
    let depth = titles.len();
    let title = optional_string(get(f, "title")?)?;
    let file = optional_string(get(f, "file")?)?.or(parent_file.map(str::to_string));
    if parent_file.is_some()
        && let Some(title) = title.filter(|t| !t.is_empty())
    {
        titles.push(title);
    }
    // Specs, then nested suites, in file order (counts do not depend on the order).
    let mut order: Vec<(&str, &Node)> = f
        .iter()
        .filter(|(k, _)| k == "specs" || k == "suites")
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    get(f, "specs")?;
    get(f, "suites")?;
    for (key, value) in order.drain(..) {
        if key == "specs" {
            for spec in items(Some(value), "specs")? {
                read_spec(spec, titles, file.as_deref(), out)?;
            }
        } else {
            for suite in items(Some(value), "suites")? {
                read_suite(suite, titles, Some(file.as_deref().unwrap_or("")), out)?;
            }
        }
    }
    titles.truncate(depth);
    Ok(())
}

fn read_spec(
    node: &Node,
    titles: &[String],
    suite_file: Option<&str>,
    out: &mut Vec<RefTest>,
) -> Result<(), Refused> {
    let f = fields(node, "a spec")?;
    let mut titles = titles.to_vec();
    if let Some(title) = get(f, "title")? {
        titles.push(optional_string(Some(title))?.unwrap_or_default());
    }
    let file = optional_string(get(f, "file")?)?
        .or(suite_file.map(str::to_string))
        .unwrap_or_default();
    let line = number(get(f, "line")?)?
        .unwrap_or(0)
        .min(u64::from(u32::MAX));
    for test in items(get(f, "tests")?, "tests")? {
        let t = fields(test, "a test")?;
        let name = optional_string(get(t, "projectName")?)?;
        let id = optional_string(get(t, "projectId")?)?;
        let expected = match get(t, "expectedStatus")? {
            None => Status::Passed,
            Some(Node::String(word)) => parse_status(word).ok_or("unknown expectedStatus")?,
            Some(_) => return Err("expectedStatus is not a string".into()),
        };
        let label = optional_string(get(t, "status")?)?;
        check_annotations(get(t, "annotations")?)?;
        let attempts = read_results(get(t, "results")?)?;
        // DESIGN.md section 3: where the `status` label says worse than the attempts, the
        // worse counts.
        let class = design_class(expected, &attempts);
        let class = label_class(expected, label.as_deref()).map_or(class, |l| class.max(l));
        let today = playwright_class(expected, label.as_deref(), &attempts);
        out.push(RefTest {
            file: file.clone(),
            line,
            titles: titles.clone(),
            project: name.or(id).unwrap_or_default(),
            class,
            disputed: class != today,
        });
    }
    Ok(())
}

/// Reads a report the plain way; `Err` when the gate must refuse its shape.
fn reference(bytes: &[u8]) -> Result<Reference, Refused> {
    let root: Node = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let Node::Object(f) = &root else {
        return Err("the root is not an object".into());
    };
    let config = get(f, "config")?.ok_or("no config")?;
    let c = fields(config, "config")?;
    optional_string(get(c, "rootDir")?)?;
    optional_string(get(c, "version")?)?;
    if let Some(shard) = get(c, "shard")? {
        let s = fields(shard, "config.shard")?;
        number(get(s, "current")?)?;
        number(get(s, "total")?)?;
    }
    let suites = get(f, "suites")?.ok_or("no suites")?;
    if let Some(stats) = get(f, "stats")? {
        let s = fields(stats, "stats")?;
        optional_string(get(s, "startTime")?)?;
        for key in ["expected", "unexpected", "flaky", "skipped"] {
            number(get(s, key)?)?;
        }
    }
    let errors = items(get(f, "errors")?, "errors")?;
    for error in errors {
        check_error(error)?;
    }
    let mut tests = Vec::new();
    for suite in items(Some(suites), "suites")? {
        read_suite(suite, &mut Vec::new(), None, &mut tests)?;
    }
    let mut out = Reference {
        top_level_errors: errors.len(),
        ..Reference::default()
    };
    // The same test (file, titles, project, line) twice counts once, the worse way.
    let mut seen: HashMap<(String, Vec<String>, String, u64), Class> = HashMap::new();
    for test in tests {
        if test.disputed && !out.disputed.contains(&test.file) {
            out.disputed.push(test.file.clone());
        }
        let key = (test.file, test.titles, test.project, test.line);
        let class = seen.entry(key).or_insert(test.class);
        *class = (*class).max(test.class);
    }
    for ((file, ..), class) in seen {
        let counts = out.counts.entry(file).or_default();
        match class {
            Class::Passed => counts.passed += 1,
            Class::Failed => counts.failed += 1,
            Class::Flaky => counts.flaky += 1,
            Class::SkippedOnPurpose => counts.skipped += 1,
            Class::DidNotRun => {
                counts.skipped += 1;
                counts.did_not_run += 1;
            }
        }
    }
    Ok(out)
}

/// DESIGN.md section 3's spec verdict (no load errors: they come from path mapping).
fn reference_verdict(counts: &Counts, rules: &Rules) -> Verdict {
    let total = counts.passed + counts.failed + counts.flaky + counts.skipped;
    let on_purpose = counts.skipped - counts.did_not_run;
    if counts.failed > 0
        || counts.did_not_run > 0
        || (rules.flaky_fails && counts.flaky > 0)
        || (rules.strict && rules.required && on_purpose > 0)
        || (rules.required && total == 0)
    {
        Verdict::Fail
    } else if total > 0 && counts.skipped == total {
        Verdict::Skip
    } else {
        Verdict::Pass
    }
}

#[derive(Debug, Clone, Copy)]
struct Rules {
    strict: bool,
    required: bool,
    flaky_fails: bool,
}

const RULES: [Rules; 2] = [
    Rules {
        strict: true,
        required: true,
        flaky_fails: true,
    },
    Rules {
        strict: false,
        required: false,
        flaky_fails: false,
    },
];

// ---------------------------------------------------------------------------------------------
// The production side: the streaming reader, the gate's tallies and its spec verdicts.

#[derive(Default)]
struct Collected {
    tests: Vec<TestCase>,
    errors: usize,
}

impl ReportSink for Collected {
    fn config(&mut self, _: ReportConfig) {}
    fn test(&mut self, test: TestCase) {
        self.tests.push(test);
    }
    fn top_level_error(&mut self, _: TopLevelError) {
        self.errors += 1;
    }
    fn stats(&mut self, _: Stats) {}
    fn text(&mut self, _: TextOrigin<'_>, _: &str) {}
}

/// How one input went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Both refused it (not JSON, or not a report the gate reads).
    Refused,
    /// Both read it and agree on every spec; `disputed` of them hold a test that Playwright's
    /// own rule would count otherwise.
    Agreed { compared: usize, disputed: usize },
}

/// Compares the streaming reader with `serde_json` and the reference on one input; `Err`
/// describes a disagreement.
fn compare(bytes: &[u8]) -> Result<Outcome, String> {
    let path = Path::new("mutated/results.json");
    let serde_ok = serde_json::from_slice::<Value>(bytes).is_ok();
    let mut sink = Collected::default();
    let streamed = report::read_report_bytes(path, bytes, &mut sink);
    if !serde_ok {
        return match streamed {
            Err(err) => {
                let message = err.to_string();
                if !message.contains("mutated/results.json") {
                    return Err(format!("the error does not name the file: {message}"));
                }
                Ok(Outcome::Refused)
            }
            Ok(()) => Err("serde_json refuses it, the streaming reader accepts it".into()),
        };
    }
    let reference = reference(bytes);
    let streamed = match (streamed, reference) {
        (Err(err), Err(_)) => {
            return match err {
                ReportError::NotPlaywright { .. } => Ok(Outcome::Refused),
                other => Err(format!("valid JSON refused as broken JSON: {other}")),
            };
        }
        (Err(err), Ok(_)) => return Err(format!("the reference reads it, the reader says {err}")),
        (Ok(()), Err(why)) => return Err(format!("the reader reads it, the reference says {why}")),
        (Ok(()), Ok(reference)) => (sink, reference),
    };
    let (sink, reference) = streamed;
    if sink.errors != reference.top_level_errors {
        return Err(format!(
            "top-level errors: reader {}, reference {}",
            sink.errors, reference.top_level_errors
        ));
    }
    let mut tallies = Tallies::default();
    for test in &sink.tests {
        tallies.add(&test.file, test);
    }
    let specs: BTreeMap<String, SpecTally> = tallies
        .iter()
        .map(|(file, tally)| (file.to_string(), tally))
        .collect();
    let mut files: Vec<&String> = specs.keys().chain(reference.counts.keys()).collect();
    files.sort();
    files.dedup();
    let (mut compared, mut disputed) = (0, 0);
    for file in files {
        if reference.disputed.contains(file) {
            disputed += 1;
        }
        compared += 1;
        let tally = specs.get(file);
        let mine = tally.map(|t| Counts {
            passed: t.passed,
            failed: t.failed,
            flaky: t.flaky,
            skipped: t.skipped,
            did_not_run: t.did_not_run,
        });
        let theirs = reference.counts.get(file).cloned();
        if mine != theirs {
            return Err(format!(
                "counts of `{file}`: reader {mine:?}, reference {theirs:?}"
            ));
        }
        let counts = theirs.unwrap_or_default();
        for rules in RULES {
            let gate_rules = VerdictRules {
                strict: rules.strict,
                allow_skip: Vec::new(),
                flaky_fails: rules.flaky_fails,
            };
            let mine = judge(file, tally, rules.required, &gate_rules).verdict;
            let theirs = reference_verdict(&counts, &rules);
            if mine != theirs {
                return Err(format!(
                    "verdict of `{file}` ({rules:?}): reader {mine}, reference {theirs}"
                ));
            }
        }
    }
    Ok(Outcome::Agreed { compared, disputed })
}

// ---------------------------------------------------------------------------------------------
// Inputs: the committed fixtures and mutations of them.

fn fixtures() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports");
    let mut out = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    assert!(out.len() >= 10, "fixtures not found");
    out
}

/// A small deterministic random source (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const STATUS_WORDS: &[&str] = &[
    "passed",
    "failed",
    "timedOut",
    "skipped",
    "interrupted",
    "expected",
    "unexpected",
    "flaky",
    "bogus",
    "",
];

/// Writes `node` as JSON; objects may have their keys shuffled or one key repeated.
fn emit(node: &Node, rng: &mut Rng, shuffle: bool, repeat: u32, out: &mut String) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => out.push_str(&n.to_string()),
        Node::String(s) => out.push_str(&serde_json::to_string(s).unwrap()),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                emit(item, rng, shuffle, repeat, out);
            }
            out.push(']');
        }
        Node::Object(fields) => {
            let mut order: Vec<usize> = (0..fields.len()).collect();
            if shuffle {
                for i in (1..order.len()).rev() {
                    order.swap(i, rng.below(i + 1));
                }
            }
            if repeat > 0 && !fields.is_empty() && rng.below(repeat as usize) == 0 {
                let again = rng.below(fields.len());
                order.insert(rng.below(order.len() + 1), again);
            }
            out.push('{');
            for (i, &at) in order.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let (key, value) = &fields[at];
                out.push_str(&serde_json::to_string(key).unwrap());
                out.push(':');
                emit(value, rng, shuffle, repeat, out);
            }
            out.push('}');
        }
    }
}

/// Every test object and every result object of a report tree, as paths of indices.
fn visit_mut(node: &mut Node, f: &mut dyn FnMut(&mut Node, &str)) {
    match node {
        Node::Array(items) => items.iter_mut().for_each(|n| visit_mut(n, f)),
        Node::Object(fields) => {
            for (key, value) in fields.iter_mut() {
                f(value, key);
                visit_mut(value, f);
            }
        }
        _ => {}
    }
}

/// Changes statuses and attempt lists of the tests in `root` at random.
fn mutate_tree(root: &mut Node, rng: &mut Rng) {
    let rate = 1 + rng.below(8);
    visit_mut(root, &mut |value, key| {
        if rng.below(rate) != 0 {
            return;
        }
        match key {
            "status" | "expectedStatus" => {
                *value = Node::String(rng.pick(STATUS_WORDS).to_string());
            }
            "results" => {
                if let Node::Array(results) = value {
                    match rng.below(4) {
                        0 => results.clear(),
                        1 if !results.is_empty() => {
                            let at = rng.below(results.len());
                            results.remove(at);
                        }
                        2 if !results.is_empty() => {
                            let copy = results[rng.below(results.len())].clone();
                            results.push(copy);
                        }
                        _ => {
                            let word = rng.pick(&STATUS_WORDS[..5]).to_string();
                            results.push(Node::Object(vec![
                                ("status".into(), Node::String(word)),
                                ("retry".into(), Node::Number(results.len().into())),
                            ]));
                        }
                    }
                }
            }
            "tests" | "specs" | "suites" => {
                if let Node::Array(items) = value
                    && items.len() > 1
                    && rng.below(2) == 0
                {
                    let a = rng.below(items.len());
                    let b = rng.below(items.len());
                    items.swap(a, b);
                }
            }
            _ => {}
        }
    });
}

/// Bytes that matter to a JSON reader.
const INTERESTING: &[u8] = b"{}[]\",:0123456789-+.eEtfnlrsu\\ \n\t\x00\x1f\x7f\xc3\xa9\xff/";

/// A random mutation of a fixture.
fn mutate(source: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = source.to_vec();
    // Structural mutations go through the tree first.
    if rng.below(2) == 0
        && let Ok(mut tree) = serde_json::from_slice::<Node>(&bytes)
    {
        if rng.below(2) == 0 {
            mutate_tree(&mut tree, rng);
        }
        let shuffle = rng.below(2) == 0;
        let repeat = if rng.below(3) == 0 {
            1 + rng.below(200) as u32
        } else {
            0
        };
        let mut text = String::new();
        emit(&tree, rng, shuffle, repeat, &mut text);
        bytes = text.into_bytes();
        if rng.below(2) == 0 {
            return bytes;
        }
    }
    let edits = 1 + rng.below(3);
    for _ in 0..edits {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(6) {
            0 => bytes[at] = *rng.pick(INTERESTING),
            1 => bytes[at] = rng.next() as u8,
            2 => {
                let len = 1 + rng.below(16);
                bytes.drain(at..(at + len).min(bytes.len()));
            }
            3 => bytes.truncate(at),
            4 => {
                // Swap a bracket for another kind.
                if let Some(i) = bytes[at..].iter().position(|b| b"{}[]".contains(b)) {
                    bytes[at + i] = *rng.pick(b"{}[]");
                }
            }
            _ => {
                let byte = *rng.pick(INTERESTING);
                bytes.insert(at, byte);
            }
        }
    }
    bytes
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// Every committed fixture: all three readers accept it, and agree on it.
#[test]
fn every_fixture_agrees_with_the_reference() {
    for (path, bytes) in fixtures() {
        let outcome = compare(&bytes);
        assert!(
            matches!(outcome, Ok(Outcome::Agreed { .. })),
            "{}: {outcome:?}",
            path.display()
        );
    }
}

/// Issue 10: values the gate skipped were only bracket-counted; these are the named cases.
#[test]
fn named_broken_inputs_are_refused() {
    let green = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/reports/playwright-1.58.2/green.json"),
    )
    .unwrap();
    let text = String::from_utf8(green).unwrap();
    for (from, to) in [
        ("\"config\": {", "\"config\": {\"bogus\": [1 2 },"),
        ("\"metadata\": {", "\"metadata\": {\"a\": tru,"),
    ] {
        assert!(text.contains(from), "{from}");
        let broken = text.replacen(from, to, 1);
        assert_eq!(compare(broken.as_bytes()), Ok(Outcome::Refused), "{to}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1500,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    /// Random mutations of every fixture: accepted exactly when serde_json accepts (and the
    /// shape is a report), with the same counts and verdicts as the reference.
    #[test]
    fn mutated_fixtures_agree_with_serde_json_and_the_reference(seed in any::<u64>()) {
        let fixtures = fixtures_cached();
        let mut rng = Rng(seed);
        let (path, source) = &fixtures[rng.below(fixtures.len())];
        let bytes = mutate(source, &mut rng);
        let outcome = compare(&bytes);
        prop_assert!(
            outcome.is_ok(),
            "{} mutated with seed {seed}: {}\n{}",
            path.display(),
            outcome.unwrap_err(),
            String::from_utf8_lossy(&bytes[..bytes.len().min(2000)])
        );
    }
}

fn fixtures_cached() -> &'static [(PathBuf, Vec<u8>)] {
    static FIXTURES: std::sync::OnceLock<Vec<(PathBuf, Vec<u8>)>> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(fixtures)
}

/// The long mode: a million mutated inputs (or `ITM_GATE_DIFF_CASES`), run in release. Prints
/// inputs, rejections, disagreements and crashes, and fails on any disagreement or crash.
#[test]
#[ignore = "long: run in release with --ignored"]
fn long_mode_a_million_mutated_inputs() {
    let cases: u64 = std::env::var("ITM_GATE_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = std::env::var("ITM_GATE_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x1710_2026);
    let fixtures = fixtures_cached();
    let (mut refused, mut agreed, mut disagreements, mut crashes) = (0u64, 0u64, 0u64, 0u64);
    let (mut specs_compared, mut specs_disputed) = (0usize, 0usize);
    let mut first_problems = Vec::new();
    let started = std::time::Instant::now();
    std::panic::set_hook(Box::new(|_| {}));
    for case in 0..cases {
        let mut rng = Rng(seed ^ case.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let (path, source) = &fixtures[rng.below(fixtures.len())];
        let bytes = mutate(source, &mut rng);
        match std::panic::catch_unwind(|| compare(&bytes)) {
            Ok(Ok(Outcome::Refused)) => refused += 1,
            Ok(Ok(Outcome::Agreed { compared, disputed })) => {
                agreed += 1;
                specs_compared += compared;
                specs_disputed += disputed;
            }
            Ok(Err(problem)) => {
                disagreements += 1;
                if first_problems.len() < 10 {
                    first_problems.push(format!("case {case} ({}): {problem}", path.display()));
                }
            }
            Err(_) => {
                crashes += 1;
                if first_problems.len() < 10 {
                    first_problems.push(format!("case {case} ({}): panic", path.display()));
                }
            }
        }
    }
    let _ = std::panic::take_hook();
    println!(
        "long mode: {cases} inputs (seed {seed}), {refused} refused by both, {agreed} read alike \
         ({specs_compared} spec files compared, {specs_disputed} of them disputed: Playwright's rule counts otherwise), \
         {disagreements} disagreements, {crashes} crashes, {:.0} s",
        started.elapsed().as_secs_f64()
    );
    for problem in &first_problems {
        println!("  {problem}");
    }
    assert_eq!((disagreements, crashes), (0, 0));
}
