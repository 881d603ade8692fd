//! The log scanner on realistic logs of the users' backend and Playwright runs
//! (tests/fixtures/logs), on hard input (huge lines, invalid UTF-8, gzip, unreadable files), and
//! the `scan-logs` command.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use itm_gate::logscan::{
    BUILTIN_EXCLUSIONS, BUILTIN_RULES, Finding, Findings, MAX_LINE_BUFFER, NO_MATCH_RULE,
    READ_SIZE, RuleSet, Scanner, Severity, UNREADABLE_RULE,
};
use itm_gate::redact::Redactor;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs")
}

fn scanner() -> Scanner {
    Scanner::new(RuleSet::builtin(), Redactor::default())
}

fn scan_paths(patterns: &[&str], base: &Path) -> Vec<Finding> {
    let mut findings = Findings::new();
    let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
    scanner().scan_paths(&patterns, base, &mut findings);
    findings.into_vec()
}

fn scan_bytes(bytes: &[u8]) -> Vec<Finding> {
    let mut findings = Findings::new();
    scanner()
        .scan_reader("mem.log", bytes, &mut findings)
        .expect("in-memory read");
    findings.into_vec()
}

fn places(found: &[Finding]) -> Vec<(String, Option<u64>)> {
    found.iter().map(|f| (f.rule.clone(), f.line)).collect()
}

#[test]
fn green_run_logs_have_no_findings() {
    // 401 (`Unauthorized`, `Missing or invalid authorization header`, `Authentication failed`
    // with status 401), 429, 404, WebSocket 4401/4403 and `Forbidden channel:`, Redis
    // `running without cache`, `[WebServer]` lines, ANSI colours and test titles that quote a
    // critical message: none is a finding.
    let found = scan_paths(&["green/*"], &fixtures());
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn each_failing_log_gives_exactly_its_finding() {
    let expected: &[(&str, &str, &[u64])] = &[
        ("authentication-error.jsonl", "authentication-error", &[8]),
        (
            "authentication-failed-response.log",
            "authentication-failed-response",
            &[11],
        ),
        (
            "bypass-preflight-failed.log",
            "bypass-preflight-failed",
            &[5],
        ),
        (
            "e2e-auth-bootstrap-failed.log",
            "e2e-auth-bootstrap-failed",
            &[13],
        ),
        (
            "e2e-bypass-token-invalid.jsonl",
            "e2e-bypass-token-invalid",
            &[7],
        ),
        (
            "e2e-user-create-failed.jsonl",
            "e2e-user-create-failed",
            &[7],
        ),
        (
            "e2e-user-provisioning-failed.jsonl",
            "e2e-user-provisioning-failed",
            &[7],
        ),
        (
            "e2e-user-provisioning-failed-gz.jsonl.gz",
            "e2e-user-provisioning-failed",
            &[7],
        ),
        (
            "e2e-user-verify-failed.jsonl",
            "e2e-user-verify-failed",
            &[7],
        ),
        // Node prints the message and then the error object with `code: 'EADDRINUSE'`.
        ("eaddrinuse.log", "eaddrinuse", &[5, 12]),
        ("env-validation-failed.jsonl", "env-validation-failed", &[1]),
        ("server-start-failed.jsonl", "server-start-failed", &[3]),
        ("supabase-env-missing.log", "supabase-env-missing", &[8]),
        ("webserver-not-started.log", "webserver-not-started", &[5]),
        ("webserver-port-in-use.log", "webserver-port-in-use", &[4]),
        ("webserver-timeout.log", "webserver-timeout", &[8]),
    ];
    for (file, rule, lines) in expected {
        let found = scan_paths(&[&format!("failing/{file}")], &fixtures());
        let want: Vec<(String, Option<u64>)> =
            lines.iter().map(|&l| (rule.to_string(), Some(l))).collect();
        assert_eq!(places(&found), want, "{file}: {found:#?}");
        for f in &found {
            assert_eq!(f.severity, Severity::Critical);
            assert_eq!(f.source, format!("failing/{file}"));
            assert!(
                !f.excerpt.contains('\x1b'),
                "{file}: ANSI left in {:?}",
                f.excerpt
            );
        }
    }
    // Every critical built-in rule has its failing log.
    for (id, severity, _, _) in BUILTIN_RULES {
        if *severity == Severity::Critical {
            assert!(
                expected.iter().any(|(_, rule, _)| rule == id),
                "no failing log for {id}"
            );
        }
    }
}

#[test]
fn skip_reasons_of_non_strict_runs_are_warnings_and_capability_probes_are_nothing() {
    let found = scan_paths(&["warnings/skip-reasons.log"], &fixtures());
    let rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "live-backend-unhealthy",
            "live-backend-prerequisites",
            "live-mode-off"
        ]
    );
    assert!(found.iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn gzip_and_crlf_read_like_plain_text() {
    let found = scan_paths(
        &["failing/e2e-user-provisioning-failed-gz.jsonl.gz"],
        &fixtures(),
    );
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .excerpt
            .starts_with(r#"{"level":"error","message":"E2E user provisioning failed""#)
    );
    let crlf = scan_bytes(
        b"a\r\nb\r\n{\"level\":\"error\",\"message\":\"Failed to start server\"}\r\nc\r\n",
    );
    assert_eq!(
        places(&crlf),
        [("server-start-failed".to_string(), Some(3))]
    );
    assert!(!crlf[0].excerpt.contains('\r'));
}

#[test]
fn excerpt_is_ansi_free_and_keeps_the_message() {
    let found = scan_paths(&["failing/webserver-timeout.log"], &fixtures());
    assert_eq!(
        found[0].excerpt,
        "Error: Timed out waiting 120000ms from config.webServer."
    );
}

#[test]
fn invalid_utf8_around_a_match_is_handled() {
    let mut log = b"ok\n\xff\xfe binary \xc3(".to_vec();
    log.extend_from_slice(b" Failed to create E2E user \x80\x81\nok\n");
    let found = scan_bytes(&log);
    assert_eq!(
        places(&found),
        [("e2e-user-create-failed".to_string(), Some(2))]
    );
    assert!(found[0].excerpt.contains("Failed to create E2E user"));
    assert!(found[0].excerpt.contains('\u{fffd}'));
}

/// A line far longer than the scanner's buffer, with the message in the middle, across a piece
/// boundary, and at the very end, followed by more lines.
#[test]
fn lines_of_many_megabytes_still_match_with_the_right_line_number() {
    let message = b"Missing Supabase environment variables";
    for at in [
        3 * MAX_LINE_BUFFER,
        MAX_LINE_BUFFER - 10,
        MAX_LINE_BUFFER + READ_SIZE - 5,
        4 * MAX_LINE_BUFFER - message.len(),
    ] {
        let mut log = b"first line\nsecond line\n".to_vec();
        let mut long = vec![b'x'; 4 * MAX_LINE_BUFFER];
        long[at..at + message.len()].copy_from_slice(message);
        log.extend_from_slice(&long);
        log.extend_from_slice(b"\nafter\n{\"message\":\"Failed to start server\"}\n");
        let found = scan_bytes(&log);
        assert_eq!(
            places(&found),
            [
                ("supabase-env-missing".to_string(), Some(3)),
                ("server-start-failed".to_string(), Some(5))
            ],
            "message at {at}"
        );
        assert!(
            found[0]
                .excerpt
                .contains("Missing Supabase environment variables")
        );
        assert!(found[0].excerpt.chars().count() <= 330);
    }
}

#[test]
fn one_long_line_gives_one_finding_even_with_many_matches() {
    let mut log = Vec::new();
    for _ in 0..2000 {
        log.extend_from_slice(&[b'y'; 10_000]);
        log.extend_from_slice(b" EADDRINUSE ");
    }
    log.extend_from_slice(b" Failed to start server");
    let found = scan_bytes(&log);
    assert_eq!(places(&found), [("eaddrinuse".to_string(), Some(1))]);
}

#[test]
fn findings_are_bounded_per_rule_and_counted() {
    let log = "listen EADDRINUSE :::3001\n".repeat(10_000);
    let mut findings = Findings::new();
    scanner()
        .scan_reader("many.log", log.as_bytes(), &mut findings)
        .expect("read");
    assert_eq!(findings.critical_count(), 10_000);
    assert_eq!(
        findings.iter().count(),
        itm_gate::logscan::DEFAULT_KEEP_PER_RULE
    );
    let last = findings.iter().last().map(|f| f.line);
    assert_eq!(
        last,
        Some(Some(itm_gate::logscan::DEFAULT_KEEP_PER_RULE as u64))
    );
}

#[test]
fn patterns_matching_nothing_and_unreadable_logs_are_warnings() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("logs")).expect("mkdir");
    // A gzip file cut short: readable at first, then the stream breaks.
    let full = std::fs::read(fixtures().join("green/backend.jsonl.gz")).expect("fixture");
    std::fs::write(dir.path().join("cut.log.gz"), &full[..full.len() / 2]).expect("write");
    let found = scan_paths(
        &["missing.log", "nothing/*.log", "logs", "cut.log.gz", "[bad"],
        dir.path(),
    );
    let got: Vec<(&str, &str)> = found
        .iter()
        .map(|f| (f.rule.as_str(), f.source.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (NO_MATCH_RULE, "missing.log"),
            (NO_MATCH_RULE, "nothing/*.log"),
            (UNREADABLE_RULE, "logs"),
            (UNREADABLE_RULE, "cut.log.gz"),
            (NO_MATCH_RULE, "[bad"),
        ]
    );
    assert!(found.iter().all(|f| f.severity == Severity::Warning));
    assert!(
        found[0].excerpt.contains("no file matches `missing.log`"),
        "{}",
        found[0].excerpt
    );
    assert!(
        found[2].excerpt.contains("is a folder"),
        "{}",
        found[2].excerpt
    );
    assert!(
        found[3].excerpt.contains("stopped at line"),
        "{}",
        found[3].excerpt
    );
    assert!(found[3].line.is_some());
}

#[test]
fn a_file_named_by_two_patterns_is_scanned_once() {
    let found = scan_paths(
        &["failing/eaddrinuse.log", "failing/eaddr*.log"],
        &fixtures(),
    );
    assert_eq!(found.len(), 2);
}

#[test]
fn report_texts_have_places_not_line_numbers() {
    let mut findings = Findings::new();
    let source =
        "e2e/specs/ai-coach/ai-coach-api.spec.ts › AI Coach — Chat API › sends (attempt 2)";
    scanner().scan_text(
        source,
        "\x1b[31mError:\x1b[39m Live auth bypass preflight failed: status 500",
        &mut findings,
    );
    scanner().scan_text(
        source,
        "Live backend websocket auth gate is not yet enforced at https://x",
        &mut findings,
    );
    let found = findings.into_vec();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].source, source);
    assert_eq!(found[0].line, None);
    assert_eq!(
        found[0].excerpt,
        "Error: Live auth bypass preflight failed: status 500"
    );
}

#[test]
fn rules_file_adds_changes_and_disables_rules() {
    let json = r#"{
      "rules": [
        {"id": "redis-without-cache", "severity": "warning", "pattern": "running without cache",
         "description": "Staging ran without Redis: rate limits and sessions differ from production."},
        {"id": "eaddrinuse", "severity": "warning"}
      ],
      "disable": ["authentication-error"]
    }"#;
    let rules = RuleSet::builtin()
        .with_rules_json(json, "rules.json")
        .expect("valid rules");
    let scanner = Scanner::new(rules, Redactor::default());
    let mut findings = Findings::new();
    let patterns = [
        "green/backend.jsonl",
        "failing/eaddrinuse.log",
        "failing/authentication-error.jsonl",
    ]
    .map(String::from);
    scanner.scan_paths(&patterns, &fixtures(), &mut findings);
    let got: Vec<(&str, Severity)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.severity))
        .collect();
    assert_eq!(
        got,
        [
            ("redis-without-cache", Severity::Warning),
            ("eaddrinuse", Severity::Warning),
            ("eaddrinuse", Severity::Warning),
            // authentication-error.jsonl starts like a green run, Redis notice included.
            ("redis-without-cache", Severity::Warning),
        ]
    );
    assert!(!findings.has_critical());
}

#[test]
fn docs_list_every_builtin_rule_and_exclusion() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/log-rules.md"))
            .expect("docs/log-rules.md");
    for (id, severity, pattern, _) in BUILTIN_RULES {
        let row = format!("| `{id}` | {severity} | `{pattern}` |");
        assert!(
            docs.contains(&row),
            "docs/log-rules.md lacks the row starting {row}"
        );
    }
    for (id, _, pattern, _) in BUILTIN_EXCLUSIONS {
        assert!(
            docs.contains(&format!("`{id}`")) && docs.contains(&format!("`{pattern}`")),
            "docs lack {id}"
        );
    }
}

fn itm_gate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_itm-gate"))
        .args(args)
        .current_dir(fixtures())
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run itm-gate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn scan_logs_prints_findings_and_fails_on_critical() {
    let (code, stdout, _) = itm_gate(&["scan-logs", "failing/eaddrinuse.log", "warnings/*.log"]);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "critical eaddrinuse failing/eaddrinuse.log:5: [WebServer] Error: listen EADDRINUSE: address already in use :::3001"
    );
    assert!(
        lines[2].starts_with("warning live-backend-unhealthy warnings/skip-reasons.log:2: "),
        "{stdout}"
    );
    assert_eq!(
        lines.last().copied(),
        Some("5 findings: 2 critical, 3 warning")
    );

    let (code, stdout, _) = itm_gate(&["scan-logs", "green/*"]);
    assert_eq!((code, stdout.as_str()), (0, "no findings\n"));

    let (code, stdout, _) = itm_gate(&["scan-logs", "--json", "failing/server-start-failed.jsonl"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON findings");
    assert_eq!(json[0]["rule"], "server-start-failed");
    assert_eq!(json[0]["severity"], "critical");
    assert_eq!(json[0]["line"], 3);
}

#[test]
fn scan_logs_with_a_bad_rules_file_is_a_usage_error_naming_the_rule() {
    let mut rules = tempfile::NamedTempFile::new().expect("temp file");
    // Hand-written bad input: an unclosed group.
    rules
        .write_all(br#"{"rules":[{"id":"my-rule","severity":"critical","pattern":"Failed (to"}]}"#)
        .expect("write");
    let path = rules.path().to_string_lossy().to_string();
    let (code, stdout, stderr) = itm_gate(&["scan-logs", "--log-rules", &path, "green/*"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("rule `my-rule`") && stderr.contains(&path),
        "{stderr}"
    );
}

fn feed_in_pieces(scanner: &Scanner, pieces: &[&[u8]], message: bool) -> Vec<Finding> {
    let mut findings = Findings::new();
    let mut stream = scanner.text_stream("spec › t (attempt 1)", message);
    let (last, rest) = pieces.split_last().expect("a piece");
    for piece in rest {
        scanner.feed(&mut stream, piece, &mut findings);
    }
    scanner.feed(&mut stream, last, &mut findings);
    scanner.end_text(stream, &mut findings);
    findings.into_vec()
}

/// Issue 10: report texts come from the reader in pieces; a line cut between two pieces is
/// matched whole, wherever the cut falls (every byte of every critical message).
#[test]
fn a_text_fed_in_pieces_matches_a_line_cut_anywhere() {
    let scanner = scanner();
    for (id, severity, _, _) in BUILTIN_RULES {
        if *severity != Severity::Critical {
            continue;
        }
        let message = match *id {
            "authentication-failed-response" => r#"{"message":"Authentication failed"}"#,
            "env-validation-failed" => "Environment validation failed:",
            "webserver-not-started" => "Process from config.webServer was not able to start",
            "webserver-timeout" => "Timed out waiting 60000ms from config.webServer",
            "webserver-port-in-use" => {
                "is already used, make sure that nothing is running on the port"
            }
            "e2e-auth-bootstrap-failed" => "E2E auth bootstrap failed",
            "e2e-user-provisioning-failed" => "E2E user provisioning failed",
            "e2e-user-verify-failed" => "Failed to verify E2E user",
            "e2e-user-create-failed" => "Failed to create E2E user",
            "e2e-bypass-token-invalid" => "Invalid E2E bypass token format",
            "server-start-failed" => "Failed to start server",
            "supabase-env-missing" => "Missing Supabase environment variables",
            "authentication-error" => "Authentication error",
            "bypass-preflight-failed" => "Live auth bypass preflight failed:",
            "eaddrinuse" => "EADDRINUSE",
            other => panic!("no message for the critical rule {other}"),
        };
        let text = format!("first line\nbackend: {message} (request 7)\nlast line");
        let bytes = text.as_bytes();
        for cut in 1..bytes.len() {
            let found = feed_in_pieces(&scanner, &[&bytes[..cut], &bytes[cut..]], false);
            assert_eq!(
                found.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
                [*id],
                "{id} cut at {cut}"
            );
        }
    }
}

/// A line of many megabytes fed in 1 MiB pieces is still matched where the message straddles a
/// piece, and memory stays bounded (searched in overlapping parts, as log files are).
#[test]
fn a_long_line_fed_in_pieces_matches_across_every_piece() {
    let scanner = scanner();
    let message = b"E2E user provisioning failed";
    let piece = 1 << 20;
    for at in [
        piece - 10,
        3 * piece - 3,
        MAX_LINE_BUFFER - 5,
        MAX_LINE_BUFFER + piece - 12,
    ] {
        let mut line = vec![b'x'; 6 * piece];
        line[at..at + message.len()].copy_from_slice(message);
        let pieces: Vec<&[u8]> = line.chunks(piece).collect();
        let found = feed_in_pieces(&scanner, &pieces, false);
        assert_eq!(found.len(), 1, "message at {at}");
        assert_eq!(found[0].rule, "e2e-user-provisioning-failed");
    }
}

/// Issue 10: the code frame Playwright prints under an error (`> 39 |   test.skip(true, ...)`)
/// was scanned as if it were log output.
#[test]
fn code_frames_in_error_messages_are_not_scanned() {
    let message = "Error: expect(received).toBe(expected)\n\nExpected: 200\nReceived: 503\n\n\
\x1b[0m \x1b[90m 38 |\x1b[39m   \x1b[36mconst\x1b[39m reason = 'E2E auth bootstrap failed';\n\
\x1b[31m\x1b[1m>\x1b[22m\x1b[39m\x1b[90m 39 |\x1b[39m   test.skip(\x1b[36mtrue\x1b[39m, `Live auth bypass preflight failed: ${message}`);\n\
 \x1b[90m    |\x1b[39m        \x1b[31m\x1b[1m^\x1b[22m\x1b[39m\n\
 \x1b[90m 40 |\x1b[39m }\x1b[0m\n    at /home/runner/work/ITM-gd/ITM-gd/e2e/helpers/ai-coach-live.ts:39:8";
    let scanner = scanner();
    let mut findings = Findings::new();
    scanner.scan_message("spec › t (attempt 1)", message, &mut findings);
    assert!(findings.is_empty(), "{:#?}", findings.into_vec());
    // In pieces too.
    let bytes = message.as_bytes();
    for cut in [10, 80, 150, 200, bytes.len() - 5] {
        let found = feed_in_pieces(&scanner, &[&bytes[..cut], &bytes[cut..]], true);
        assert!(found.is_empty(), "cut at {cut}: {found:#?}");
    }
    // What happened, outside the frame, is still found; and only messages skip frames.
    let real = format!("Error: Live auth bypass preflight failed: status 401\n{message}");
    let mut findings = Findings::new();
    scanner.scan_message("spec › t (attempt 1)", &real, &mut findings);
    assert_eq!(findings.total(), 1);
    let mut findings = Findings::new();
    scanner.scan_text("spec › t (attempt 1)", message, &mut findings);
    assert_eq!(findings.total(), 2, "stdout is not a code frame");
}

/// Issue 10: the exclusion for expected 401s swallowed `"message":"Authentication failed"`
/// whenever `4403` appeared anywhere on the line; each exclusion names its exact case.
#[test]
fn authentication_failed_is_excluded_only_in_its_exact_expected_cases() {
    let found = |line: &str| -> Vec<String> {
        scan_bytes(format!("{line}\n").as_bytes())
            .into_iter()
            .map(|f| f.rule)
            .collect()
    };
    let failure = vec!["authentication-failed-response".to_string()];
    for line in [
        r#"{"level":"error","message":"Authentication failed","statusCode":500,"requestId":"req-4403"}"#,
        r#"{"level":"error","message":"Authentication failed","port":4403}"#,
        r#"{"level":"error","message":"Authentication failed","userId":"u-401","retries":403}"#,
        r#"{"level":"error","message":"Authentication failed"} after status 401 elsewhere"#,
    ] {
        assert_eq!(found(line), failure, "{line}");
    }
    for line in [
        r#"{"level":"warn","message":"Authentication failed","statusCode":401,"reason":"Invalid or expired token"}"#,
        r#"{"level":"warn","message":"Authentication failed","status": 403}"#,
        r#"HTTP/1.1 401 Unauthorized {"message":"Authentication failed"}"#,
        r#"{"level":"info","message":"Authentication failed","closeCode":4401,"reason":"Unauthorized"}"#,
        r#"{"level":"info","message":"Authentication failed","code":4403}"#,
    ] {
        assert!(found(line).is_empty(), "{line}");
    }
}
