//! Streams Playwright JSON reports into a slim model of tests and outcomes.
//!
//! A report can be hundreds of megabytes (stdout, attachment bodies, steps), so it is never held
//! in memory: [`read_report`] walks the JSON once and hands each test, top-level error and piece
//! of text to a [`ReportSink`] as soon as it is complete. Attachment bodies and steps are skipped
//! without being stored; stdout and stderr are passed to the sink one entry at a time and dropped.
//!
//! Every report shape from `@playwright/test` 1.20 through the newest 1.x is accepted: with or
//! without `stats`, test `status` and `projectId`; nested describe suites; merged shard reports.
//! A test's outcome is derived from its attempts by the gate's own rule ([`derive_outcome`]);
//! its `status` label is kept only to be checked against them.

use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

mod json;

use json::{JsonError, JsonReader, Kind, TEXT_PIECE};

use crate::text::truncate_chars;

mod error;
mod model;
mod parallel;
mod walk;

pub use error::*;
pub use model::*;
pub use parallel::*;
pub use walk::*;

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects everything a report yields.
    #[derive(Debug, Default)]
    pub struct Collected {
        pub config: Option<ReportConfig>,
        pub tests: Vec<TestCase>,
        pub errors: Vec<TopLevelError>,
        pub stats: Option<Stats>,
        pub texts: Vec<(TextKind, Option<String>, String)>,
        /// How many texts came through `text_piece` (a piece with more to come).
        pub pieces: usize,
    }

    impl ReportSink for Collected {
        fn config(&mut self, config: ReportConfig) {
            self.config = Some(config);
        }
        fn test(&mut self, test: TestCase) {
            self.tests.push(test);
        }
        fn top_level_error(&mut self, error: TopLevelError) {
            self.errors.push(error);
        }
        fn stats(&mut self, stats: Stats) {
            self.stats = Some(stats);
        }
        fn text(&mut self, origin: TextOrigin<'_>, text: &str) {
            self.texts.push((
                origin.kind,
                origin.file.map(str::to_string),
                text.to_string(),
            ));
        }
        fn text_piece(&mut self, origin: TextOrigin<'_>, piece: &str) {
            self.pieces += 1;
            self.text(origin, piece);
        }
    }

    fn read(json: &str) -> Result<Collected, String> {
        let mut sink = Collected::default();
        match read_from(std::io::Cursor::new(json.as_bytes()), &mut sink) {
            Ok(()) => Ok(sink),
            Err(Problem::Shape(why)) => Err(why),
            Err(Problem::Json(err)) => Err(format!("{err:?}")),
        }
    }

    fn attempt(status: Status) -> Attempt {
        Attempt {
            status: Some(status),
            retry: 0,
            errors: vec![],
            error_location: None,
        }
    }

    fn outcome(expected: Status, statuses: &[Status]) -> TestOutcome {
        let attempts: Vec<Attempt> = statuses.iter().map(|s| attempt(*s)).collect();
        derive_outcome(expected, &attempts)
    }

    #[test]
    fn outcome_follows_the_gates_rule() {
        use Status::*;
        use TestOutcome as O;
        let cases: &[(Status, &[Status], TestOutcome)] = &[
            (Passed, &[], O::DidNotRun),
            (Skipped, &[], O::DidNotRun),
            (Passed, &[Passed], O::Passed),
            (Passed, &[Failed], O::Failed),
            (Passed, &[TimedOut], O::Failed),
            (Passed, &[Failed, Passed], O::Flaky),
            (Passed, &[Failed, Failed, Passed], O::Flaky),
            (Failed, &[Failed], O::Passed),
            (Failed, &[Passed], O::Failed),
            (Skipped, &[Skipped], O::Skipped),
            (Passed, &[Skipped], O::DidNotRun),
            (Passed, &[Interrupted], O::DidNotRun),
            (Skipped, &[Skipped, Interrupted], O::DidNotRun),
            (Passed, &[Passed, Skipped], O::Passed),
            // Issue 10: a failure followed only by skipped or interrupted attempts is failed,
            // although Playwright labels it flaky.
            (Skipped, &[Failed, Skipped], O::Failed),
            (Passed, &[Failed, Skipped], O::Failed),
            (Passed, &[Failed, Interrupted], O::Failed),
            (Passed, &[Failed, Skipped, Skipped], O::Failed),
            // A failure after a pass has no pass after it.
            (Passed, &[Passed, Failed], O::Failed),
            (Passed, &[Failed, Passed, Failed], O::Failed),
        ];
        for (expected, statuses, want) in cases {
            assert_eq!(
                outcome(*expected, statuses),
                *want,
                "{expected:?} {statuses:?}"
            );
        }
    }

    #[test]
    fn playwright_labels_and_what_fits_them() {
        use Outcome::{Expected, Flaky, Unexpected};
        use Status::{Failed, Interrupted, Passed};
        let attempts =
            |statuses: &[Status]| statuses.iter().map(|s| attempt(*s)).collect::<Vec<_>>();
        assert_eq!(playwright_label(Passed, &[]), Outcome::Skipped);
        assert_eq!(playwright_label(Passed, &attempts(&[Failed])), Unexpected);
        assert_eq!(
            playwright_label(Passed, &attempts(&[Failed, Passed])),
            Flaky
        );
        let failed_then_skipped = attempts(&[Failed, Status::Skipped]);
        assert_eq!(
            playwright_label(Status::Skipped, &failed_then_skipped),
            Flaky
        );
        assert_eq!(
            playwright_label(Passed, &attempts(&[Interrupted])),
            Outcome::Skipped
        );
        // What Playwright writes fits; so does the gate's own outcome.
        assert!(label_fits(Flaky, Status::Skipped, &failed_then_skipped));
        assert!(label_fits(
            Unexpected,
            Status::Skipped,
            &failed_then_skipped
        ));
        assert!(!label_fits(Expected, Status::Skipped, &failed_then_skipped));
        // `expected` over a failed attempt, or over no attempt at all, fits nothing.
        assert!(!label_fits(Expected, Passed, &attempts(&[Failed])));
        assert!(!label_fits(Expected, Passed, &[]));
        assert!(label_fits(Outcome::Skipped, Passed, &[]));
        assert!(!label_fits(Unexpected, Passed, &attempts(&[Passed])));
    }

    #[test]
    fn nested_suites_give_title_paths_and_files() {
        let json = r#"{"config":{"rootDir":"/r/e2e","version":"1.58.2"},"suites":[
          {"title":"a.spec.ts","file":"a.spec.ts","specs":[],"suites":[
            {"title":"AI Coach — Backend","file":"a.spec.ts","specs":[
              {"title":"health","tests":[{"expectedStatus":"passed","projectName":"p1","results":[
                 {"status":"passed","retry":0,"stdout":[{"text":"hello"},{"buffer":"d29ybGQ="}]}],"status":"expected"}],
               "id":"x1","file":"a.spec.ts","line":7,"column":3}]}]}],
          "errors":[],"stats":{"startTime":"2026-02-09T14:13:59.900Z","expected":1}}"#;
        let got = read(json).unwrap();
        assert_eq!(got.config.unwrap().root_dir.as_deref(), Some("/r/e2e"));
        assert_eq!(got.tests.len(), 1);
        let test = &got.tests[0];
        assert_eq!(test.title_path, vec!["AI Coach — Backend", "health"]);
        assert_eq!((test.file.as_str(), test.line), ("a.spec.ts", 7));
        assert_eq!(test.project, "p1");
        assert_eq!(test.outcome(), TestOutcome::Passed);
        assert_eq!(test.status, Some(Outcome::Expected));
        let texts: Vec<&str> = got.texts.iter().map(|t| t.2.as_str()).collect();
        assert_eq!(texts, vec!["hello", "world"]);
        assert_eq!(
            got.stats.unwrap().start_time.as_deref(),
            Some("2026-02-09T14:13:59.900Z")
        );
    }

    #[test]
    fn missing_status_is_derived_and_skip_reasons_collected() {
        let json = r#"{"config":{},"suites":[{"title":"f.ts","file":"f.ts","specs":[
          {"title":"t","file":"f.ts","line":1,"tests":[{"expectedStatus":"skipped",
            "annotations":[{"type":"skip","description":"Live backend not healthy at https://x"}],
            "results":[{"status":"skipped"}]}]},
          {"title":"u","file":"f.ts","line":2,"tests":[{"expectedStatus":"passed",
            "results":[{"status":"failed","error":{"message":"boom"}},{"status":"passed"}]}]}]}]}"#;
        let got = read(json).unwrap();
        assert_eq!(got.tests[0].outcome(), TestOutcome::Skipped);
        assert!(got.tests[0].skipped_on_purpose());
        assert_eq!(
            got.tests[0].skip_reasons(),
            vec!["Live backend not healthy at https://x"]
        );
        assert_eq!(got.tests[1].outcome(), TestOutcome::Flaky);
        assert_eq!(got.tests[1].label(), Outcome::Flaky);
        assert_eq!(got.tests[1].attempts[0].errors, vec!["boom"]);
    }

    /// Issue 10: messages were cut at 4,000 characters before they were scanned.
    #[test]
    fn long_messages_are_handed_whole_and_kept_capped() {
        let long = format!(
            "Error: {} E2E auth bootstrap failed",
            "x".repeat(2 * TEXT_PIECE)
        );
        let json = format!(
            r#"{{"config":{{}},"suites":[{{"title":"f.ts","file":"f.ts","specs":[
              {{"title":"t","file":"f.ts","line":1,"tests":[{{"expectedStatus":"passed",
                "results":[{{"status":"failed","errors":[{{"message":"{long}"}}]}}]}}]}}]}}],
              "errors":[{{"message":"{long}"}}]}}"#
        );
        let got = read(&json).unwrap();
        let errors: Vec<&(TextKind, Option<String>, String)> = got
            .texts
            .iter()
            .filter(|t| t.0 == TextKind::Error)
            .collect();
        let whole: String = errors.iter().map(|t| t.2.as_str()).collect();
        assert_eq!(whole, long);
        assert!(
            errors.len() > 1,
            "a text longer than a piece comes in pieces"
        );
        let top: String = got
            .texts
            .iter()
            .filter(|t| t.0 == TextKind::TopLevelError)
            .map(|t| t.2.as_str())
            .collect();
        assert_eq!(top, long);
        // Kept for display: capped.
        let kept = &got.tests[0].attempts[0].errors[0];
        assert_eq!(kept.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(kept.ends_with('…'));
        assert_eq!(got.errors[0].message, *kept);
        // Every piece but the last came through `text_piece`.
        assert_eq!(
            got.pieces,
            got.texts.len() - 2,
            "one last piece per message"
        );
    }

    #[test]
    fn rejects_json_that_is_not_a_playwright_report() {
        let err = read(r#"{"numTotalTests":3,"testResults":[]}"#).unwrap_err();
        assert!(err.contains("Jest"), "{err}");
        let err = read(r#"[1,2]"#).unwrap_err();
        assert!(err.contains("array"), "{err}");
        let err = read(r#"{"config":{}}"#).unwrap_err();
        assert!(err.contains("no `suites`"), "{err}");
    }

    /// Issue 10: nested untitled suites escaped the depth limit and overflowed the stack.
    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for (open, close, at) in [
            (r#"[{"title":"t","suites":"#, "[]}]", "suites"),
            (r#"[{"title":"","suites":"#, "[]}]", "suites"),
            (r#"[{"suites":"#, "[]}]", "suites"),
            ("[", "]", "config"),
            (r#"{"a":"#, "1}", "config"),
        ] {
            for depth in [30_000, 1_000_000] {
                let nested = format!("{}{}", open.repeat(depth), close.repeat(depth));
                let json = if at == "suites" {
                    format!(r#"{{"config":{{}},"suites":{nested}}}"#)
                } else {
                    format!(r#"{{"config":{{"metadata":{nested}}},"suites":[]}}"#)
                };
                // A thread with Rust's default stack (2 MiB), as the second reader has.
                let err = std::thread::spawn(move || read(&json).unwrap_err())
                    .join()
                    .unwrap();
                assert!(err.contains("TooDeep"), "{open} {depth}: {err}");
            }
        }
        // Deep nesting in a part that is skipped is bounded the same way.
        let ignored = format!(
            r#"{{"config":{{}},"suites":[],"x":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(read(&ignored).unwrap_err().contains("TooDeep"));
        let shallow = format!(
            r#"{{"config":{{}},"suites":[],"x":{}{}}}"#,
            "[".repeat(120),
            "]".repeat(120)
        );
        assert!(read(&shallow).is_ok());
    }

    /// Issue 10: values the gate skips were only bracket-counted.
    #[test]
    fn broken_json_inside_skipped_values_is_refused() {
        for broken in [
            r#"{"config":{"bogus": [1 2 }},"suites":[]}"#,
            r#"{"config":{"metadata": {"a": tru}},"suites":[]}"#,
            r#"{"config":{"metadata": {"a": "\q"}},"suites":[]}"#,
            r#"{"config":{"n": 01},"suites":[]}"#,
            r#"{"config":{},"suites":[],"stats":{"duration": 1.}}"#,
            r#"{"config":{},"suites":[{"title":"a","file":"a","specs":[],"x":[1,]}]}"#,
            "{\"config\":{\"s\": \"raw\ttab\"},\"suites\":[]}",
            r#"{"config":{},"suites":[]} x"#,
        ] {
            let err = read(broken).unwrap_err();
            assert!(err.contains("Syntax"), "{broken}: {err}");
        }
    }

    /// Issue 10: a key the gate reads, given twice, makes the report mean two things.
    #[test]
    fn keys_the_gate_reads_may_not_repeat() {
        let twice = r#"{"config":{},"suites":[{"title":"f","file":"f","specs":[{"title":"t",
          "tests":[{"expectedStatus":"passed","status":"unexpected","status":"expected",
          "results":[]}]}]}]}"#;
        let err = read(twice).unwrap_err();
        assert!(err.contains("`status` appears twice in a test"), "{err}");
        // Keys it does not read may repeat, as in any JSON.
        assert!(read(r#"{"config":{"x":1,"x":2},"suites":[]}"#).is_ok());
    }

    fn summary(collected: &Collected) -> Vec<String> {
        let mut out: Vec<String> = collected
            .tests
            .iter()
            .map(|t| {
                format!(
                    "{} {} {} {:?} {:?} {}",
                    t.file,
                    t.title(),
                    t.project,
                    t.outcome(),
                    t.attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
                    t.annotations.len()
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Issue 10: key order never matters (suites before config, stats first, titles and
    /// files after specs, results before the project and status).
    #[test]
    fn key_order_never_matters() {
        let path = fixture("playwright-1.58.2/kitchen-sink.json");
        let text = std::fs::read(&path).unwrap();
        let mut natural = Collected::default();
        read_from(std::io::Cursor::new(&text), &mut natural).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&text).unwrap();
        // serde_json's map sorts keys: `config` < `errors` < `stats` < `suites`, `file` <
        // `specs` < `suites` < `title`, `expectedStatus` < `projectId` < `projectName` <
        // `results` < `status`; reversed, every dependent key comes first.
        fn reversed(value: &serde_json::Value) -> String {
            match value {
                serde_json::Value::Object(map) => {
                    let fields: Vec<String> = map
                        .iter()
                        .rev()
                        .map(|(k, v)| {
                            format!("{}:{}", serde_json::to_string(k).unwrap(), reversed(v))
                        })
                        .collect();
                    format!("{{{}}}", fields.join(","))
                }
                serde_json::Value::Array(items) => {
                    let items: Vec<String> = items.iter().map(reversed).collect();
                    format!("[{}]", items.join(","))
                }
                other => other.to_string(),
            }
        }
        for text in [serde_json::to_string(&value).unwrap(), reversed(&value)] {
            let mut got = Collected::default();
            read_from(std::io::Cursor::new(text.as_bytes()), &mut got).unwrap();
            assert_eq!(summary(&got), summary(&natural));
            assert_eq!(got.config, natural.config);
            assert_eq!(got.errors, natural.errors);
            assert_eq!(got.stats, natural.stats);
            let mut texts = got.texts.clone();
            let mut expected = natural.texts.clone();
            texts.sort_by(|a, b| a.2.cmp(&b.2));
            expected.sort_by(|a, b| a.2.cmp(&b.2));
            assert_eq!(texts.len(), expected.len());
        }
        // The sink gets the config before any test, whatever the order in the file.
        let json = r#"{"stats":{"expected":1},"suites":[{"specs":[{"tests":[{"results":[{"status":"passed"}],
          "expectedStatus":"passed","projectName":"p"}],"title":"t","line":3}],"file":"a.ts","title":"a.ts"}],
          "config":{"rootDir":"/r"}}"#;
        let got = read(json).unwrap();
        assert_eq!(got.tests.len(), 1);
        assert_eq!((got.tests[0].file.as_str(), got.tests[0].line), ("a.ts", 3));
        assert_eq!(got.tests[0].project, "p");
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/reports")
            .join(name)
    }

    fn titles(collected: &Collected) -> Vec<String> {
        collected
            .tests
            .iter()
            .map(|t| format!("{} {} {} {:?}", t.file, t.title(), t.project, t.outcome()))
            .collect()
    }

    #[test]
    fn two_readers_read_every_test_exactly_once() {
        for name in [
            "playwright-1.58.2/kitchen-sink.json",
            "playwright-1.58.2/green-merged-from-blobs.json",
            "playwright-1.20.2/kitchen-sink.json",
        ] {
            let path = fixture(name);
            let mut alone = Collected::default();
            read_report(&path, &mut alone).unwrap();
            let (mut first, mut second) = (Collected::default(), Collected::default());
            let half = read_report_in_two(&path, &mut first, &mut second, 1).unwrap();
            let mut together = titles(&first);
            if half == SecondHalf::Used {
                together.extend(titles(&second));
            }
            assert_eq!(together, titles(&alone), "{name} ({half:?})");
            assert_eq!(first.errors, alone.errors, "{name}");
            assert_eq!(first.stats, alone.stats, "{name}");
        }
        // The kitchen sink has suites after its middle: the second reader is used there.
        let path = fixture("playwright-1.58.2/kitchen-sink.json");
        let (mut first, mut second) = (Collected::default(), Collected::default());
        let half = read_report_in_two(&path, &mut first, &mut second, 1).unwrap();
        assert_eq!(half, SecondHalf::Used);
        assert!(!first.tests.is_empty() && !second.tests.is_empty());
    }

    #[test]
    fn small_or_compact_reports_use_one_reader() {
        let path = fixture("playwright-1.58.2/green.json");
        let (mut first, mut second) = (Collected::default(), Collected::default());
        let half = read_report_in_two(&path, &mut first, &mut second, u64::MAX).unwrap();
        assert_eq!(half, SecondHalf::NotUsed);
        assert!(second.tests.is_empty() && second.config.is_none());
        // Compact JSON has no indentation to find a suite start by.
        let compact = tempfile::NamedTempFile::new().unwrap();
        let value: serde_json::Value = serde_json::from_slice(
            &std::fs::read(fixture("playwright-1.58.2/kitchen-sink.json")).unwrap(),
        )
        .unwrap();
        std::fs::write(compact.path(), serde_json::to_vec(&value).unwrap()).unwrap();
        let (mut first, mut second) = (Collected::default(), Collected::default());
        let half = read_report_in_two(compact.path(), &mut first, &mut second, 1).unwrap();
        assert_eq!(half, SecondHalf::NotUsed);
        assert!(!first.tests.is_empty());
    }

    #[test]
    fn a_broken_second_half_is_still_an_error_of_the_report() {
        // Truncate the kitchen sink in its second half: the first reader reaches the cut.
        let text = std::fs::read(fixture("playwright-1.58.2/kitchen-sink.json")).unwrap();
        let cut = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(cut.path(), &text[..text.len() * 3 / 4]).unwrap();
        let (mut first, mut second) = (Collected::default(), Collected::default());
        let err = read_report_in_two(cut.path(), &mut first, &mut second, 1).unwrap_err();
        assert!(matches!(err, ReportError::Truncated { .. }), "{err}");
    }

    /// Issue 10: the second reader checks its part as the first one does, so a fault in a
    /// skipped value of the second half fails the report, with its byte.
    #[test]
    fn the_second_reader_validates_its_part() {
        let text = std::fs::read(fixture("playwright-1.58.2/kitchen-sink.json")).unwrap();
        let (split, _) = find_split(
            &fixture("playwright-1.58.2/kitchen-sink.json"),
            text.len() as u64,
        )
        .unwrap()
        .unwrap();
        // The first `"duration": ` after the split, in a result the walk skips.
        let at = split as usize
            + memchr::memmem::find(&text[split as usize..], b"\"duration\": ").unwrap()
            + 12;
        for fault in [&b"01"[..], b"tru", b"1.e", b"[1 2}"] {
            let mut broken = text[..at].to_vec();
            broken.extend_from_slice(fault);
            broken.extend_from_slice(&text[at..]);
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), &broken).unwrap();
            let (mut first, mut second) = (Collected::default(), Collected::default());
            let err = read_report_in_two(file.path(), &mut first, &mut second, 1).unwrap_err();
            match err {
                ReportError::NotJson { offset, .. } => {
                    assert!(
                        offset >= at as u64 && offset <= (at + 8) as u64,
                        "{offset} {at}"
                    )
                }
                other => panic!("{}: {other}", String::from_utf8_lossy(fault)),
            }
        }
    }
}
