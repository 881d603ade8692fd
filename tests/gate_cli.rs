//! The `gate` command run the way the runner runs the action, on real Playwright reports
//! (tests/fixtures/reports, made by tests/playwright/generate.sh) and on bad input.

mod common;

use common::{ActionRun, FAKE_TOKEN, SHA, bad, report};

const API: &str = "e2e/specs/ai-coach/ai-coach-api.spec.ts";
const WORKFLOW: &str = "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts";
const NEW: &str = "1.58.2";
const OLD: &str = "1.20.2";

#[test]
fn green_run_passes_with_outputs_summary_and_evidence() {
    let ran = ActionRun::new().report(&report(NEW, "green.json")).run(&[]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(ran.output("result"), "PASS");
    assert_eq!(ran.output("reasons"), "");
    for file in [API, WORKFLOW] {
        let spec = ran.spec(file);
        assert_eq!(spec["verdict"], "PASS", "{spec}");
        assert_eq!(spec["required"], true);
        assert_eq!(spec["failed"], 0);
    }
    let evidence = ran.output("evidence");
    assert!(
        evidence.starts_with("### Staging Live Gate Evidence\n- Date: "),
        "{evidence}"
    );
    assert!(evidence.contains(&format!("- Commit: {SHA}\n")));
    assert!(
        evidence
            .contains("- Workflow: https://github.com/n8kahl/ITM-gd/actions/runs/13101234567\n")
    );
    assert!(evidence.contains("- Result: PASS\n"));
    assert!(evidence.contains(&format!("  - {API}: PASS\n  - {WORKFLOW}: PASS\n")));
    assert!(
        ran.summary.starts_with("## ✅ itm-gate: PASS"),
        "{}",
        ran.summary
    );
    assert!(ran.summary.contains("### Spec files"));
    assert!(ran.summary.contains("Staging Live Gate Evidence"));
    assert_eq!(ran.annotations("error").len(), 0);
    // The two WebSocket capability probes are allowed skips, listed with their reasons.
    let skips = ran.spec(API)["skip_reasons"].to_string();
    assert!(skips.contains("websocket"), "{skips}");
}

#[test]
fn evidence_date_is_the_report_start_in_eastern_time() {
    let path = report(NEW, "green.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let start = json["stats"]["startTime"].as_str().unwrap();
    let start = chrono::DateTime::parse_from_rfc3339(start).unwrap();
    let eastern = start.with_timezone(&chrono_tz::America::New_York);
    let ran = ActionRun::new().report(&path).run(&[]);
    let expected = format!("- Date: {} ET\n", eastern.format("%Y-%m-%d %H:%M"));
    assert!(
        ran.output("evidence").contains(&expected),
        "{}",
        ran.output("evidence")
    );
}

#[test]
fn non_strict_skips_fail_the_strict_gate_with_the_reason() {
    let ran = ActionRun::new()
        .report(&report(NEW, "backend-unhealthy.json"))
        .run(&[]);
    assert_eq!(ran.code, 1);
    assert_eq!(ran.output("result"), "FAIL");
    let spec = ran.spec(API);
    assert_eq!(spec["verdict"], "FAIL");
    assert!(
        spec["reasons"]
            .to_string()
            .contains("Live backend not healthy at "),
        "{spec}"
    );
    assert!(ran.output("reasons").contains("strict mode"));
}

#[test]
fn without_strict_mode_skipped_required_specs_still_do_not_pass() {
    let ran = ActionRun::new()
        .report(&report(NEW, "backend-unhealthy.json"))
        .input("strict", "false")
        .run(&[]);
    assert_eq!(ran.output("result"), "FAIL");
    assert_ne!(ran.spec(WORKFLOW)["verdict"], "PASS");
    assert!(ran.output("reasons").contains("a required spec must PASS"));
}

#[test]
fn strict_failures_fail_with_test_names_and_annotations() {
    let ran = ActionRun::new()
        .report(&report(NEW, "strict-failure.json"))
        .run(&[]);
    assert_eq!(ran.code, 1);
    let spec = ran.spec(API);
    assert_eq!(spec["verdict"], "FAIL");
    assert!(spec["failed"].as_u64().unwrap() > 0);
    let errors = ran.annotations("error");
    assert!(!errors.is_empty() && errors.len() <= 10, "{errors:?}");
    // The six tests failed the same way in the shared helper: one annotation, at its line.
    let at_place: Vec<&String> = errors.iter().filter(|a| a.contains(",file=")).collect();
    assert_eq!(at_place.len(), 1, "{errors:?}");
    assert!(
        at_place[0].contains("title=6 tests failed")
            && at_place[0].contains("file=e2e/helpers/ai-coach-live.ts,line=27::"),
        "{errors:?}"
    );
    assert!(ran.summary.contains("### How the tests failed"));
    assert!(ran.summary.contains(&format!(
        "https://github.com/n8kahl/ITM-gd/blob/{SHA}/{API}#L"
    )));
}

#[test]
fn kitchen_sink_counts_add_up_to_playwrights_stats() {
    let path = report(NEW, "kitchen-sink.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let stats = &json["stats"];
    let ran = ActionRun::new().report(&path).run(&[]);
    assert_eq!(ran.output("result"), "FAIL");
    assert_eq!(ran.output("passed"), stats["expected"].to_string());
    assert_eq!(ran.output("failed"), stats["unexpected"].to_string());
    assert_eq!(ran.output("flaky"), stats["flaky"].to_string());
    assert_eq!(ran.output("skipped"), stats["skipped"].to_string());
    assert!(ran.annotations("error").len() <= 10);
    assert!(ran.annotations("warning").len() <= 10);
}

#[test]
fn flaky_input_decides_what_a_retry_pass_does() {
    let path = report(NEW, "kitchen-sink.json");
    let lenient = ActionRun::new().report(&path).run(&[]);
    let strict = ActionRun::new()
        .report(&path)
        .input("flaky", "fail")
        .run(&[]);
    let flaky_specs = |ran: &common::Ran| -> Vec<(String, String)> {
        ran.specs()
            .into_iter()
            .filter(|s| s["flaky"].as_u64().unwrap_or(0) > 0)
            .map(|s| {
                (
                    s["file"].as_str().unwrap().to_string(),
                    s["reasons"].to_string(),
                )
            })
            .collect()
    };
    let lenient = flaky_specs(&lenient);
    assert!(!lenient.is_empty(), "the kitchen sink has a flaky test");
    for (file, reasons) in flaky_specs(&strict) {
        assert!(
            reasons.contains("passed only on retry"),
            "{file}: {reasons}"
        );
    }
    for (_, reasons) in lenient {
        assert!(!reasons.contains("passed only on retry"));
    }
}

#[test]
fn a_deleted_required_spec_is_reported_plainly() {
    let ran = ActionRun::new()
        .report(&report(NEW, "workflow-spec-deleted.json"))
        .run(&[]);
    assert_eq!(ran.code, 1);
    let spec = ran.spec(WORKFLOW);
    assert_eq!(spec["verdict"], "FAIL");
    assert_eq!(spec["passed"], 0);
    assert!(
        spec["reasons"]
            .to_string()
            .contains("absent from the report")
    );
    assert_eq!(ran.spec(API)["verdict"], "PASS");
}

#[test]
fn tests_cut_short_by_max_failures_did_not_run() {
    let ran = ActionRun::new()
        .report(&report(NEW, "max-failures.json"))
        .run(&[]);
    assert_eq!(ran.output("result"), "FAIL");
    let not_run: u64 = ran
        .specs()
        .iter()
        .map(|s| s["did_not_run"].as_u64().unwrap())
        .sum();
    assert!(not_run > 0, "{}", ran.output("specs"));
}

#[test]
fn a_list_only_report_is_no_test_run() {
    let ran = ActionRun::new().report(&report(NEW, "list.json")).run(&[]);
    assert_eq!(ran.output("result"), "FAIL");
    assert!(
        ran.output("reasons").contains("no test ran"),
        "{}",
        ran.output("reasons")
    );
}

#[test]
fn load_errors_and_top_level_errors_fail() {
    for name in [
        "load-error.json",
        "global-setup-error.json",
        "no-tests.json",
    ] {
        let ran = ActionRun::new().report(&report(NEW, name)).run(&[]);
        assert_eq!(ran.code, 1, "{name}");
        assert!(
            ran.output("reasons").contains("top-level error"),
            "{name}: {}",
            ran.output("reasons")
        );
    }
    let ran = ActionRun::new()
        .report(&report(NEW, "load-error.json"))
        .run(&[]);
    let failed_to_load = ran
        .specs()
        .into_iter()
        .any(|s| s["reasons"].to_string().contains("failed to load"));
    assert!(failed_to_load, "{}", ran.output("specs"));
}

#[test]
fn shards_given_together_add_up_to_the_merged_report() {
    let merged = ActionRun::new()
        .report(&report(NEW, "green-merged-from-blobs.json"))
        .run(&[]);
    let shards = ActionRun::new()
        .file(
            &report(NEW, "green-shard-1-of-2.json"),
            "test-results/shard-1.json",
        )
        .file(
            &report(NEW, "green-shard-2-of-2.json"),
            "test-results/shard-2.json",
        )
        .input("results", "test-results/shard-*.json")
        .run(&[]);
    for name in ["result", "passed", "failed", "flaky", "skipped"] {
        assert_eq!(merged.output(name), shards.output(name), "{name}");
    }
    let counts = |ran: &common::Ran| -> Vec<(String, u64, u64)> {
        ran.specs()
            .iter()
            .map(|s| {
                (
                    s["file"].to_string(),
                    s["passed"].as_u64().unwrap(),
                    s["skipped"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(counts(&merged), counts(&shards));
    assert_eq!(merged.output("result"), "PASS");
}

/// Issue 10: one shard of two given alone was combined without a word (here the only
/// required spec is complete in shard 1, so nothing else fails).
#[test]
fn one_shard_of_two_alone_fails_naming_the_missing_shard() {
    let ran = ActionRun::new()
        .report(&report(NEW, "green-shard-1-of-2.json"))
        .input("specs", API)
        .run(&[]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(ran.output("result"), "FAIL");
    assert_eq!(
        ran.output("reasons"),
        "shard 2 of 2 is missing: the reports given are not the whole run (give every shard's report, or the merged report alone)"
    );
    assert_eq!(ran.spec(API)["verdict"], "PASS");
}

/// Issue 10: the same shard given twice was combined without a word.
#[test]
fn the_same_shard_twice_fails_naming_it() {
    let ran = ActionRun::new()
        .file(&report(NEW, "green-shard-1-of-2.json"), "shards/a.json")
        .file(&report(NEW, "green-shard-1-of-2.json"), "shards/b.json")
        .input("results", "shards/*.json")
        .input("specs", API)
        .run(&[]);
    assert_eq!(ran.output("result"), "FAIL");
    let reasons = ran.output("reasons");
    assert!(
        reasons.contains("shard 1 of 2 was given 2 times (shards/a.json, shards/b.json)"),
        "{reasons}"
    );
    assert!(reasons.contains("shard 2 of 2 is missing"), "{reasons}");
}

/// Issue 10: a test whose first attempt failed and whose retry skipped itself
/// (`test.skip(!healthy, ...)`, real Playwright 1.58.2 report) is labelled `flaky` by
/// Playwright, and the gate said PASS; it is failed, strict mode or not.
#[test]
fn a_failure_then_a_skipped_retry_fails_the_gate() {
    for strict in ["true", "false"] {
        let ran = ActionRun::new()
            .report(&report(NEW, "backend-down-on-retry.json"))
            .input("strict", strict)
            .run(&[]);
        assert_eq!(ran.code, 1, "{}", ran.stdout);
        assert_eq!(ran.output("result"), "FAIL");
        let spec = ran.spec(API);
        assert_eq!(spec["verdict"], "FAIL", "{spec}");
        assert_eq!(
            (spec["failed"].as_u64(), spec["flaky"].as_u64()),
            (Some(1), Some(0))
        );
        assert_eq!((ran.output("failed"), ran.output("flaky")), ("1", "0"));
        // The spec's own reasons name the test and its skipped retry; the short `reasons`
        // output says the failure once, as a group.
        let spec_reasons = spec["reasons"].to_string();
        assert!(
            spec_reasons.contains("test failed (failed, then skipped on retry: \\\"Live backend not healthy at http://127.0.0.1:3001\\\", 2 attempts): AI Coach — Backend API Health › GET /health reports ok [chromium]: "),
            "{spec_reasons}"
        );
        let reasons = ran.output("reasons");
        assert!(
            reasons.contains(
                "1 test in required spec `e2e/specs/ai-coach/ai-coach-api.spec.ts` failed at"
            ),
            "{reasons}"
        );
        // Playwright's own `flaky` label is what Playwright writes: not a contradiction.
        assert!(!reasons.contains("contradicts"), "{reasons}");
    }
}

/// Issue 10: a `status` of `expected` over a failed result or over no result at all, and
/// `stats.unexpected` of 3 while every listed test passed (hand-written, tests/fixtures/bad),
/// gave PASS; each is a FAIL that says what disagrees.
#[test]
fn labels_and_stats_that_contradict_the_attempts_fail_saying_what_disagrees() {
    let cases = [
        (
            "stats-contradict-tests.json",
            "the report contradicts itself: test-results/results.json: stats say 3 unexpected, the tests show 0",
        ),
        (
            "status-expected-over-failed.json",
            "the report contradicts itself: test-results/results.json: test e2e/specs/ai-coach/ai-coach-api.spec.ts › AI Coach — Backend API Health › GET /health reports ok [chromium] is labelled `expected` but its attempts show failed (failed)",
        ),
        (
            "status-expected-no-results.json",
            "the report contradicts itself: test-results/results.json: test e2e/specs/ai-coach/ai-coach-api.spec.ts › AI Coach — Backend API Health › GET /health reports ok [chromium] is labelled `expected` but it has no attempt at all",
        ),
    ];
    for (name, reason) in cases {
        let ran = bad_report(&bad(name));
        let reasons = ran.output("reasons");
        assert!(reasons.lines().any(|l| l == reason), "{name}: {reasons}");
    }
    // The worse counts: the test is failed / did not run, not passed.
    let over_failed = ActionRun::new()
        .report(&bad("status-expected-over-failed.json"))
        .run(&[]);
    assert_eq!(over_failed.spec(API)["failed"], 1);
    let over_nothing = ActionRun::new()
        .report(&bad("status-expected-no-results.json"))
        .run(&[]);
    assert_eq!(over_nothing.spec(API)["did_not_run"], 1);
}

#[test]
fn the_same_report_given_twice_counts_once() {
    let ran = ActionRun::new()
        .file(&report(NEW, "green.json"), "a.json")
        .file(&report(NEW, "green.json"), "b.json")
        .input("results", "a.json\nb.json")
        .run(&[]);
    let single = ActionRun::new().report(&report(NEW, "green.json")).run(&[]);
    assert_eq!(ran.output("passed"), single.output("passed"));
    assert!(ran.stdout.contains("duplicate test entries"));
}

#[test]
fn old_playwright_reports_are_read() {
    let green = ActionRun::new().report(&report(OLD, "green.json")).run(&[]);
    assert_eq!(green.output("result"), "PASS", "{}", green.stdout);
    let failing = ActionRun::new()
        .report(&report(OLD, "kitchen-sink.json"))
        .run(&[]);
    assert_eq!(failing.output("result"), "FAIL");
    assert!(failing.output("failed").parse::<u64>().unwrap() > 0);
}

#[test]
fn job_status_failure_fails_a_green_run() {
    let ran = ActionRun::new()
        .report(&report(NEW, "green.json"))
        .input("job-status", "failure")
        .run(&[]);
    assert_eq!(ran.code, 1);
    assert!(ran.output("reasons").contains("`failure`"));
}

/// Issue 10: `skipped` (a two-job workflow's `needs.<job>.result`) is accepted and fails the
/// gate with a plain reason.
#[test]
fn job_status_skipped_fails_a_green_run_with_a_plain_reason() {
    let ran = ActionRun::new()
        .report(&report(NEW, "green.json"))
        .input("job-status", "skipped")
        .run(&[]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(ran.output("result"), "FAIL");
    assert!(
        ran.output("reasons")
            .contains("the test job ended with `skipped` (job-status)"),
        "{}",
        ran.output("reasons")
    );
}

/// Issue 10: `job-status` empty inside Actions (a wiring mistake such as a wrong `needs` name)
/// passed as "a local run".
#[test]
fn empty_job_status_inside_actions_fails_as_a_wiring_mistake() {
    let ran = ActionRun::new()
        .report(&report(NEW, "green.json"))
        .input("job-status", "")
        .run(&[]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(ran.output("result"), "FAIL");
    let reasons = ran.output("reasons");
    assert!(
        reasons.contains("`job-status` is empty inside GitHub Actions: a wiring mistake"),
        "{reasons}"
    );
    assert!(!ran.stdout.contains("local run"), "{}", ran.stdout);
}

#[test]
fn empty_job_status_outside_actions_is_noted() {
    let ran = ActionRun::local()
        .file(&report(NEW, "green.json"), "test-results/results.json")
        .run(&["gate", "--commit", "never"]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.starts_with("itm-gate: PASS"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("note: no job status given"),
        "{}",
        ran.stdout
    );
}

#[test]
fn fail_on_gate_false_reports_fail_but_exits_zero() {
    let ran = ActionRun::new()
        .report(&report(NEW, "strict-failure.json"))
        .input("fail-on-gate", "false")
        .run(&[]);
    assert_eq!(ran.code, 0);
    assert_eq!(ran.output("result"), "FAIL");
}

#[test]
fn evidence_file_is_written_inside_the_workspace() {
    let run = ActionRun::new()
        .report(&report(NEW, "green.json"))
        .input("evidence-file", "out/evidence.md");
    let ran = run.run(&[]);
    let written = std::fs::read_to_string(run.workspace.path().join("out/evidence.md")).unwrap();
    assert_eq!(written, ran.output("evidence"));
}

#[test]
fn flags_win_over_inputs() {
    let ran = ActionRun::new()
        .report(&report(NEW, "backend-unhealthy.json"))
        .input("strict", "true")
        .run(&[
            "gate",
            "--strict",
            "false",
            "--specs",
            "e2e/specs/none.spec.ts",
        ]);
    let spec = ran.spec("e2e/specs/none.spec.ts");
    assert_eq!(spec["required"], true);
    assert!(!ran.output("reasons").contains("strict mode"));
}

// ---- bad input: FAIL with a message naming the file, never a panic, never a PASS ----

fn bad_report(path: &std::path::Path) -> common::Ran {
    let ran = ActionRun::new().report(path).run(&[]);
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(ran.output("result"), "FAIL");
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    ran
}

#[test]
fn missing_report_fails_naming_the_file() {
    let ran = ActionRun::new().run(&[]);
    assert_eq!(ran.code, 1);
    assert!(
        ran.output("reasons")
            .contains("test-results/results.json: cannot read the report"),
        "{}",
        ran.output("reasons")
    );
}

#[test]
fn empty_report_fails() {
    let ran = bad_report(&bad("empty.json"));
    assert!(
        ran.output("reasons")
            .contains("test-results/results.json: the report is empty (0 bytes)")
    );
}

#[test]
fn truncated_report_fails_with_the_byte_offset() {
    let ran = bad_report(&bad("truncated.json"));
    let size = std::fs::metadata(bad("truncated.json")).unwrap().len();
    let reasons = ran.output("reasons");
    assert!(
        reasons.contains(&format!("is truncated: the JSON ends at byte {size}")),
        "{reasons}"
    );
}

#[test]
fn not_json_fails_with_position() {
    let ran = bad_report(&bad("not-json.txt"));
    assert!(
        ran.output("reasons")
            .contains("not valid JSON at byte 0 (line 1, column 1)"),
        "{}",
        ran.output("reasons")
    );
}

#[test]
fn a_jest_report_is_not_a_playwright_report() {
    let ran = bad_report(&bad("jest-report.json"));
    let reasons = ran.output("reasons");
    assert!(
        reasons.contains("not a Playwright JSON report"),
        "{reasons}"
    );
    assert!(reasons.contains("Jest"), "{reasons}");
}

#[test]
fn deep_nesting_and_top_level_arrays_fail_cleanly() {
    for name in ["deeply-nested.json", "top-level-array.json"] {
        let ran = bad_report(&bad(name));
        assert!(
            ran.output("reasons").contains("test-results/results.json:"),
            "{name}"
        );
    }
}

#[test]
fn a_glob_that_matches_nothing_fails() {
    let ran = ActionRun::new()
        .input("results", "test-results/**/*.json")
        .run(&[]);
    assert_eq!(ran.code, 1);
    assert!(ran.output("reasons").contains("matched no file"));
}

// ---- usage errors: exit 2 before any work ----

#[test]
fn invalid_inputs_are_usage_errors_naming_the_input() {
    let cases = [
        ("commit", "sometimes", "input `commit` is `sometimes`"),
        (
            "allow-skip",
            "^ok$\n(unclosed",
            "input `allow-skip`, line 2",
        ),
        (
            "status-file",
            "../elsewhere/STATUS.md",
            "input `status-file`",
        ),
        ("evidence-file", "/etc/evidence.md", "input `evidence-file`"),
        ("flaky", "maybe", "input `flaky` is `maybe`"),
        ("strict", "yes", "input `strict` is `yes`"),
        ("timezone", "Mars/Olympus", "input `timezone`"),
        ("job-status", "green", "input `job-status`"),
    ];
    for (input, value, message) in cases {
        let ran = ActionRun::new()
            .report(&report(NEW, "green.json"))
            .input(input, value)
            .run(&[]);
        assert_eq!(ran.code, 2, "{input}: {}", ran.stderr);
        assert!(ran.stderr.contains(message), "{input}: {}", ran.stderr);
        assert!(ran.output_file.is_empty(), "{input}: no work is done");
    }
}

// ---- untrusted text and secrets ----

#[test]
fn the_token_never_appears_in_any_output() {
    let ran = ActionRun::new()
        .report(&report(NEW, "kitchen-sink.json"))
        .run(&[]);
    assert!(!ran.everything().contains(FAKE_TOKEN));
}

#[test]
fn report_text_cannot_issue_workflow_commands() {
    let ran = ActionRun::new()
        .report(&report(NEW, "kitchen-sink.json"))
        .run(&[]);
    // Every workflow command the runner would execute is one of ours.
    for line in common::commands_seen(&ran.stdout) {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice ")
                || line.starts_with("::error::")
                || line.starts_with("::warning::")
                || line.starts_with("::notice::")
                || line.starts_with("::group::")
                || line.starts_with("::endgroup::"),
            "unexpected command line: {line}"
        );
    }
}

#[test]
fn local_run_without_runner_prints_the_result_and_the_document_change() {
    let run = ActionRun::local()
        .file(&report(NEW, "green.json"), "test-results/results.json")
        .file(
            &common::repo_root().join("tests/fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md"),
            "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md",
        );
    let ran = run.run(&["gate", "--job-status", "success"]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.starts_with("itm-gate: PASS"));
    assert!(
        ran.stdout.contains("+<!-- itm-gate:evidence:begin -->"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("+### Staging Live Gate Evidence"));
}

#[test]
fn secrets_in_reports_and_logs_never_reach_any_output() {
    let secret = "fixture-shared-secret-not-real";
    let report_path = report(NEW, "auth-bypass-401.json");
    assert!(
        std::fs::read_to_string(&report_path)
            .unwrap()
            .contains(secret)
    );
    let ran = ActionRun::new()
        .report(&report_path)
        .file(
            &report(NEW, "auth-bypass-401.log"),
            "e2e-logs/playwright.log",
        )
        .input("logs", "e2e-logs/*.log")
        .env("E2E_BYPASS_SHARED_SECRET", secret)
        .env(
            "E2E_BYPASS_TOKEN",
            &format!("e2e:{secret}:00000000-0000-4000-8000-00000000e2e0"),
        )
        .run(&[]);
    assert_eq!(ran.output("result"), "FAIL");
    let findings: Vec<serde_json::Value> = serde_json::from_str(ran.output("findings")).unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"].as_str().unwrap().contains("bypass")),
        "{findings:?}"
    );
    assert!(!ran.everything().contains(secret), "{}", ran.everything());
}

#[test]
fn a_critical_log_finding_fails_a_green_run_with_rule_and_place() {
    let ran = ActionRun::new()
        .report(&report(NEW, "green.json"))
        .file(
            &common::repo_root()
                .join("tests/fixtures/logs/failing/e2e-user-provisioning-failed.jsonl"),
            "logs/backend.jsonl",
        )
        .input("logs", "logs/backend.jsonl")
        .run(&[]);
    assert_eq!(ran.code, 1);
    let reasons = ran.output("reasons");
    assert!(
        reasons.contains("critical log finding `e2e-user-provisioning-failed` ×1, first at "),
        "{reasons}"
    );
    assert!(reasons.contains("logs/backend.jsonl:"), "{reasons}");
    assert!(ran.summary.contains("### Log findings"));
    assert!(
        ran.annotations("error")
            .iter()
            .any(|a| a.contains("Log finding"))
    );
}

#[test]
fn green_logs_keep_a_green_run_green() {
    let ran = ActionRun::new()
        .report(&report(NEW, "green.json"))
        .file(
            &common::repo_root().join("tests/fixtures/logs/green/backend.jsonl"),
            "logs/backend.jsonl",
        )
        .file(
            &common::repo_root().join("tests/fixtures/logs/green/playwright.log"),
            "logs/playwright.log",
        )
        .file(&report(NEW, "green.log"), "logs/run.log")
        .input("logs", "logs/*")
        .run(&[]);
    assert_eq!(ran.output("result"), "PASS", "{}", ran.output("reasons"));
    assert_eq!(ran.output("commit-sha"), "");
}

#[test]
fn backend_url_comes_from_the_input_or_e2e_backend_url_without_credentials() {
    let ran = ActionRun::new()
        .report(&report(NEW, "green.json"))
        .env(
            "E2E_BACKEND_URL",
            "https://user:pw@staging.example.com/api?key=abc",
        )
        .run(&[]);
    let evidence = ran.output("evidence");
    assert!(
        evidence.contains("- Backend URL: https://staging.example.com"),
        "{evidence}"
    );
    assert!(!ran.everything().contains("pw@"));
    assert!(!ran.everything().contains("key=abc"));
}

#[test]
fn two_readers_give_the_same_outputs_as_one_on_every_fixture() {
    for version in [NEW, OLD] {
        let folder =
            common::repo_root().join(format!("tests/fixtures/reports/playwright-{version}"));
        let mut names: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        for path in names {
            let one = ActionRun::new().report(&path).run(&[]);
            let two = ActionRun::new()
                .report(&path)
                .env("ITM_GATE_TWO_READERS_FROM", "1")
                .run(&[]);
            assert_eq!(one.code, two.code, "{}", path.display());
            assert_eq!(one.outputs, two.outputs, "{}", path.display());
            assert_eq!(one.summary, two.summary, "{}", path.display());
        }
    }
}
