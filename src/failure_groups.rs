//! Failure groups: failing tests that failed the same way at the same place, said once
//! (DESIGN.md section 3, "Reasons a person can act on").
//!
//! A test's signature is the informative part of its error and the place it failed:
//! - for an `expect` error, the matcher and the `Expected:` / `Received:` pair
//!   (`toBe`: `Expected 200, Received 500`), after the assertion's own message if it has one;
//! - otherwise the first meaningful line, with volatile parts (uuids, timestamps, hex ids,
//!   durations, ports, long numbers) masked, so `Timed out after 5012ms` and `… 4987ms` agree;
//! - the place: file and line of the top frame inside the repository (the error's location,
//!   mapped to a repository path), or none when it lies outside (then the message alone counts).
//!
//! Everything here is pure: [`group_failures`] reads the tallies and returns the groups,
//! most important first (groups that touch required specs, then the larger ones).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::text::{strip_ansi, truncate_chars};
use crate::verdict::{FailedTest, SpecTally};

/// Longest headline, in characters.
const HEADLINE_CHARS: usize = 240;
/// Longest `Expected` or `Received` value in a headline, in characters.
const VALUE_CHARS: usize = 80;

/// A line of a file of the repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    /// Repository-relative path.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What an error message says, reduced to what tells errors apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// What tests with this signature share: the headline with volatile parts masked.
    pub key: String,
    /// The informative lines, for people: `Expected 200, Received 500`, or the first line.
    pub headline: String,
    /// The `expect` matcher (`toBe`, `not.toContain`, `toHaveText`), when it is an `expect` error.
    pub matcher: Option<String>,
}

static MATCHER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"expect\(.*?\)\.((?:not\.)?[A-Za-z]+)\(").expect("matcher pattern is valid")
});
static EXPECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Expected(?: [A-Za-z ]+)?:\s*(.*)$").expect("expected pattern is valid")
});
static RECEIVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Received(?: [A-Za-z ]+)?:\s*(.*)$").expect("received pattern is valid")
});
/// Where the message proper ends: stack frames, code frames, call logs.
static TRAILER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:at |>?\s*\d+ \||\|\s|Call log:)").expect("trailer pattern is valid")
});

/// Volatile parts of a message, most specific first, with what replaces them.
static VOLATILE: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
            "<uuid>",
        ),
        (
            r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?",
            "<time>",
        ),
        (r"\b0x[0-9a-fA-F]+\b", "<hex>"),
        (
            r"\b[0-9a-f]*[a-f][0-9a-f]*\d[0-9a-f]*\b|\b[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*\b",
            "<hex?>",
        ),
        (
            r"\b\d+(?:\.\d+)?\s?(?:ms|s|sec|secs|seconds|m|min|minutes)\b",
            "<duration>",
        ),
        (r":\d{2,5}\b", ":<port>"),
        (r"\b\d{4,}\b", "<n>"),
        (r"([_#=])\d+\b", "${1}<n>"),
        (r"/\d+(/|\s|$)", "/<n>${1}"),
    ]
    .into_iter()
    .map(|(pattern, with)| {
        (
            Regex::new(pattern).expect("volatile pattern is valid"),
            with,
        )
    })
    .collect()
});

/// Masks what changes from run to run (ids, uuids, timestamps, durations, ports) in `text`.
pub fn mask_volatile(text: &str) -> String {
    let mut out = text.to_string();
    for (pattern, with) in VOLATILE.iter() {
        if *with == "<hex?>" {
            // Hex ids: only runs long enough not to be words or status codes.
            out = pattern
                .replace_all(&out, |c: &regex::Captures<'_>| {
                    if c[0].len() >= 8 {
                        "<hex>".to_string()
                    } else {
                        c[0].to_string()
                    }
                })
                .into_owned();
        } else {
            out = pattern.replace_all(&out, *with).into_owned();
        }
    }
    out
}

/// The signature of one error message (ANSI codes allowed).
pub fn signature(message: &str) -> Signature {
    let plain = strip_ansi(message);
    let lines: Vec<&str> = plain
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take_while(|l| !TRAILER.is_match(l))
        .collect();
    let Some(first) = lines.first() else {
        return Signature {
            key: "(no error message)".to_string(),
            headline: "(no error message)".to_string(),
            matcher: None,
        };
    };
    let first = strip_error_prefix(first);
    let matcher_line = lines.iter().position(|l| MATCHER.is_match(l));
    let matcher = matcher_line
        .and_then(|i| MATCHER.captures(lines[i]))
        .map(|c| c[1].to_string());
    let value = |re: &Regex| {
        lines
            .iter()
            .find_map(|l| re.captures(l).map(|c| c[1].trim().to_string()))
            .filter(|v| !v.is_empty())
    };
    // A deep-equality diff (`- Expected  - 2` / `+ Received  + 2`, then `-`/`+` lines):
    // its first changed lines are the pair.
    let diff = |sign: &str, header: &str| {
        let changed: Vec<&str> = lines
            .iter()
            .filter(|l| l.starts_with(sign) && !l.starts_with(header))
            .map(|l| l[sign.len()..].trim().trim_end_matches(','))
            .filter(|v| !v.is_empty())
            .take(2)
            .collect();
        (!changed.is_empty()).then(|| changed.join("; "))
    };
    let has_diff = lines.iter().any(|l| l.starts_with("- Expected"));
    let (expected, received) = match matcher {
        Some(_) if has_diff => (diff("-", "- Expected"), diff("+", "+ Received")),
        Some(_) => (value(&EXPECTED), value(&RECEIVED)),
        None => (None, None),
    };
    // The assertion's own message (`expect(x, 'why')`) comes before the matcher line.
    let custom = match matcher_line {
        Some(0) => None,
        Some(_) | None => Some(first.to_string()),
    };
    let pair: Vec<String> = [("Expected", &expected), ("Received", &received)]
        .into_iter()
        .filter_map(|(name, v)| {
            v.as_deref()
                .map(|v| format!("{name} {}", truncate_chars(v, VALUE_CHARS)))
        })
        .collect();
    let (headline, key) = if matcher.is_some() && !pair.is_empty() {
        let pair = pair.join(", ");
        let headline = match &custom {
            Some(custom) => format!("{custom}: {pair}"),
            None => pair.clone(),
        };
        let key = format!(
            "expect {} | {} | {}",
            matcher.as_deref().unwrap_or(""),
            custom.as_deref().map(mask_volatile).unwrap_or_default(),
            mask_ids_only(&pair)
        );
        (headline, key)
    } else {
        let line = match (&custom, matcher_line) {
            (Some(custom), _) => custom.clone(),
            (None, Some(i)) => strip_error_prefix(lines[i]).to_string(),
            (None, None) => first.to_string(),
        };
        let key = mask_volatile(&line);
        (line, key)
    };
    Signature {
        key,
        headline: truncate_chars(&headline, HEADLINE_CHARS).into_owned(),
        matcher,
    }
}

/// `Error: x` → `x`; other error names (`TimeoutError: x`) say something and stay.
fn strip_error_prefix(line: &str) -> &str {
    line.strip_prefix("Error:").map_or(line, str::trim_start)
}

/// In `Expected` / `Received` values only ids change from run to run: status codes and small
/// numbers are the point of the assertion.
fn mask_ids_only(text: &str) -> String {
    let mut out = text.to_string();
    for (pattern, with) in VOLATILE.iter().take(2) {
        out = pattern.replace_all(&out, *with).into_owned();
    }
    out
}

/// A failed test and the spec file it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupedTest {
    /// Repository path of the spec file.
    pub spec: String,
    /// The test.
    pub test: FailedTest,
}

/// Tests that failed the same way at the same place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureGroup {
    /// Where they failed, when inside the repository.
    pub place: Option<Place>,
    /// The informative lines of the first test's error.
    pub headline: String,
    /// The `expect` matcher, for `expect` errors.
    pub matcher: Option<String>,
    /// The tests, in report order.
    pub tests: Vec<GroupedTest>,
    /// The spec files of the tests, in order of first appearance.
    pub specs: Vec<String>,
    /// How many of `specs` are required.
    pub required_specs: usize,
}

impl FailureGroup {
    /// The group in one line, e.g. "6 tests in 2 required specs failed at
    /// `e2e/support/backend.ts:36`: Expected 200, Received 500". Paths are in backticks.
    pub fn sentence(&self) -> String {
        let tests = self.tests.len();
        let noun = if tests == 1 { "test" } else { "tests" };
        let specs = match (self.specs.as_slice(), self.required_specs) {
            ([only], 1) => format!("required spec `{only}`"),
            ([only], _) => format!("spec `{only}`"),
            (all, required) if required == all.len() => format!("{} required specs", all.len()),
            (all, 0) => format!("{} specs", all.len()),
            (all, required) => format!("{} specs ({required} required)", all.len()),
        };
        let at = match &self.place {
            Some(place) => format!(" at `{place}`"),
            None => String::new(),
        };
        format!("{tests} {noun} in {specs} failed{at}: {}", self.headline)
    }
}

/// Groups the listed failed tests of every spec by signature and place.
///
/// `is_required` says whether a spec file is required. Groups touching required specs come
/// first, then larger groups, then in report order. Tests counted but not listed (beyond the
/// tallies' listing bounds) are in no group.
pub fn group_failures(
    tallies: &BTreeMap<String, SpecTally>,
    is_required: &dyn Fn(&str) -> bool,
) -> Vec<FailureGroup> {
    let mut groups: Vec<FailureGroup> = Vec::new();
    let mut index: HashMap<(String, Option<Place>), usize> = HashMap::new();
    for (spec, tally) in tallies {
        for failure in &tally.failures {
            let sig = signature(&failure.message);
            let place = failure.location.clone().or_else(|| {
                failure.error_line.map(|line| Place {
                    file: spec.clone(),
                    line,
                })
            });
            let slot = *index.entry((sig.key, place.clone())).or_insert_with(|| {
                groups.push(FailureGroup {
                    place,
                    headline: sig.headline,
                    matcher: sig.matcher,
                    tests: Vec::new(),
                    specs: Vec::new(),
                    required_specs: 0,
                });
                groups.len() - 1
            });
            let group = &mut groups[slot];
            if !group.specs.contains(spec) {
                group.specs.push(spec.clone());
                if is_required(spec) {
                    group.required_specs += 1;
                }
            }
            group.tests.push(GroupedTest {
                spec: spec.clone(),
                test: failure.clone(),
            });
        }
    }
    // Stable: equal groups keep report order.
    groups.sort_by_key(|g| (g.required_specs == 0, std::cmp::Reverse(g.tests.len())));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::TestRef;

    /// The users' bootstrap failure as Playwright 1.58 writes it (ANSI codes and code frame).
    const BOOTSTRAP: &str = "Error: \u{1b}[2mexpect(\u{1b}[22m\u{1b}[31mreceived\u{1b}[39m\u{1b}[2m).\u{1b}[22mtoBe\u{1b}[2m(\u{1b}[22m\u{1b}[32mexpected\u{1b}[39m\u{1b}[2m) // Object.is equality\u{1b}[22m\n\nExpected: \u{1b}[32m200\u{1b}[39m\nReceived: \u{1b}[31m500\u{1b}[39m\n\n\u{1b}[90m   at \u{1b}[39msupport/backend.ts:36\n\n 34 |     console.error(`Live auth bypass preflight failed`);\n> 36 |   expect(response.status()).toBe(200);";

    fn failed(title: &str, message: &str, place: Option<(&str, u32)>) -> FailedTest {
        FailedTest {
            test: TestRef {
                title: title.into(),
                project: "chromium".into(),
                line: 14,
            },
            status: "failed".into(),
            attempts: 3,
            message: message.into(),
            error_line: None,
            location: place.map(|(file, line)| Place {
                file: file.into(),
                line,
            }),
        }
    }

    #[test]
    fn expect_errors_keep_the_matcher_and_the_pair() {
        let sig = signature(BOOTSTRAP);
        assert_eq!(sig.headline, "Expected 200, Received 500");
        assert_eq!(sig.matcher.as_deref(), Some("toBe"));
    }

    #[test]
    fn an_assertion_message_comes_first() {
        let sig = signature(
            "Error: Live backend not healthy at http://127.0.0.1:3001\n\nexpect(received).toBe(expected) // Object.is equality\n\nExpected: true\nReceived: false\n\n   at helpers/ai-coach-live.ts:27",
        );
        assert_eq!(
            sig.headline,
            "Live backend not healthy at http://127.0.0.1:3001: Expected true, Received false"
        );
    }

    #[test]
    fn received_alone_and_other_matchers() {
        let sig = signature("Error: expect(received).toBeTruthy()\n\nReceived: false");
        assert_eq!(sig.headline, "Received false");
        assert_eq!(sig.matcher.as_deref(), Some("toBeTruthy"));
        let sig = signature(
            "Error: expect(locator).not.toHaveText(expected) failed\n\nLocator: x\nExpected string: \"a\"\nReceived string: \"a\"\nTimeout: 5000ms",
        );
        assert_eq!(sig.matcher.as_deref(), Some("not.toHaveText"));
        assert_eq!(sig.headline, "Expected \"a\", Received \"a\"");
    }

    #[test]
    fn deep_equality_diffs_give_their_first_changed_lines() {
        let sig = signature(
            "Error: expect(received).toEqual(expected) // deep equality\n\n- Expected  - 2\n+ Received  + 2\n\n@@ -1,8 +1,8 @@\n  Object {\n-   \"setups\": 3,\n-   \"status\": \"triggered\",\n+   \"setups\": 2,\n+   \"status\": \"active\",\n    \"symbol\": \"SPX\",\n\n  10 |     x\n> 12 |       expect(actual).toEqual({});",
        );
        assert_eq!(
            sig.headline,
            "Expected \"setups\": 3; \"status\": \"triggered\", Received \"setups\": 2; \"status\": \"active\""
        );
        assert_eq!(sig.matcher.as_deref(), Some("toEqual"));
    }

    #[test]
    fn other_errors_use_the_first_line_with_volatile_parts_masked() {
        let a = signature(
            "TimeoutError: request 3f2a9c1e-0b7d-4c55-9a0e-1d2e3f4a5b6c to http://127.0.0.1:3001 timed out after 5012ms\n    at x (/a.ts:1:1)",
        );
        let b = signature(
            "TimeoutError: request 00000000-0000-4000-8000-00000000e2e0 to http://127.0.0.1:4173 timed out after 4987ms",
        );
        assert_eq!(a.key, b.key);
        assert_eq!(
            a.key,
            "TimeoutError: request <uuid> to http://127.0.0.1:<port> timed out after <duration>"
        );
        assert!(a.headline.contains("5012ms"), "people see the real text");
        assert_eq!(
            mask_volatile(
                "trace deadbeef1234cafe at 2026-02-09T14:13:00.000Z id=12 ts_7 #1234 /setups/12/x"
            ),
            "trace <hex> at <time> id=<n> ts_<n> #<n> /setups/<n>/x"
        );
        assert_eq!(signature("Error: x failed").headline, "x failed");
        assert_eq!(signature("\n\n").headline, "(no error message)");
    }

    #[test]
    fn the_bootstrap_failure_is_one_group_said_once() {
        let place = Some(("e2e/support/backend.ts", 36));
        let mut api = SpecTally::default();
        for title in ["health", "auth", "watchlist", "scanner"] {
            api.failures.push(failed(title, BOOTSTRAP, place));
        }
        let mut workflow = SpecTally::default();
        for title in ["workflow", "dismiss"] {
            workflow.failures.push(failed(title, BOOTSTRAP, place));
        }
        let tallies = BTreeMap::from([
            ("e2e/specs/ai-coach/ai-coach-api.spec.ts".to_string(), api),
            (
                "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts".to_string(),
                workflow,
            ),
        ]);
        let groups = group_failures(&tallies, &|_| true);
        assert_eq!(groups.len(), 1);
        assert_eq!(
            groups[0].sentence(),
            "6 tests in 2 required specs failed at `e2e/support/backend.ts:36`: Expected 200, Received 500"
        );
    }

    #[test]
    fn different_places_or_messages_are_different_groups_required_first() {
        let mut other = SpecTally::default();
        other
            .failures
            .push(failed("a", "Error: boom", Some(("e2e/x.ts", 1))));
        other
            .failures
            .push(failed("b", "Error: boom", Some(("e2e/x.ts", 2))));
        other
            .failures
            .push(failed("c", "Error: boom", Some(("e2e/x.ts", 2))));
        let mut required = SpecTally::default();
        required.failures.push(failed("d", "Error: bang", None));
        let tallies = BTreeMap::from([
            ("e2e/a.spec.ts".to_string(), other),
            ("e2e/z.spec.ts".to_string(), required),
        ]);
        let groups = group_failures(&tallies, &|s| s == "e2e/z.spec.ts");
        let sentences: Vec<String> = groups.iter().map(FailureGroup::sentence).collect();
        assert_eq!(
            sentences,
            [
                "1 test in required spec `e2e/z.spec.ts` failed: bang",
                "2 tests in spec `e2e/a.spec.ts` failed at `e2e/x.ts:2`: boom",
                "1 test in spec `e2e/a.spec.ts` failed at `e2e/x.ts:1`: boom",
            ]
        );
    }
}
