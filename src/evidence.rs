//! The runbook's evidence block (DESIGN.md section 4): its fields, its text, and reading it back.
//!
//! Everything here is pure. [`render`] makes the block the gate shows in the job summary, the
//! `evidence` output and the status document (placed there by [`crate::statusdoc`]);
//! [`parse_block`] reads a block back for `readiness`. The helpers format the date, build the
//! workflow run URL and take credentials out of the backend URL.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::{OffsetName, Tz};

use crate::gate::GateResult;
use crate::statusdoc;
use crate::text::truncate_chars;
use crate::verdict::Verdict;

/// Shown for a field that has no value (no workflow run when running locally, no backend URL).
pub const NOT_AVAILABLE: &str = "n/a";
/// Shown instead of a backend URL that cannot be parsed: it might hold a credential.
pub const HIDDEN_URL: &str = "(unparsable URL hidden)";
/// Characters a spec path in the `Specs:` list is cut to.
pub const SPEC_PATH_CHARS: usize = 300;
/// Time zone names labelled `ET` in the evidence date, as in the runbook.
const EASTERN: [&str; 3] = ["America/New_York", "US/Eastern", "EST5EDT"];

/// Everything the evidence block shows; built by the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// When the run started, already formatted by [`format_date`].
    pub date: String,
    /// The commit under test: a 40-hex sha, or `unknown` when running locally without `GITHUB_SHA`.
    pub commit: String,
    /// The workflow run, from [`workflow_url`]; `None` outside GitHub Actions.
    pub workflow_url: Option<String>,
    /// The backend the run tested, already passed through [`sanitize_backend_url`].
    pub backend_url: Option<String>,
    /// The gate's decision (`PASS` or `FAIL`).
    pub result: GateResult,
    /// Repository paths of the spec files and their verdicts, in display order.
    pub specs: Vec<(String, Verdict)>,
    /// One line of notes (counts, flaky tests, skip reasons, findings), composed by the gate.
    pub notes: String,
}

/// An evidence block read back from a document by [`parse_block`]. Text fields are trimmed, with
/// surrounding backticks removed; a field absent from the block is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedEvidence {
    /// The `Date:` field, as written.
    pub date: Option<String>,
    /// The `Commit:` field.
    pub commit: Option<String>,
    /// The `Workflow:` field.
    pub workflow: Option<String>,
    /// The `Backend URL:` field.
    pub backend_url: Option<String>,
    /// The `Result:` field when it states exactly one of `PASS`, `FAIL`, `SKIP` (see
    /// [`parse_block`]); `None` when missing or anything else, such as the template's `PASS | FAIL`.
    pub result: Option<Verdict>,
    /// The items under `Specs:`: path and verdict (`None` when not one verdict word).
    pub specs: Vec<(String, Option<Verdict>)>,
    /// The `Notes:` field.
    pub notes: Option<String>,
}

/// Errors of the evidence inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// The `timezone` input is not a time zone name known to the IANA database.
    #[error(
        "input `timezone`: `{input}` is not an IANA time zone name; \
         use a name such as `America/New_York` (the default), `Europe/Berlin` or `UTC`"
    )]
    UnknownTimezone {
        /// The input as given (one line, shortened).
        input: String,
    },
    /// The `timezone` input was set to an empty value.
    #[error(
        "input `timezone` is empty; leave it unset for `America/New_York` or give an IANA name \
         such as `UTC`"
    )]
    EmptyTimezone,
}

/// Renders the block exactly as the runbook template, with LF line endings and a final newline:
///
/// ```text
/// ### Staging Live Gate Evidence
/// - Date: 2026-02-09 09:13 ET
/// - Commit: <sha>
/// - Workflow: <url>
/// - Backend URL: <url>
/// - Result: PASS
/// - Specs:
///   - e2e/specs/ai-coach/ai-coach-api.spec.ts: PASS
/// - Notes: <notes>
/// ```
///
/// A missing or empty workflow URL, backend URL or notes shows `n/a`; no specs shows
/// `- Specs: none`. Every field is reduced to one line (line breaks and other control
/// characters become spaces), so no value can start a line of its own (a heading, a marker, a
/// field); other Markdown in the values is left as given.
pub fn render(evidence: &Evidence) -> String {
    let mut out = String::with_capacity(512);
    out.push_str("### Staging Live Gate Evidence\n");
    let fields = [
        ("Date", Some(evidence.date.as_str())),
        ("Commit", Some(evidence.commit.as_str())),
        ("Workflow", evidence.workflow_url.as_deref()),
        ("Backend URL", evidence.backend_url.as_deref()),
        ("Result", Some(evidence.result.as_str())),
    ];
    for (name, value) in fields {
        let _ = writeln!(out, "- {name}: {}", or_not_available(value));
    }
    if evidence.specs.is_empty() {
        out.push_str("- Specs: none\n");
    } else {
        out.push_str("- Specs:\n");
        for (path, verdict) in &evidence.specs {
            let path = escape_field(path, SPEC_PATH_CHARS);
            let _ = writeln!(out, "  - {}: {verdict}", or_not_available(Some(&path)));
        }
    }
    let _ = writeln!(out, "- Notes: {}", or_not_available(Some(&evidence.notes)));
    out
}

/// One line of untrusted text for a field of the block (spec paths, notes): ANSI codes removed,
/// white space (line breaks included) collapsed to single spaces, redacted and cut to
/// `max_chars` by [`crate::redact::cut`], and the characters that could start Markdown or HTML
/// markup escaped (`&`, `<`, `>` as entities; `` \ ` * _ [ ] | `` with a backslash). The block
/// is also read raw in the status document, so ordinary punctuation is left alone.
pub fn escape_field(text: &str, max_chars: usize) -> String {
    let plain = crate::text::strip_ansi(text);
    let one_line: String = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let short = crate::redact::cut(&one_line, max_chars);
    let mut out = String::with_capacity(short.len());
    for c in short.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Formats `instant` in `tz` as `2026-02-09 09:13 ET`: cut to the minute (never rounded up),
/// labelled `ET` for `America/New_York` (and its aliases `US/Eastern`, `EST5EDT`) whether
/// standard or daylight time applies, else with the zone's abbreviation at that instant (`CET`,
/// `CEST`, `UTC`), or the offset (`UTC+04:00`) where the database has no letters for it.
pub fn format_date(instant: DateTime<Utc>, tz: Tz) -> String {
    let local = instant.with_timezone(&tz);
    let label = if EASTERN.contains(&tz.name()) {
        "ET".to_owned()
    } else {
        match local.offset().abbreviation() {
            Some(abbreviation) if !abbreviation.is_empty() => abbreviation.to_owned(),
            _ => local.format("UTC%:z").to_string(),
        }
    };
    format!("{} {label}", local.format("%Y-%m-%d %H:%M"))
}

/// Parses the `timezone` input: an IANA time zone name such as `America/New_York` or `UTC`
/// (surrounding whitespace ignored, exact case).
pub fn parse_timezone(name: &str) -> Result<Tz, EvidenceError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(EvidenceError::EmptyTimezone);
    }
    name.parse::<Tz>()
        .map_err(|_| EvidenceError::UnknownTimezone {
            input: truncate_chars(&one_line(name), 80).into_owned(),
        })
}

/// The workflow run URL, `<server>/<owner>/<repo>/actions/runs/<run id>`, plus
/// `/attempts/<n>` when the attempt is a number above 1.
///
/// `None` when the server, the repository or the run id is missing or malformed (the server must
/// be an `http(s)://` URL, the repository `owner/name`, the run id a number), as when running
/// outside GitHub Actions.
pub fn workflow_url(
    server: Option<&str>,
    repository: Option<&str>,
    run_id: Option<&str>,
    attempt: Option<&str>,
) -> Option<String> {
    let server = present(server)?.trim_end_matches('/');
    let repository = present(repository)?.trim_matches('/');
    let run_id = present(run_id)?;

    let server_ok = (server.starts_with("https://") || server.starts_with("http://"))
        && !server.contains(|c: char| c.is_whitespace() || c.is_control());
    let repository_ok = repository.split('/').count() == 2
        && repository.split('/').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        });
    let run_id_ok = run_id.chars().all(|c| c.is_ascii_digit());
    if !(server_ok && repository_ok && run_id_ok) {
        return None;
    }

    let mut url = format!("{server}/{repository}/actions/runs/{run_id}");
    if let Some(attempt) = present(attempt).and_then(|a| a.parse::<u64>().ok())
        && attempt > 1
    {
        let _ = write!(url, "/attempts/{attempt}");
    }
    Some(url)
}

/// The backend URL as shown in the evidence: scheme, host, port and path, without credentials
/// (`user:pass@`), query string or fragment.
///
/// Parsed with the `url` crate (WHATWG URL rules), conservatively, since the value is user
/// input that might hold a secret:
/// - when the value contains `@` anywhere after the scheme, everything up to the last `@` is
///   taken for credentials and dropped (a password may itself contain `/`, `?`, `#` or `:`,
///   which would make a parser read part of it as host, port or path); the rest is parsed;
/// - a value that does not parse, has whitespace, or has a scheme other than `http`, `https`,
///   `ws` or `wss` becomes [`HIDDEN_URL`]; a value without a scheme
///   (`staging.example.com:3001`) is parsed as `http` and shown without one;
/// - host, port and path are shown as the parser normalises them (a lone `/` path and a
///   scheme's default port are left out);
/// - an empty value stays empty.
pub fn sanitize_backend_url(url: &str) -> String {
    let url = url.trim();
    if url.is_empty() {
        return String::new();
    }
    if url.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return HIDDEN_URL.to_owned();
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => {
            let known = ["http", "https", "ws", "wss"];
            if !known.iter().any(|known| scheme.eq_ignore_ascii_case(known)) {
                return HIDDEN_URL.to_owned();
            }
            (Some(scheme), rest)
        }
        None => (None, url),
    };
    let rest = rest
        .rsplit_once('@')
        .map_or(rest, |(_credentials, after)| after);
    let parse_scheme = scheme.unwrap_or("http").to_ascii_lowercase();
    let Ok(parsed) = url::Url::parse(&format!("{parse_scheme}://{rest}")) else {
        return HIDDEN_URL.to_owned();
    };
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return HIDDEN_URL.to_owned();
    };
    let mut out = String::with_capacity(url.len());
    if let Some(scheme) = scheme {
        out.push_str(scheme);
        out.push_str("://");
    }
    out.push_str(host);
    if let Some(port) = parsed.port() {
        let _ = write!(out, ":{port}");
    }
    if parsed.path() != "/" {
        out.push_str(parsed.path());
    }
    out
}

/// Whether an evidence block's `Commit:` field names `sha`: the full sha or an abbreviation of
/// at least 7 characters, case ignored. The one rule for "the evidence is for this commit", used
/// by `readiness` and by `run` when it reads the evidence back.
pub fn is_for_commit(evidence_commit: &str, sha: &str) -> bool {
    let evidence = evidence_commit.trim().to_ascii_lowercase();
    let sha = sha.trim().to_ascii_lowercase();
    evidence.len() >= 7 && sha.starts_with(&evidence)
}

/// Reads back an evidence block from `document`: between the markers when the document has them,
/// else in the first `### Staging Live Gate Evidence` section. `None` when neither exists or
/// neither holds any evidence field.
///
/// Fields are `- Name: value` list items (name case ignored, `**Name:**` accepted); spec items
/// are the indented items under `- Specs:`, `path: VERDICT`. A verdict is read when the value is
/// one of `PASS`, `FAIL`, `SKIP` (case ignored, emphasis allowed), optionally followed by a space
/// and remarks that name no other verdict (`PASS (2 flaky)`); `PASS | FAIL` or `PASS/FAIL/SKIP`
/// read as no verdict.
pub fn parse_block(document: &str) -> Option<ParsedEvidence> {
    let region =
        statusdoc::marked_region(document).or_else(|| statusdoc::evidence_section(document))?;
    let mut parsed = ParsedEvidence::default();
    let mut found = false;
    let mut in_specs = false;
    for line in document[region].lines() {
        let indent = line.len() - line.trim_start().len();
        let Some(item) = list_item(line.trim()) else {
            if !line.trim().is_empty() && indent == 0 {
                in_specs = false;
            }
            continue;
        };
        if in_specs && indent >= 2 {
            if let Some((path, verdict)) = item.split_once(':') {
                let path = clean_value(path);
                if !path.is_empty() {
                    parsed.specs.push((path.to_owned(), parse_verdict(verdict)));
                }
            }
            continue;
        }
        in_specs = false;
        let Some((name, value)) = item.split_once(':') else {
            continue;
        };
        let name = name
            .trim()
            .trim_matches(['*', '_'])
            .trim()
            .to_ascii_lowercase();
        let value = value.trim().trim_start_matches(['*', '_']);
        let slot = match name.as_str() {
            "date" => &mut parsed.date,
            "commit" => &mut parsed.commit,
            "workflow" => &mut parsed.workflow,
            "backend url" => &mut parsed.backend_url,
            "notes" => &mut parsed.notes,
            "result" => {
                found = true;
                parsed.result = parsed.result.or(parse_verdict(value));
                continue;
            }
            "specs" => {
                found = true;
                in_specs = true;
                continue;
            }
            _ => continue,
        };
        found = true;
        if slot.is_none() {
            *slot = Some(clean_value(value).to_owned());
        }
    }
    found.then_some(parsed)
}

/// The trimmed value, unless missing or empty.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// The value, or `n/a` when it is missing or empty; always one line.
fn or_not_available(value: Option<&str>) -> String {
    let line = value.map(one_line).unwrap_or_default();
    if line.is_empty() {
        NOT_AVAILABLE.to_owned()
    } else {
        line
    }
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Joins the lines of `text` with single spaces (each trimmed, empty ones dropped) and turns other
/// control characters into spaces, so the text cannot break the block's line structure.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in text
        .split(is_line_break)
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(piece.chars().map(|c| if c.is_control() { ' ' } else { c }));
    }
    out
}

/// The text of a Markdown list item (`- `, `* `, `+ `), if the trimmed line is one.
fn list_item(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(['-', '*', '+'])?;
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then(|| rest.trim())
}

fn clean_value(value: &str) -> &str {
    let value = value.trim();
    value
        .strip_prefix('`')
        .and_then(|v| v.strip_suffix('`'))
        .map(str::trim)
        .unwrap_or(value)
}

fn parse_verdict(value: &str) -> Option<Verdict> {
    let value = value.trim().trim_matches(['*', '_', '`']).trim();
    let word_end = value
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(value.len());
    let (word, remarks) = value.split_at(word_end);
    let verdict = match word.to_ascii_uppercase().as_str() {
        "PASS" => Verdict::Pass,
        "FAIL" => Verdict::Fail,
        "SKIP" => Verdict::Skip,
        _ => return None,
    };
    let remarks_upper = remarks.to_ascii_uppercase();
    let names_other = ["PASS", "FAIL", "SKIP"]
        .iter()
        .any(|other| remarks_upper.contains(other));
    let separated = remarks.is_empty() || remarks.starts_with(char::is_whitespace);
    (separated && !names_other && !remarks.contains('|')).then_some(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().unwrap()
    }

    fn sample() -> Evidence {
        Evidence {
            date: "2026-02-09 09:13 ET".into(),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            workflow_url: Some("https://github.com/o/r/actions/runs/42".into()),
            backend_url: Some("https://staging.example.com".into()),
            result: GateResult::Pass,
            specs: vec![
                (
                    "e2e/specs/ai-coach/ai-coach-api.spec.ts".into(),
                    Verdict::Pass,
                ),
                (
                    "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts".into(),
                    Verdict::Skip,
                ),
            ],
            notes: "12 passed, 0 failed".into(),
        }
    }

    #[test]
    fn renders_the_runbook_template() {
        assert_eq!(
            render(&sample()),
            "### Staging Live Gate Evidence\n\
             - Date: 2026-02-09 09:13 ET\n\
             - Commit: 0123456789abcdef0123456789abcdef01234567\n\
             - Workflow: https://github.com/o/r/actions/runs/42\n\
             - Backend URL: https://staging.example.com\n\
             - Result: PASS\n\
             - Specs:\n  \
               - e2e/specs/ai-coach/ai-coach-api.spec.ts: PASS\n  \
               - e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts: SKIP\n\
             - Notes: 12 passed, 0 failed\n"
        );
    }

    #[test]
    fn missing_values_show_not_available() {
        let mut evidence = sample();
        evidence.workflow_url = None;
        evidence.backend_url = Some(String::new());
        evidence.notes = " \n ".into();
        evidence.specs.clear();
        let block = render(&evidence);
        assert!(
            block.contains("- Workflow: n/a\n- Backend URL: n/a\n"),
            "{block}"
        );
        assert!(block.contains("- Specs: none\n- Notes: n/a\n"), "{block}");
    }

    #[test]
    fn line_breaks_in_values_cannot_add_lines() {
        let mut evidence = sample();
        evidence.notes =
            "first\r\n### Staging Live Gate Evidence\n<!-- itm-gate:evidence:end -->\u{2028}x"
                .into();
        evidence.backend_url = Some("https://a\n- Result: PASS".into());
        evidence.specs[0].0 = "a.spec.ts\n- Notes: forged".into();
        let block = render(&evidence);
        assert_eq!(block.lines().count(), 10, "{block}");
        assert!(block.contains(
            "- Notes: first ### Staging Live Gate Evidence <!-- itm-gate:evidence:end --> x\n"
        ));
        assert!(block.contains("- Backend URL: https://a - Result: PASS\n"));
        assert!(block.contains("  - a.spec.ts - Notes: forged: PASS\n"));
        assert!(!block.contains('\r'));
    }

    #[test]
    fn dates_are_cut_to_the_minute_across_daylight_saving_changes() {
        let ny = chrono_tz::America::New_York;
        assert_eq!(
            format_date(utc(2026, 3, 8, 6, 59, 59), ny),
            "2026-03-08 01:59 ET"
        );
        assert_eq!(
            format_date(utc(2026, 3, 8, 7, 0, 0), ny),
            "2026-03-08 03:00 ET"
        );
        assert_eq!(
            format_date(utc(2026, 11, 1, 5, 30, 0), ny),
            "2026-11-01 01:30 ET"
        );
        assert_eq!(
            format_date(utc(2026, 11, 1, 6, 30, 0), ny),
            "2026-11-01 01:30 ET"
        );
        assert_eq!(
            format_date(utc(2026, 2, 9, 14, 13, 0), ny),
            "2026-02-09 09:13 ET"
        );
    }

    #[test]
    fn other_zones_use_their_abbreviation() {
        let instant = utc(2026, 1, 15, 12, 0, 0);
        assert_eq!(
            format_date(instant, chrono_tz::Europe::Berlin),
            "2026-01-15 13:00 CET"
        );
        assert_eq!(
            format_date(utc(2026, 7, 1, 12, 0, 0), chrono_tz::Europe::Berlin),
            "2026-07-01 14:00 CEST"
        );
        assert_eq!(format_date(instant, chrono_tz::UTC), "2026-01-15 12:00 UTC");
        assert_eq!(
            format_date(instant, chrono_tz::US::Eastern),
            "2026-01-15 07:00 ET"
        );
        assert_eq!(
            format_date(instant, chrono_tz::EST5EDT),
            "2026-01-15 07:00 ET"
        );
        assert_eq!(
            format_date(instant, chrono_tz::Asia::Dubai),
            "2026-01-15 16:00 UTC+04:00"
        );
    }

    #[test]
    fn timezone_input_errors_name_the_input() {
        assert_eq!(
            parse_timezone(" America/New_York "),
            Ok(chrono_tz::America::New_York)
        );
        assert_eq!(parse_timezone("UTC"), Ok(chrono_tz::UTC));
        let err = parse_timezone("Mars/Olympus").unwrap_err();
        assert!(
            err.to_string().contains("input `timezone`: `Mars/Olympus`"),
            "{err}"
        );
        assert_eq!(parse_timezone("  "), Err(EvidenceError::EmptyTimezone));
        let err = parse_timezone("bad\nzone").unwrap_err().to_string();
        assert!(!err.contains('\n'));
    }

    #[test]
    fn workflow_urls() {
        let url = |attempt| {
            workflow_url(
                Some("https://github.com/"),
                Some("n8kahl/itm"),
                Some("123"),
                attempt,
            )
        };
        assert_eq!(
            url(None).as_deref(),
            Some("https://github.com/n8kahl/itm/actions/runs/123")
        );
        assert_eq!(url(Some("1")), url(None));
        assert_eq!(url(Some("x")), url(None));
        assert_eq!(
            url(Some("3")).as_deref(),
            Some("https://github.com/n8kahl/itm/actions/runs/123/attempts/3")
        );
        assert_eq!(workflow_url(None, Some("o/r"), Some("1"), None), None);
        assert_eq!(
            workflow_url(Some("https://g"), Some(" "), Some("1"), None),
            None
        );
        assert_eq!(
            workflow_url(Some("https://g"), Some("o/r"), None, None),
            None
        );
        assert_eq!(
            workflow_url(Some("https://g"), Some("o/r"), Some("1;rm"), None),
            None
        );
        assert_eq!(
            workflow_url(Some("javascript:x"), Some("o/r"), Some("1"), None),
            None
        );
        assert_eq!(
            workflow_url(Some("https://g"), Some("o/r/x"), Some("1"), None),
            None
        );
    }

    #[test]
    fn backend_urls_lose_credentials_query_and_fragment() {
        let cases = [
            ("https://staging.example.com", "https://staging.example.com"),
            (
                "  https://staging.example.com/api/  ",
                "https://staging.example.com/api/",
            ),
            (
                "https://host.example.com/health?token=abc#frag",
                "https://host.example.com/health",
            ),
            (
                "https://u:p/ss@host.example.com",
                "https://host.example.com",
            ),
            (
                "https://u:p?ss#@host.example.com",
                "https://host.example.com",
            ),
            ("http://localhost:3001/", "http://localhost:3001"),
            ("http://[::1]:3001/x", "http://[::1]:3001/x"),
            ("staging.example.com:8080", "staging.example.com:8080"),
            ("user:secret", HIDDEN_URL),
            ("https://host:port/", HIDDEN_URL),
            ("https://a b", HIDDEN_URL),
            ("https://a\nb", HIDDEN_URL),
            ("ht tp://x", HIDDEN_URL),
            ("1http://x", HIDDEN_URL),
            ("user://@host.example.com", HIDDEN_URL),
            ("HTTPS://host.example.com", "HTTPS://host.example.com"),
            (
                "wss://host.example.com/ws?token=x",
                "wss://host.example.com/ws",
            ),
            ("https://", HIDDEN_URL),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize_backend_url(input), expected, "{input:?}");
        }
    }

    /// Issue 11 point 7: spec paths in `Specs:` were written raw (Markdown, HTML, backticks).
    #[test]
    fn spec_paths_are_escaped_like_other_untrusted_text() {
        let mut evidence = sample();
        evidence.specs = vec![(
            "e2e/specs/<img src=x onerror=alert(1)>|`x`*_[a](b).spec.ts".to_string(),
            Verdict::Fail,
        )];
        let block = render(&evidence);
        assert!(
            block.contains(
                "  - e2e/specs/&lt;img src=x onerror=alert(1)&gt;\\|\\`x\\`\\*\\_\\[a\\](b).spec.ts: FAIL\n"
            ),
            "{block}"
        );
    }

    /// Issue 11 point 7: the path stayed hidden whenever credentials were present.
    #[test]
    fn backend_url_keeps_its_path_when_credentials_are_dropped() {
        let cases = [
            (
                "https://user:pw@staging.example.com/api?x=1",
                "https://staging.example.com/api",
            ),
            (
                "https://user:pw@staging.example.com:8443/api/v1?k=1#f",
                "https://staging.example.com:8443/api/v1",
            ),
            (
                "https://u:p/ss@host.example.com/x",
                "https://host.example.com/x",
            ),
            (
                "wss://u:p@host.example.com/ws#x",
                "wss://host.example.com/ws",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize_backend_url(input), expected, "{input:?}");
        }
    }

    #[test]
    fn parses_back_a_rendered_block() {
        let doc = format!("# S\n\n{}", render(&sample()));
        let parsed = parse_block(&doc).unwrap();
        assert_eq!(parsed.date.as_deref(), Some("2026-02-09 09:13 ET"));
        assert_eq!(
            parsed.commit.as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(
            parsed.workflow.as_deref(),
            Some("https://github.com/o/r/actions/runs/42")
        );
        assert_eq!(
            parsed.backend_url.as_deref(),
            Some("https://staging.example.com")
        );
        assert_eq!(parsed.result, Some(Verdict::Pass));
        assert_eq!(
            parsed.specs,
            vec![
                (
                    "e2e/specs/ai-coach/ai-coach-api.spec.ts".to_owned(),
                    Some(Verdict::Pass)
                ),
                (
                    "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts".to_owned(),
                    Some(Verdict::Skip)
                ),
            ]
        );
        assert_eq!(parsed.notes.as_deref(), Some("12 passed, 0 failed"));
    }

    #[test]
    fn markers_win_over_the_heading() {
        let doc = "### Staging Live Gate Evidence\n- Result: FAIL\n\n\
                   <!-- itm-gate:evidence:begin -->\n- Result: PASS\n- Commit: `abc`\n\
                   <!-- itm-gate:evidence:end -->\n";
        let parsed = parse_block(doc).unwrap();
        assert_eq!(parsed.result, Some(Verdict::Pass));
        assert_eq!(parsed.commit.as_deref(), Some("abc"));
    }

    #[test]
    fn hand_written_blocks_and_the_unfilled_template() {
        let doc = "## Log\n### Staging Live Gate Evidence\n* **Result:** pass ✅\n* Specs:\n    \
                   * `e2e/a.spec.ts`: PASS (2 flaky)\n    * e2e/b.spec.ts: PASS/FAIL/SKIP\n\
                   * Notes: fine\n## Next\n- Result: FAIL\n";
        let parsed = parse_block(doc).unwrap();
        assert_eq!(parsed.result, Some(Verdict::Pass));
        assert_eq!(
            parsed.specs,
            vec![
                ("e2e/a.spec.ts".to_owned(), Some(Verdict::Pass)),
                ("e2e/b.spec.ts".to_owned(), None)
            ]
        );
        assert_eq!(parsed.notes.as_deref(), Some("fine"));

        let template =
            "### Staging Live Gate Evidence\n- Date: YYYY-MM-DD HH:MM ET\n- Result: PASS | FAIL\n";
        let parsed = parse_block(template).unwrap();
        assert_eq!(parsed.result, None);
        assert_eq!(parsed.date.as_deref(), Some("YYYY-MM-DD HH:MM ET"));
    }

    #[test]
    fn no_block_reads_as_none() {
        assert_eq!(parse_block("# Status\n- Result: PASS\n"), None);
        assert_eq!(
            parse_block("### Staging Live Gate Evidence\nnothing yet\n"),
            None
        );
        assert_eq!(parse_block(""), None);
    }

    #[test]
    fn evidence_is_for_a_commit_in_full_or_abbreviated() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert!(is_for_commit(sha, sha));
        assert!(is_for_commit("0123456", sha));
        assert!(is_for_commit(
            " 0123456789ABCDEF0123456789ABCDEF01234567 ",
            sha
        ));
        assert!(!is_for_commit("012345", sha));
        assert!(!is_for_commit("", sha));
        assert!(!is_for_commit(
            "1123456789abcdef0123456789abcdef01234567",
            sha
        ));
    }
}
