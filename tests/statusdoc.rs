//! The evidence block and its place in the status document: on the users' real document
//! (`tests/fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md`, 970 lines, no markers, no evidence
//! heading) and, with proptest, on arbitrary documents.

use chrono::{DateTime, Duration, TimeZone, Utc};
use itm_gate::evidence::{self, Evidence};
use itm_gate::gate::GateResult;
use itm_gate::statusdoc::{
    BEGIN_MARKER, END_MARKER, Placement, apply_evidence, evidence_section, marked_region,
    unified_diff,
};
use itm_gate::verdict::Verdict;
use proptest::prelude::*;

const REAL: &str = include_str!("fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md");
const STATUS_PATH: &str = "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";

fn evidence(result: GateResult, notes: &str) -> Evidence {
    Evidence {
        date: evidence::format_date(utc(2026, 2, 9, 14, 13, 0), chrono_tz::America::New_York),
        commit: "4f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e".into(),
        workflow_url: evidence::workflow_url(
            Some("https://github.com"),
            Some("n8kahl/ITM-gd"),
            Some("13212345678"),
            Some("2"),
        ),
        backend_url: Some(evidence::sanitize_backend_url(
            "https://e2e:hunter2@itm-backend-staging.up.railway.app/?debug=1",
        )),
        result,
        specs: vec![
            (
                "e2e/specs/ai-coach/ai-coach-api.spec.ts".into(),
                result.into(),
            ),
            (
                "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts".into(),
                Verdict::Fail,
            ),
        ],
        notes: notes.into(),
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid test instant")
}

fn wrapped(block: &str, eol: &str) -> String {
    let block = block.replace('\n', eol);
    format!("{BEGIN_MARKER}{eol}{block}{END_MARKER}{eol}")
}

#[test]
fn rendered_block_snapshot() {
    let block = evidence::render(&evidence(
        GateResult::Pass,
        "17 passed, 0 failed, 0 flaky, 0 skipped; required spec absent from the report: \
         e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts",
    ));
    insta::assert_snapshot!("evidence_block", block);
}

#[test]
fn real_document_without_markers_gets_the_block_appended() {
    assert!(!REAL.contains(BEGIN_MARKER) && !REAL.contains("Staging Live Gate Evidence"));
    let block = evidence::render(&evidence(GateResult::Pass, "first run"));
    let (new, placement) = apply_evidence(REAL, &block);
    assert_eq!(placement, Placement::Appended);
    assert_eq!(new, format!("{REAL}\n{}", wrapped(&block, "\n")));
    let parsed = evidence::parse_block(&new).expect("block is readable");
    assert_eq!(parsed.result, Some(Verdict::Pass));
    assert_eq!(
        parsed.commit.as_deref(),
        Some("4f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e")
    );
    assert_eq!(
        parsed.backend_url.as_deref(),
        Some("https://itm-backend-staging.up.railway.app")
    );
}

#[test]
fn second_application_replaces_only_the_marked_region() {
    let first = evidence::render(&evidence(GateResult::Pass, "first run"));
    let second = evidence::render(&evidence(GateResult::Fail, "second run"));
    let (once, _) = apply_evidence(REAL, &first);
    let (twice, placement) = apply_evidence(&once, &second);
    assert_eq!(placement, Placement::Markers);
    assert_eq!(twice, format!("{REAL}\n{}", wrapped(&second, "\n")));
    let region = marked_region(&twice).expect("markers");
    assert_eq!(&twice[region.clone()], second);
    assert_eq!(&twice[..region.start], &once[..region.start]);
    assert_eq!(
        evidence::parse_block(&twice).and_then(|p| p.result),
        Some(Verdict::Fail)
    );
    // Nothing new: the document is the same, so the gate does not commit again.
    assert_eq!(apply_evidence(&twice, &second).0, twice);
}

#[test]
fn hand_written_evidence_section_is_replaced_in_place() {
    let anchor = "## 4) Optional Follow-ups";
    let hand_written = "### Staging Live Gate Evidence\n- Date: 2026-02-01 10:00 ET\n\
                        - Result: PASS\n- Specs:\n  - e2e/specs/ai-coach/ai-coach-api.spec.ts: PASS\n\
                        #### Older notes\nkept with the section\n\n";
    let at = REAL
        .find(anchor)
        .expect("anchor heading in the real document");
    let copy = format!("{}{hand_written}{}", &REAL[..at], &REAL[at..]);
    let block = evidence::render(&evidence(GateResult::Pass, "replaced"));

    let (new, placement) = apply_evidence(&copy, &block);
    assert_eq!(placement, Placement::Heading);
    let expected = format!("{}{}\n{}", &REAL[..at], wrapped(&block, "\n"), &REAL[at..]);
    assert_eq!(new, expected);
    assert_eq!(apply_evidence(&new, &block).0, new);
}

#[test]
fn crlf_real_document_stays_crlf() {
    let crlf = REAL.replace('\n', "\r\n");
    let block = evidence::render(&evidence(GateResult::Pass, "crlf"));
    let (new, placement) = apply_evidence(&crlf, &block);
    assert_eq!(placement, Placement::Appended);
    assert_eq!(new, format!("{crlf}\r\n{}", wrapped(&block, "\r\n")));
    assert_eq!(new.matches('\n').count(), new.matches("\r\n").count());
    let (again, placement) = apply_evidence(&new, &block);
    assert_eq!(
        (again.as_str(), placement),
        (new.as_str(), Placement::Markers)
    );
}

#[test]
fn real_document_without_final_newline_or_with_bom() {
    let block = evidence::render(&evidence(GateResult::Pass, "edge"));
    let trimmed = REAL.trim_end_matches('\n');
    let (new, _) = apply_evidence(trimmed, &block);
    assert_eq!(new, format!("{trimmed}\n\n{}", wrapped(&block, "\n")));

    let bom = format!("\u{feff}{REAL}");
    let (new, _) = apply_evidence(&bom, &block);
    assert!(new.starts_with(&bom));
}

#[test]
fn dry_run_diff_of_the_real_document() {
    let block = evidence::render(&evidence(GateResult::Pass, "dry run"));
    let (new, _) = apply_evidence(REAL, &block);
    let diff = unified_diff(STATUS_PATH, REAL, &new);
    assert!(diff.starts_with(&format!("--- a/{STATUS_PATH}\n+++ b/{STATUS_PATH}\n")));
    let changed: Vec<&str> = diff
        .lines()
        .skip(2)
        .filter(|line| line.starts_with(['+', '-']))
        .collect();
    assert!(
        changed.iter().all(|line| line.starts_with('+')),
        "only additions: {diff}"
    );
    assert_eq!(changed.len(), block.lines().count() + 3);
    insta::assert_snapshot!("real_document_diff", diff);
    assert_eq!(unified_diff(STATUS_PATH, &new, &new), "");
}

#[test]
fn evidence_dates_across_daylight_saving_time() {
    let ny = chrono_tz::America::New_York;
    let cases = [
        (utc(2026, 3, 8, 6, 59, 0), "2026-03-08 01:59 ET"),
        (utc(2026, 3, 8, 7, 0, 0), "2026-03-08 03:00 ET"),
        (utc(2026, 11, 1, 5, 30, 0), "2026-11-01 01:30 ET"),
        (utc(2026, 11, 1, 6, 30, 0), "2026-11-01 01:30 ET"),
        (
            utc(2026, 2, 9, 14, 13, 0) + Duration::milliseconds(59_900),
            "2026-02-09 09:13 ET",
        ),
        (
            utc(2026, 12, 31, 23, 59, 59) + Duration::milliseconds(999),
            "2026-12-31 18:59 ET",
        ),
    ];
    for (instant, expected) in cases {
        assert_eq!(evidence::format_date(instant, ny), expected, "{instant}");
    }
    let tz = evidence::parse_timezone("America/New_York").expect("default zone parses");
    assert_eq!(evidence::format_date(cases[1].0, tz), "2026-03-08 03:00 ET");
}

// ---------------------------------------------------------------------------------------------
// Properties on arbitrary documents

/// Lines that exercise every rule: headings of each level, the evidence heading, fences, markers,
/// blank and indented lines.
fn doc_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("# Title".to_owned()),
        Just("## Section".to_owned()),
        Just("### Staging Live Gate Evidence".to_owned()),
        Just("   ### staging live gate evidence ##".to_owned()),
        Just("#### Detail".to_owned()),
        Just("### Other".to_owned()),
        Just("```".to_owned()),
        Just("```md".to_owned()),
        Just("~~~".to_owned()),
        Just(BEGIN_MARKER.to_owned()),
        Just(format!("  {END_MARKER} ")),
        Just(END_MARKER.to_owned()),
        Just(String::new()),
        Just("   ".to_owned()),
        Just("- Result: PASS".to_owned()),
        Just("text with é and \r inside".to_owned()),
        "[a-z #`~-]{0,12}",
    ]
}

fn document() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec((doc_line(), any::<bool>()), 0..24),
        any::<bool>(),
    )
        .prop_map(|(bom, lines, final_newline)| {
            let mut doc = String::new();
            if bom {
                doc.push('\u{feff}');
            }
            let count = lines.len();
            for (index, (line, crlf)) in lines.into_iter().enumerate() {
                doc.push_str(&line);
                if index + 1 < count || final_newline {
                    doc.push_str(if crlf { "\r\n" } else { "\n" });
                }
            }
            doc
        })
}

fn block() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(doc_line(), 0..8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf, final_newline)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut block = lines.join(eol);
            if final_newline {
                block.push_str(eol);
            }
            block
        })
}

fn arbitrary_evidence() -> impl Strategy<Value = Evidence> {
    let text = "[ -~\r\n\u{2028}\u{85}\t]{0,40}";
    (
        text,
        prop::option::of(text),
        prop::collection::vec(
            (
                text,
                prop::sample::select(vec![Verdict::Pass, Verdict::Fail, Verdict::Skip]),
            ),
            0..4,
        ),
        any::<bool>(),
    )
        .prop_map(|(notes, backend, specs, pass)| Evidence {
            date: "2026-02-09 09:13 ET".into(),
            commit: "4f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e".into(),
            workflow_url: None,
            backend_url: backend.map(|url| evidence::sanitize_backend_url(&url)),
            result: if pass {
                GateResult::Pass
            } else {
                GateResult::Fail
            },
            specs,
            notes,
        })
}

proptest! {
    #[test]
    fn applying_twice_equals_applying_once(doc in document(), block in block()) {
        let (once, _) = apply_evidence(&doc, &block);
        let (twice, placement) = apply_evidence(&once, &block);
        prop_assert_eq!(&twice, &once);
        prop_assert_eq!(placement, Placement::Markers);
    }

    #[test]
    fn the_last_block_wins_whatever_came_before(doc in document(), a in block(), b in block()) {
        let (with_a, _) = apply_evidence(&doc, &a);
        prop_assert_eq!(apply_evidence(&with_a, &b).0, apply_evidence(&doc, &b).0);
    }

    #[test]
    fn bytes_outside_the_region_are_unchanged(doc in document(), block in block()) {
        let (new, placement) = apply_evidence(&doc, &block);
        let region = marked_region(&new).expect("the result always has a marker pair");
        match placement {
            Placement::Appended => {
                // Removing the separator and the wrapped block gives back the original.
                prop_assert!(new.starts_with(&doc));
                let added = &new[doc.len()..];
                let wrapped_at = added.find(BEGIN_MARKER).expect("begin marker appended");
                prop_assert!(added[..wrapped_at].chars().all(|c| c == '\r' || c == '\n'));
                prop_assert!(added[..wrapped_at].matches('\n').count() <= 2);
                let ends_lf = added.ends_with(&format!("{END_MARKER}\n"));
                let ends_crlf = added.ends_with(&format!("{END_MARKER}\r\n"));
                prop_assert!(ends_lf || ends_crlf);
                prop_assert_eq!(added.matches(END_MARKER).count(), 1);
            }
            Placement::Markers => {
                let old = marked_region(&doc).expect("the original had markers");
                prop_assert_eq!(&new[..region.start], &doc[..old.start]);
                prop_assert_eq!(&new[region.end..], &doc[old.end..]);
                // Putting the old region back gives back the original.
                let restored = format!("{}{}{}", &new[..region.start], &doc[old.clone()], &new[region.end..]);
                prop_assert_eq!(restored, doc.clone());
            }
            Placement::Heading => {
                let section = evidence_section(&doc).expect("the original had a section");
                prop_assert_eq!(&new[..section.start], &doc[..section.start]);
                prop_assert!(new.ends_with(&doc[section.end..]));
                prop_assert!(new[section.start..].starts_with(BEGIN_MARKER));
            }
        }
    }

    #[test]
    fn inserted_lines_follow_the_document_style(doc in document(), block in block()) {
        let (new, _) = apply_evidence(&doc, &block);
        let region = marked_region(&new).expect("markers");
        let inserted = &new[region];
        let all_crlf = inserted.matches('\n').count() == inserted.matches("\r\n").count();
        let no_crlf = !inserted.contains("\r\n");
        prop_assert!(all_crlf || no_crlf);
        // Every line of the block except marker lines lands in the region.
        let kept = block
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter(|l| l.trim() != BEGIN_MARKER && l.trim() != END_MARKER)
            .count();
        let kept = if block.ends_with('\n') || block.is_empty() { kept - 1 } else { kept };
        prop_assert_eq!(inserted.matches('\n').count(), kept);
    }

    #[test]
    fn rendered_blocks_keep_their_shape(evidence in arbitrary_evidence(), doc in document()) {
        let block = evidence::render(&evidence);
        prop_assert!(block.ends_with('\n') && !block.contains('\r'));
        prop_assert_eq!(block.lines().count(), 8 + evidence.specs.len());
        let (new, _) = apply_evidence(&doc, &block);
        let parsed = evidence::parse_block(&new).expect("readable");
        prop_assert_eq!(parsed.result, Some(evidence.result.into()));
        prop_assert_eq!(parsed.commit.as_deref(), Some(evidence.commit.as_str()));
        prop_assert_eq!(parsed.date.as_deref(), Some("2026-02-09 09:13 ET"));
        prop_assert_eq!(apply_evidence(&new, &block).0, new);
    }

    #[test]
    fn sanitized_backend_urls_never_keep_credentials_or_queries(
        scheme in "(https?://)?",
        user in "[a-z]{1,8}",
        password in "[a-zA-Z0-9/?#:]{1,12}",
        host in "[a-z]{1,10}\\.example\\.com(:[1-9][0-9]{3})?",
        tail in "(/[a-z]{0,6})?(\\?token=[a-z]{1,8})?(#[a-z]{0,5})?",
    ) {
        let url = format!("{scheme}{user}:{password}@{host}{tail}");
        let shown = evidence::sanitize_backend_url(&url);
        prop_assert!(!shown.contains('@') && !shown.contains('?') && !shown.contains('#'));
        if scheme.is_empty() && format!("{user}:{password}").contains("://") {
            // `user://@host` reads as a URL with an unknown scheme: hidden.
            prop_assert_eq!(shown, evidence::HIDDEN_URL);
        } else {
            // Scheme, host and port, and the path, which credentials no longer hide.
            let path = tail.split(['?', '#']).next().unwrap_or_default();
            let path = if path == "/" { "" } else { path };
            prop_assert!(shown == format!("{scheme}{host}{path}"), "{} -> {}", url, shown);
        }
    }
}
