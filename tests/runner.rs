//! GitHub Actions runner I/O, checked against small models of how the runner reads what we
//! write: the `GITHUB_OUTPUT` file-command format, workflow-command lines and the 1 MiB job
//! summary limit.

mod common;

use common::{commands_seen, parse_output_file};
use itm_gate::markdown::{code_block, escape_inline};
use itm_gate::runner::{
    Annotation, DroppedCounts, Level, OutputFile, SUMMARY_CUT_NOTE, SUMMARY_LIMIT, SummaryWritten,
    escape_data, escape_property, format_annotation, format_output, format_untrusted,
    output_delimiter, select_annotations, write_summary,
};
use proptest::prelude::*;

/// Undoes `escape_data` / `escape_property` (what the runner does to command text).
fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn annotation(level: Level, message: &str) -> Annotation {
    Annotation::new(level, message)
}

// ----- step outputs ------------------------------------------------------------------------

#[test]
fn outputs_are_appended_in_heredoc_form() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("output");
    std::fs::write(&path, "earlier=1\n").unwrap();
    let mut outputs = OutputFile::at(path.clone());
    outputs.set("result", "PASS").unwrap();
    outputs.set("reasons", "line one\nline two\n").unwrap();
    outputs.set("reasons-empty", "").unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("result<<ghadelimiter_"));
    assert_eq!(
        parse_output_file(&text),
        vec![
            ("earlier".to_string(), "1".to_string()),
            ("result".to_string(), "PASS".to_string()),
            ("reasons".to_string(), "line one\nline two\n".to_string()),
            ("reasons-empty".to_string(), String::new()),
        ]
    );
}

#[test]
fn a_value_cannot_set_another_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("output");
    let hostile = "x\nghadelimiter_00000000000000000000000000000000\nresult<<EOF\nPASS\nEOF\n";
    let mut outputs = OutputFile::at(path.clone());
    outputs.set("reasons", hostile).unwrap();
    let parsed = parse_output_file(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(parsed, vec![("reasons".to_string(), hostile.to_string())]);
}

#[test]
fn output_names_with_line_breaks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = OutputFile::at(dir.path().join("output"));
    let err = outputs.set("a\nb", "v").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(outputs.set("", "v").is_err());
}

#[test]
fn an_unwritable_output_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("output");
    let err = OutputFile::at(missing).set("result", "PASS").unwrap_err();
    assert!(err.to_string().contains("no-such-dir"), "{err}");
    assert!(err.to_string().contains("GITHUB_OUTPUT"), "{err}");
}

#[test]
fn format_output_is_the_runner_form() {
    assert_eq!(format_output("passed", "3", "D"), "passed<<D\n3\nD\n");
}

proptest! {
    #[test]
    fn delimiter_never_appears_in_value(value in "(ghadelimiter_[0-9a-f]{0,4}|[^\r]){0,64}") {
        let delimiter = output_delimiter("specs", &value).unwrap();
        prop_assert!(delimiter.starts_with("ghadelimiter_"));
        prop_assert_eq!(delimiter.len(), "ghadelimiter_".len() + 32);
        prop_assert!(!value.contains(&delimiter));
    }

    #[test]
    fn any_value_round_trips_through_the_output_file(value in "[^\r]{0,200}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("output");
        let mut outputs = OutputFile::at(path.clone());
        outputs.set("evidence", &value).unwrap();
        outputs.set("result", "FAIL").unwrap();
        let parsed = parse_output_file(&std::fs::read_to_string(&path).unwrap());
        prop_assert_eq!(
            parsed,
            vec![("evidence".to_string(), value), ("result".to_string(), "FAIL".to_string())]
        );
    }
}

// ----- annotations and workflow commands -------------------------------------------------------

#[test]
fn a_message_cannot_start_a_command_line() {
    let a = Annotation {
        message: "boom ::error::injected\n::set-output name=result::PASS\r\n::add-mask::x".into(),
        title: Some("t\n::warning::y".into()),
        file: Some("e2e/specs/a,b:c.spec.ts".into()),
        line: Some(7),
        ..Annotation::default()
    };
    let line = format_annotation(&a);
    assert!(!line.contains(['\n', '\r']), "{line}");
    let seen = commands_seen(&line);
    assert_eq!(seen.len(), 1);
    assert!(seen[0].starts_with(
        "::error title=t%0A%3A%3Awarning%3A%3Ay,file=e2e/specs/a%2Cb%3Ac.spec.ts,line=7::"
    ));
    let message = line.split_once(",line=7::").unwrap().1;
    assert_eq!(unescape(message), a.message);
}

#[test]
fn eleven_errors_keep_ten_in_order() {
    let mut all: Vec<Annotation> = (0..11)
        .map(|i| annotation(Level::Error, &format!("e{i}")))
        .collect();
    all.push(annotation(Level::Warning, "w0"));
    all.insert(3, annotation(Level::Notice, "n0"));
    let (kept, dropped) = select_annotations(all);
    let messages: Vec<&str> = kept.iter().map(|a| a.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "e0", "e1", "e2", "n0", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "w0"
        ]
    );
    assert_eq!(
        dropped,
        DroppedCounts {
            error: 1,
            warning: 0,
            notice: 0
        }
    );
    assert_eq!(dropped.total(), 1);
}

#[test]
fn every_level_has_its_own_limit() {
    let all: Vec<Annotation> = [Level::Error, Level::Warning, Level::Notice]
        .into_iter()
        .flat_map(|level| (0..12).map(move |i| annotation(level, &i.to_string())))
        .collect();
    let (kept, dropped) = select_annotations(all);
    assert_eq!(kept.len(), 30);
    assert_eq!(
        dropped,
        DroppedCounts {
            error: 2,
            warning: 2,
            notice: 2
        }
    );
}

#[test]
fn untrusted_text_is_inert_between_stop_commands() {
    let text = "log line\n::error::injected\n::set-output name=result::PASS\n  ::endgroup::\n";
    let out = format_untrusted(text, Some("3f2a"));
    assert!(commands_seen(&out).is_empty(), "{out}");
    assert!(out.contains(text));
    // Without a token, the line prefix keeps it inert too.
    assert!(commands_seen(&format_untrusted(text, None)).is_empty());
}

proptest! {
    #[test]
    fn escaped_data_round_trips_and_is_one_line(s in "\\PC*|[%\r\n:,a]{0,40}") {
        let data = escape_data(&s);
        prop_assert!(!data.contains(['\r', '\n']));
        prop_assert_eq!(unescape(&data), s.clone());
        let property = escape_property(&s);
        prop_assert!(!property.contains(['\r', '\n', ':', ',']));
        prop_assert_eq!(unescape(&property), s);
    }

    #[test]
    fn any_annotation_is_exactly_one_command(
        message in "(::|\n|\r|%|[a-z ]){0,60}",
        title in proptest::option::of("(::|,|\n|[a-z]){0,20}"),
        file in proptest::option::of("(:|,|[a-z/.]){0,20}"),
    ) {
        let a = Annotation { level: Level::Warning, message, title, file, line: Some(1), ..Annotation::default() };
        let line = format_annotation(&a);
        let seen = commands_seen(&line);
        prop_assert_eq!(seen.len(), 1);
        prop_assert!(seen[0].starts_with("::warning "));
        // The properties end at the first `::` after the command name.
        let after = &line["::warning ".len()..];
        let (properties, message) = after.split_once("::").unwrap();
        prop_assert_eq!(properties.split(',').count(), 1 + usize::from(a.title.is_some()) + usize::from(a.file.is_some()));
        prop_assert_eq!(unescape(message), a.message);
    }

    #[test]
    fn untrusted_text_never_runs_commands(text in "(::|\n|stop-commands|[a-z ]){0,80}") {
        let token = "0123456789abcdef0123456789abcdef";
        prop_assume!(!text.contains(token));
        prop_assert!(commands_seen(&format_untrusted(&text, Some(token))).is_empty());
        prop_assert!(commands_seen(&format_untrusted(&text, None)).is_empty());
    }
}

// ----- job summary --------------------------------------------------------------------------

#[test]
fn a_summary_that_fits_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary");
    let written = write_summary(&path, "# full\n", "# short\n").unwrap();
    assert_eq!(written, SummaryWritten::Full);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# full\n");
}

#[test]
fn a_summary_over_one_mib_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary");
    let full = "| a | b |\n".repeat(SUMMARY_LIMIT / 10 + 1);
    assert!(full.len() > SUMMARY_LIMIT);
    let written = write_summary(&path, &full, "# failing tests only\n").unwrap();
    assert_eq!(written, SummaryWritten::Fallback);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# failing tests only\n"
    );
}

#[test]
fn what_the_step_already_wrote_counts_against_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary");
    std::fs::write(&path, "x".repeat(SUMMARY_LIMIT - 10)).unwrap();
    let written = write_summary(&path, "# twenty bytes long\n", "# short\n").unwrap();
    assert_eq!(written, SummaryWritten::Fallback);
    assert_eq!(
        std::fs::metadata(&path).unwrap().len() as usize,
        SUMMARY_LIMIT - 2
    );
}

#[test]
fn an_oversized_fallback_is_cut_at_a_line_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary");
    let line = "- failing: AI Coach — Backend API Health › returns 200\n";
    let fallback = line.repeat(SUMMARY_LIMIT / line.len() + 100);
    let full = format!("{fallback}{fallback}");
    let written = write_summary(&path, &full, &fallback).unwrap();
    assert_eq!(written, SummaryWritten::Truncated);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.len() <= SUMMARY_LIMIT, "{} bytes", text.len());
    assert!(text.ends_with(SUMMARY_CUT_NOTE));
    let kept = text.strip_suffix(SUMMARY_CUT_NOTE).unwrap();
    assert!(kept.ends_with('\n'));
    assert!(kept.lines().all(|l| format!("{l}\n") == line));
    assert!(SUMMARY_LIMIT - text.len() < line.len());
}

#[test]
fn cutting_one_huge_multibyte_line_stays_valid_utf8_and_under_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary");
    // No line break at all, and every character is 3 or 4 bytes.
    let fallback = "—😀".repeat(SUMMARY_LIMIT / 7 + 10);
    let written = write_summary(&path, &fallback, &fallback).unwrap();
    assert_eq!(written, SummaryWritten::Truncated);
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() <= SUMMARY_LIMIT);
    let text = String::from_utf8(bytes).expect("cut on a character boundary");
    assert!(text.starts_with("—😀"));
    assert!(text.ends_with(SUMMARY_CUT_NOTE));
}

#[test]
fn a_cut_inside_a_code_block_closes_the_fence_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary");
    let fallback = format!(
        "## Failures\n\n````\n{}",
        "stack frame\n".repeat(SUMMARY_LIMIT / 12 + 10)
    );
    let written = write_summary(&path, &fallback, &fallback).unwrap();
    assert_eq!(written, SummaryWritten::Truncated);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.len() <= SUMMARY_LIMIT);
    let expected_tail = format!("stack frame\n````\n{SUMMARY_CUT_NOTE}");
    assert!(text.ends_with(&expected_tail));
}

#[test]
fn a_full_summary_file_gets_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary");
    std::fs::write(&path, "x".repeat(SUMMARY_LIMIT)).unwrap();
    let written = write_summary(&path, "# more\n", "# less\n").unwrap();
    assert_eq!(written, SummaryWritten::Nothing);
    assert_eq!(
        std::fs::metadata(&path).unwrap().len() as usize,
        SUMMARY_LIMIT
    );
}

// ----- Markdown for untrusted text -----------------------------------------------------------

proptest! {
    #[test]
    fn inline_text_is_one_inert_line(text in "\\PC{0,40}|[<>|`*_\\[\\]\n\r\x1b&]{0,40}", max in 1usize..50) {
        let out = escape_inline(&text, max);
        prop_assert!(!out.contains(['\n', '\r', '<', '>', '\x1b']));
        // Every special character is escaped: removing the escapes leaves none unescaped.
        let mut chars = out.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
                continue;
            }
            prop_assert!(!"|`*_[]".contains(c), "unescaped {c:?} in {out:?}");
        }
    }

    #[test]
    fn text_cannot_close_its_code_block(text in "(`{1,8}|\n|[a-z ]){0,60}") {
        let block = code_block(&text, 1000);
        let fence: String = block.chars().take_while(|&c| c == '`').collect();
        prop_assert!(fence.len() >= 3);
        let lines: Vec<&str> = block.lines().collect();
        let closing = lines.iter().skip(1).position(|l| l.trim_start().starts_with(&fence));
        prop_assert_eq!(closing, Some(lines.len() - 2));
    }
}
