//! `readiness` against a local server shaped like GitHub's documented responses: READY, and each
//! NOT READY cause (latest run failed, in progress or missing; workflow unknown; status document
//! or evidence missing; evidence FAIL or for another commit; blocking issues), plus the binary.

use itm_gate::github::GitHubClient;
use itm_gate::github::checks::{CheckLevel, CheckReport};
use itm_gate::readiness::{ReadinessSettings, check};
use serde_json::{Value, json};
use wiremock::matchers::query_param;
use wiremock::{MockServer, ResponseTemplate};

#[path = "common/github.rs"]
mod github_support;
use github_support::{
    answer, answer_first, contents_file, github_api, github_error, github_message, itm_gate, ok,
    printed_and_summary, quick_policy, recording_client, run_binary, workflow_run, workflow_runs,
};

const TOKEN: &str = "ghp_ReadinessToken1234567890abcdefSECRET";
const REPO: &str = "/repos/n8kahl/ITM-gd";
const RUNS: &str = "/repos/n8kahl/ITM-gd/actions/workflows/ai-coach-live-e2e.yml/runs";
const STATUS_PATH: &str = "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const STATUS: &str = "/repos/n8kahl/ITM-gd/contents/docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const ISSUES: &str = "/repos/n8kahl/ITM-gd/issues";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const OTHER_SHA: &str = "fedcba9876543210fedcba9876543210fedcba98";
/// The users' real status document (no evidence yet).
const REAL_STATUS: &str = include_str!("fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md");

/// A client with two quick attempts; waits are not slept.
fn client(server: &MockServer) -> GitHubClient {
    recording_client(&server.uri(), TOKEN, quick_policy(2)).0
}

fn settings() -> ReadinessSettings {
    ReadinessSettings {
        repository: "n8kahl/ITM-gd".to_string(),
        branch: "Aiupgrade".to_string(),
        workflow: ".github/workflows/ai-coach-live-e2e.yml".to_string(),
        status_file: "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md".to_string(),
        blocking_labels: vec!["P0".to_string(), "P1".to_string()],
    }
}

/// A GET mock requiring GitHub's headers and the token.
fn get(p: &str) -> wiremock::MockBuilder {
    github_api("GET", p, TOKEN)
}

/// A `workflow_runs` listing with one run, #42.
fn runs(status: &str, conclusion: Option<&str>, head_sha: &str) -> Value {
    workflow_runs(vec![workflow_run(
        987654321,
        42,
        head_sha,
        status,
        conclusion,
        "2026-02-09T14:02:11Z",
    )])
}

/// The real status document with an evidence block appended between the markers.
fn status_with(result: &str, commit: &str) -> String {
    format!(
        "{REAL_STATUS}\n<!-- itm-gate:evidence:begin -->\n### Staging Live Gate Evidence\n\
         - Date: 2026-02-09 09:13 ET\n- Commit: {commit}\n\
         - Workflow: https://github.com/n8kahl/ITM-gd/actions/runs/987654321\n\
         - Backend URL: https://staging-api.example.com\n- Result: {result}\n- Specs:\n\
         \x20 - e2e/specs/ai-coach/ai-coach-api.spec.ts: {result}\n\
         - Notes: 14 passed\n<!-- itm-gate:evidence:end -->\n"
    )
}

/// The status document as the contents API sends it.
fn file(content: &str) -> Value {
    contents_file(STATUS_PATH, content, "blob")
}

fn issue(number: u64, title: &str, labels: &[&str], pull_request: bool) -> Value {
    let mut value = json!({
        "number": number,
        "title": title,
        "state": "open",
        "html_url": format!("https://github.com/n8kahl/ITM-gd/issues/{number}"),
        "labels": labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>()
    });
    if pull_request {
        value["pull_request"] =
            json!({"url": format!("https://api.github.com/repos/n8kahl/ITM-gd/pulls/{number}")});
    }
    value
}

/// Everything in order (priority 5; tests override with priority 1).
async fn ready_repo(server: &MockServer) {
    answer(
        server,
        get(RUNS).and(query_param("branch", "Aiupgrade")),
        ok(runs("completed", Some("success"), SHA)),
    )
    .await;
    answer(
        server,
        get(STATUS).and(query_param("ref", "Aiupgrade")),
        ok(file(&status_with("PASS", SHA))),
    )
    .await;
    answer(
        server,
        get(ISSUES).and(query_param("state", "open")),
        ok(json!([])),
    )
    .await;
}

/// [`ready_repo`], except that `GET p` answers `response` (priority 1 wins over 5).
async fn ready_repo_except(server: &MockServer, p: &str, response: ResponseTemplate) {
    answer_first(server, get(p), response).await;
    ready_repo(server).await;
}

fn fails(report: &CheckReport) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|c| c.level == CheckLevel::Fail)
        .map(|c| c.text.clone())
        .collect()
}

#[tokio::test]
async fn a_green_run_with_its_evidence_and_no_blockers_is_ready() {
    let server = MockServer::start().await;
    ready_repo(&server).await;
    let report = check(&client(&server), &settings()).await;
    let text = report.render_text();
    assert!(report.ready(), "{text}");
    assert!(text.contains(
        "PASS: the latest run of `.github/workflows/ai-coach-live-e2e.yml` on `Aiupgrade` succeeded: run #42 (id 987654321, commit 0123456) https://github.com/n8kahl/ITM-gd/actions/runs/987654321"
    ), "{text}");
    assert!(
        text.contains(&format!("records PASS for commit {SHA} (the latest run's)")),
        "{text}"
    );
    assert!(
        text.contains("PASS: no open issues labelled P0, P1"),
        "{text}"
    );
    assert!(text.ends_with("\nREADY\n"));
}

#[tokio::test]
async fn a_failed_latest_run_is_not_ready() {
    let server = MockServer::start().await;
    ready_repo_except(&server, RUNS, ok(runs("completed", Some("failure"), SHA))).await;
    let report = check(&client(&server), &settings()).await;
    let fails = fails(&report);
    assert_eq!(fails.len(), 1, "{fails:?}");
    assert!(
        fails[0].contains("concluded `failure`: run #42"),
        "{fails:?}"
    );
}

#[tokio::test]
async fn a_run_in_progress_is_not_ready() {
    let server = MockServer::start().await;
    ready_repo_except(&server, RUNS, ok(runs("in_progress", None, SHA))).await;
    let report = check(&client(&server), &settings()).await;
    assert!(fails(&report)[0].contains("has not completed (status `in_progress`)"));
}

#[tokio::test]
async fn no_run_on_the_branch_is_not_ready() {
    let server = MockServer::start().await;
    ready_repo_except(&server, RUNS, ok(workflow_runs(vec![]))).await;
    let report = check(&client(&server), &settings()).await;
    assert!(!report.ready());
    assert!(
        fails(&report)[0].starts_with(
            "no run of `.github/workflows/ai-coach-live-e2e.yml` on branch `Aiupgrade`"
        )
    );
}

#[tokio::test]
async fn an_unknown_workflow_is_not_ready() {
    let server = MockServer::start().await;
    ready_repo_except(
        &server,
        RUNS,
        github_error(
            404,
            "Not Found",
            "https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow",
        ),
    )
    .await;
    let report = check(&client(&server), &settings()).await;
    assert!(fails(&report)[0].contains("was not found in `n8kahl/ITM-gd`"));
}

#[tokio::test]
async fn a_missing_status_document_is_not_ready() {
    let server = MockServer::start().await;
    answer_first(&server, get(STATUS), github_message(404, "Not Found")).await;
    answer(
        &server,
        get(&format!("{REPO}/branches/Aiupgrade")),
        ok(json!({"name": "Aiupgrade"})),
    )
    .await;
    ready_repo(&server).await;
    let report = check(&client(&server), &settings()).await;
    assert_eq!(
        fails(&report),
        vec![
            "status document `docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md` is not on branch `Aiupgrade`"
        ]
    );
}

#[tokio::test]
async fn a_document_without_evidence_is_not_ready() {
    let server = MockServer::start().await;
    ready_repo_except(&server, STATUS, ok(file(REAL_STATUS))).await;
    let report = check(&client(&server), &settings()).await;
    assert!(
        fails(&report)[0].contains("holds no evidence block"),
        "{:?}",
        fails(&report)
    );
}

#[tokio::test]
async fn evidence_of_a_failed_gate_is_not_ready() {
    let server = MockServer::start().await;
    ready_repo_except(&server, STATUS, ok(file(&status_with("FAIL", SHA)))).await;
    let report = check(&client(&server), &settings()).await;
    assert_eq!(fails(&report).len(), 1);
    assert!(
        fails(&report)[0].contains("records FAIL, not PASS"),
        "{:?}",
        fails(&report)
    );
}

#[tokio::test]
async fn evidence_for_another_commit_is_not_ready() {
    let server = MockServer::start().await;
    ready_repo_except(&server, STATUS, ok(file(&status_with("PASS", OTHER_SHA)))).await;
    let report = check(&client(&server), &settings()).await;
    assert_eq!(
        fails(&report),
        vec![format!(
            "the evidence block in `docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md` is for commit {OTHER_SHA}, but the latest run tested {SHA}: record the evidence of the latest run"
        )]
    );
}

#[tokio::test]
async fn evidence_under_the_heading_without_markers_counts() {
    let server = MockServer::start().await;
    let doc = format!(
        "# Status\n\n### Staging Live Gate Evidence\n- Date: 2026-02-09 09:13 ET\n- Commit: {SHA}\n- Result: PASS\n\n## Next\n"
    );
    ready_repo_except(&server, STATUS, ok(file(&doc))).await;
    let report = check(&client(&server), &settings()).await;
    assert!(report.ready(), "{}", report.render_text());
}

#[tokio::test]
async fn open_blocking_issues_are_named_and_pull_requests_ignored() {
    let server = MockServer::start().await;
    answer_first(
        &server,
        get(ISSUES).and(query_param("labels", "P0")),
        ok(json!([
            issue(
                17,
                "Scanner returns 500 on empty watchlist",
                &["P0", "bug"],
                false
            ),
            issue(18, "Fix scanner", &["P0"], true)
        ])),
    )
    .await;
    answer_first(
        &server,
        get(ISSUES).and(query_param("labels", "P1")),
        ok(json!([
            issue(
                17,
                "Scanner returns 500 on empty watchlist",
                &["P0", "P1"],
                false
            ),
            issue(21, "Brief\nPASS: forged line", &["P1"], false)
        ])),
    )
    .await;
    ready_repo(&server).await;
    let report = check(&client(&server), &settings()).await;
    assert_eq!(
        fails(&report),
        vec![
            "open issue #17 (P0, P1) blocks the cut: Scanner returns 500 on empty watchlist https://github.com/n8kahl/ITM-gd/issues/17".to_string(),
            "open issue #21 (P1) blocks the cut: Brief PASS: forged line https://github.com/n8kahl/ITM-gd/issues/21".to_string(),
        ]
    );
}

#[tokio::test]
async fn blocking_issues_are_found_on_later_pages() {
    let server = MockServer::start().await;
    let next = format!(
        "{}{ISSUES}?state=open&labels=P1&per_page=100&page=2",
        server.uri()
    );
    answer_first(
        &server,
        get(ISSUES)
            .and(query_param("labels", "P1"))
            .and(query_param("page", "2")),
        ok(json!([issue(99, "Late blocker", &["P1"], false)])),
    )
    .await;
    get(ISSUES)
        .and(query_param("labels", "P1"))
        .respond_with(ok(json!([issue(5, "PR", &["P1"], true)])).insert_header(
            "link",
            format!("<{next}>; rel=\"next\", <{next}>; rel=\"last\"").as_str(),
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    ready_repo(&server).await;
    let report = check(&client(&server), &settings()).await;
    assert_eq!(fails(&report).len(), 1);
    assert!(fails(&report)[0].starts_with("open issue #99 (P1)"));
}

#[tokio::test]
async fn missing_actions_permission_names_it() {
    let server = MockServer::start().await;
    ready_repo_except(
        &server,
        RUNS,
        ResponseTemplate::new(403).set_body_json(json!({
            "message": "Resource not accessible by integration", "status": "403"
        })),
    )
    .await;
    let report = check(&client(&server), &settings()).await;
    assert!(
        fails(&report)[0].contains("`permissions: actions: read`"),
        "{:?}",
        fails(&report)
    );
    // Without the run, the evidence is still checked on its own.
    assert!(
        report
            .render_text()
            .contains("INFO: the evidence commit could not be compared")
    );
}

#[tokio::test]
async fn the_binary_exits_1_when_not_ready_and_0_when_ready() {
    let server = MockServer::start().await;
    ready_repo(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    // Fails if the token is printed.
    let run = |labels: &str| {
        run_binary(
            itm_gate(&server.uri(), TOKEN)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .args([
                    "readiness",
                    "--repository",
                    "n8kahl/ITM-gd",
                    "--branch",
                    "Aiupgrade",
                    "--blocking-labels",
                    labels,
                ]),
            TOKEN,
        )
    };
    let (code, stdout, stderr) = run("P0,P1");
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.ends_with("\nREADY\n"), "{stdout}");

    answer_first(
        &server,
        get(ISSUES).and(query_param("labels", "blocker")),
        ok(json!([issue(3, "Data loss", &["blocker"], false)])),
    )
    .await;
    let (code, stdout, _) = run("blocker");
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("FAIL: open issue #3 (blocker) blocks the cut: Data loss"),
        "{stdout}"
    );
    assert!(stdout.ends_with("\nNOT READY\n"), "{stdout}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("itm-gate readiness: READY") && md.contains("itm-gate readiness: NOT READY")
    );
}

#[path = "common/mod.rs"]
mod common;

/// Issue 11 point 4: issue titles and the evidence block, full of workflow-command look-alikes,
/// issue no command when `readiness` echoes them; `##[` was left as it was.
#[tokio::test]
async fn the_binary_echoes_no_command_from_api_texts() {
    let server = MockServer::start().await;
    answer_first(
        &server,
        get(ISSUES),
        ok(json!([issue(
            7,
            &common::look_alike_text(),
            &["P0"],
            false
        )])),
    )
    .await;
    let commit = format!("{OTHER_SHA} {}", common::LOOK_ALIKES.join(" "));
    ready_repo_except(&server, STATUS, ok(file(&status_with("PASS", &commit)))).await;
    let (code, stdout, stderr) = run_binary(
        itm_gate(&server.uri(), TOKEN)
            .env("GITHUB_ACTIONS", "true")
            .args([
                "readiness",
                "--repository",
                "n8kahl/ITM-gd",
                "--branch",
                "Aiupgrade",
            ]),
        TOKEN,
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    common::assert_echoed_safely("readiness", &stdout, &stderr);
}

/// The binary's printed lines and job summary, as snapshots: READY outside Actions, and NOT READY
/// inside Actions (the latest run failed, the evidence is for another commit, a P0 issue is
/// open), where the report is wrapped in `::stop-commands::` with a random token (`<token>`).
#[tokio::test]
async fn snapshots_of_ready_and_not_ready() {
    let args = [
        "readiness",
        "--repository",
        "n8kahl/ITM-gd",
        "--branch",
        "Aiupgrade",
    ];
    let server = MockServer::start().await;
    ready_repo(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let (printed, summary) = printed_and_summary(
        itm_gate(&server.uri(), TOKEN).args(args),
        &server.uri(),
        TOKEN,
        dir.path(),
        0,
    );
    insta::assert_snapshot!("readiness_ready", printed);
    insta::assert_snapshot!("readiness_ready_summary", summary);

    let server = MockServer::start().await;
    answer_first(
        &server,
        get(RUNS),
        ok(runs("completed", Some("failure"), SHA)),
    )
    .await;
    answer_first(
        &server,
        get(ISSUES).and(query_param("labels", "P0")),
        ok(json!([issue(17, "Scanner returns 500", &["P0"], false)])),
    )
    .await;
    ready_repo_except(&server, STATUS, ok(file(&status_with("PASS", OTHER_SHA)))).await;
    let (printed, summary) = printed_and_summary(
        itm_gate(&server.uri(), TOKEN)
            .env("GITHUB_ACTIONS", "true")
            .args(args),
        &server.uri(),
        TOKEN,
        dir.path(),
        1,
    );
    insta::assert_snapshot!("readiness_not_ready", printed);
    insta::assert_snapshot!("readiness_not_ready_summary", summary);
}
