//! Issue 10: nesting of any kind and any depth is a clean `FAIL`, never a stack overflow.
//! 30,000 nested `describe` suites with empty titles escaped the depth limit and killed the
//! process with no outputs; a million nested arrays or objects must fail just as cleanly.
//! The binary reads in its main thread, and large reports also in a second thread with Rust's
//! default stack (the two-reader path, forced here with `ITM_GATE_TWO_READERS_FROM=1`).

mod common;

use common::ActionRun;

/// A report whose config holds `depth` nested values (`[[[…]]]` or `{"a":{"a":…}}`).
fn deep_config(depth: usize, open: &str, close: &str) -> Vec<u8> {
    format!(
        "{{\"config\": {{\"metadata\": {}1{}}}, \"suites\": []}}",
        open.repeat(depth),
        close.repeat(depth)
    )
    .into_bytes()
}

/// An indented report of two top-level suites, the second from the middle of the file on
/// (where the second reader starts) holding `depth` nested suites with empty titles.
fn deep_suites(depth: usize) -> Vec<u8> {
    let nested = format!(
        "{}[]{}",
        "[{\"title\": \"\", \"suites\": ".repeat(depth),
        "}]".repeat(depth)
    );
    let filler = "x".repeat(nested.len() + 1024);
    format!(
        "{{\n  \"config\": {{\n    \"rootDir\": \"/r/e2e\"\n  }},\n  \"suites\": [\n    {{\n      \"title\": \"a.spec.ts\",\n      \"file\": \"a.spec.ts\",\n      \"note\": \"{filler}\",\n      \"specs\": []\n    }},\n    {{\n      \"title\": \"b.spec.ts\",\n      \"file\": \"b.spec.ts\",\n      \"specs\": [],\n      \"suites\": {nested}\n    }}\n  ],\n  \"errors\": []\n}}\n"
    )
    .into_bytes()
}

fn fails_cleanly(name: &str, report: &[u8]) {
    for two_readers in ["1", "18446744073709551615"] {
        let ran = ActionRun::new()
            .write("test-results/results.json", report)
            .env("ITM_GATE_TWO_READERS_FROM", two_readers)
            .run(&[]);
        let reasons = ran.output("reasons");
        assert_eq!(
            (ran.code, ran.output("result")),
            (1, "FAIL"),
            "{name} ({two_readers}): {}\n{}",
            ran.stdout,
            ran.stderr
        );
        assert!(
            reasons.contains("test-results/results.json: the JSON nests 128 levels deep at byte"),
            "{name}: {reasons}"
        );
        assert!(!ran.stderr.contains("overflow"), "{name}: {}", ran.stderr);
    }
}

#[test]
fn a_million_nested_arrays_fail_cleanly() {
    fails_cleanly("arrays", &deep_config(1_000_000, "[", "]"));
}

#[test]
fn a_million_nested_objects_fail_cleanly() {
    fails_cleanly("objects", &deep_config(1_000_000, "{\"a\": ", "}"));
}

#[test]
fn thirty_thousand_untitled_suites_fail_cleanly() {
    fails_cleanly("suites", &deep_suites(30_000));
}

/// The deepest nesting `serde_json` reads is read: the limit refuses nothing valid.
#[test]
fn nesting_just_under_the_limit_is_read() {
    let ran = ActionRun::new()
        .write("test-results/results.json", &deep_config(120, "[", "]"))
        .run(&[]);
    let reasons = ran.output("reasons");
    assert!(!reasons.contains("nests deeper"), "{reasons}");
    assert!(!reasons.contains("not valid JSON"), "{reasons}");
}
