//! `run` against a local server shaped like GitHub's Actions API (documented response shapes):
//! the dispatch, a run that appears late, in-progress polling, success, failure, cancellation,
//! rate limits, the evidence read back from the real status document, and the binary's exit
//! codes. Waits go through an injected sleeper that records them, so no test really waits.

use std::time::Duration;

use assert_cmd::Command;
use chrono::Utc;
use itm_gate::dispatch::{
    DispatchError, EvidenceReadBack, Print, RunOutcome, RunSettings, closing, execute,
};
use itm_gate::evidence::{self, Evidence};
use itm_gate::exit::Exit;
use itm_gate::gate::GateResult;
use itm_gate::github::GitHubClient;
use itm_gate::statusdoc;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, query_param};
use wiremock::{MockServer, ResponseTemplate};

#[path = "common/github.rs"]
mod github_support;
use github_support::{
    Waits, bad_credentials, contents_file, expect_no_call, github_api, github_error,
    github_message, itm_gate, ok, quick_policy, recording_client, run_binary, workflow_run,
    workflow_runs,
};

const TOKEN: &str = "ghp_DispatchToken1234567890abcdefSECRET";
const REPO: &str = "/repos/n8kahl/ITM-gd";
const RUNS: &str = "/repos/n8kahl/ITM-gd/actions/workflows/ai-coach-live-e2e.yml/runs";
const DISPATCHES: &str = "/repos/n8kahl/ITM-gd/actions/workflows/ai-coach-live-e2e.yml/dispatches";
const STATUS_PATH: &str = "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const STATUS: &str = "/repos/n8kahl/ITM-gd/contents/docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const SHA: &str = "4d3c2b1a0f9e8d7c6b5a49382716f5e4d3c2b1a0";
const OLD_SHA: &str = "aaaabbbbccccddddeeeeffff0000111122223333";
const BACKEND: &str = "https://staging-api.example.com";
const NEW_RUN: u64 = 21_000_000_002;
const OLD_RUN: u64 = 21_000_000_001;
const REAL_STATUS: &str = include_str!("fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md");

/// A client with three quick attempts, whose waits are recorded instead of slept.
fn client(server: &MockServer) -> (GitHubClient, Waits) {
    recording_client(&server.uri(), TOKEN, quick_policy(3))
}

fn settings() -> RunSettings {
    RunSettings {
        repository: "n8kahl/ITM-gd".parse().unwrap(),
        branch: "Aiupgrade".to_string(),
        workflow: ".github/workflows/ai-coach-live-e2e.yml".to_string(),
        status_file: "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md".to_string(),
        backend_url: BACKEND.to_string(),
        poll_interval: Duration::from_secs(10),
        timeout: Duration::from_secs(3600),
        find_timeout: Duration::from_secs(120),
        skip_preflight: true,
        no_wait: false,
    }
}

/// A run of the workflow; run ids 21_000_000_001, 21_000_000_002 are runs #41, #42.
fn run_json(id: u64, sha: &str, status: &str, conclusion: Option<&str>, created: &str) -> Value {
    workflow_run(
        id,
        id - 21_000_000_000 + 40,
        sha,
        status,
        conclusion,
        created,
    )
}

fn now_iso(offset_secs: i64) -> String {
    (Utc::now() + chrono::TimeDelta::seconds(offset_secs))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn step(number: u64, name: &str, status: &str, conclusion: Option<&str>) -> Value {
    json!({
        "name": name, "status": status, "conclusion": conclusion, "number": number,
        "started_at": "2026-02-09T14:00:10Z", "completed_at": null
    })
}

/// `GET .../actions/runs/{run_id}/jobs` with the users' one job.
fn jobs(status: &str, conclusion: Option<&str>, steps: Vec<Value>) -> Value {
    json!({
        "total_count": 1,
        "jobs": [{
            "id": 399444496, "run_id": NEW_RUN, "workflow_name": "AI Coach Live E2E",
            "head_branch": "Aiupgrade", "head_sha": SHA, "name": "live-e2e",
            "status": status, "conclusion": conclusion, "labels": ["ubuntu-latest"],
            "html_url": format!("https://github.com/n8kahl/ITM-gd/actions/runs/{NEW_RUN}/job/399444496"),
            "steps": steps
        }]
    })
}

/// A mock requiring GitHub's headers and the token.
fn api(verb: &str, p: &str) -> wiremock::MockBuilder {
    github_api(verb, p, TOKEN)
}

/// The real status document with the gate's evidence block for `sha` placed in it.
fn status_document(sha: &str, result: GateResult) -> String {
    let block = evidence::render(&Evidence {
        date: "2026-02-09 09:13 ET".to_string(),
        commit: sha.to_string(),
        workflow_url: Some(format!(
            "https://github.com/n8kahl/ITM-gd/actions/runs/{NEW_RUN}"
        )),
        backend_url: Some(BACKEND.to_string()),
        result,
        specs: vec![(
            "e2e/specs/ai-coach/ai-coach-api.spec.ts".to_string(),
            result.into(),
        )],
        notes: "12 passed".to_string(),
    });
    statusdoc::apply_evidence(REAL_STATUS, &block).0
}

/// The status document as the contents API sends it.
fn contents(document: &str) -> Value {
    contents_file(STATUS_PATH, document, "blob1")
}

/// The runs list shows only an earlier run for the first `late` calls (the look before the
/// dispatch included), then the new run too.
async fn runs_list(server: &MockServer, late: u64) {
    let old = run_json(
        OLD_RUN,
        OLD_SHA,
        "completed",
        Some("success"),
        &now_iso(-60),
    );
    api("GET", RUNS)
        .and(query_param("branch", "Aiupgrade"))
        .and(query_param("event", "workflow_dispatch"))
        .respond_with(ok(workflow_runs(vec![old.clone()])))
        .up_to_n_times(late)
        .with_priority(1)
        .mount(server)
        .await;
    let new = run_json(NEW_RUN, SHA, "queued", None, &now_iso(1));
    api("GET", RUNS)
        .and(query_param("branch", "Aiupgrade"))
        .and(query_param("event", "workflow_dispatch"))
        .respond_with(ok(workflow_runs(vec![new, old])))
        .with_priority(2)
        .mount(server)
        .await;
}

/// No run yet, and the dispatch is answered with `response`.
async fn refuse_dispatch(server: &MockServer, response: ResponseTemplate) {
    api("GET", RUNS)
        .respond_with(ok(workflow_runs(vec![])))
        .mount(server)
        .await;
    api("POST", DISPATCHES)
        .respond_with(response)
        .mount(server)
        .await;
}

async fn accept_dispatch(server: &MockServer) {
    api("POST", DISPATCHES)
        .and(body_partial_json(json!({
            "ref": "Aiupgrade",
            "inputs": { "backend_url": BACKEND }
        })))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(server)
        .await;
}

/// The run goes queued (1 poll), in progress (`in_progress_polls`), then completes with
/// `conclusion`; its job and steps follow.
async fn run_lifecycle(server: &MockServer, in_progress_polls: u64, conclusion: &str) {
    let run_path = format!("{REPO}/actions/runs/{NEW_RUN}");
    let jobs_path = format!("{run_path}/jobs");
    let created = now_iso(1);
    api("GET", &run_path)
        .respond_with(ok(run_json(NEW_RUN, SHA, "queued", None, &created)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    api("GET", &jobs_path)
        .respond_with(ok(jobs("queued", None, vec![])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    api("GET", &run_path)
        .respond_with(ok(run_json(NEW_RUN, SHA, "in_progress", None, &created)))
        .up_to_n_times(in_progress_polls)
        .with_priority(2)
        .mount(server)
        .await;
    api("GET", &jobs_path)
        .respond_with(ok(jobs(
            "in_progress",
            None,
            vec![
                step(1, "Set up job", "completed", Some("success")),
                step(2, "Run Playwright live suite", "in_progress", None),
                step(3, "itm-gate", "queued", None),
            ],
        )))
        .up_to_n_times(in_progress_polls)
        .with_priority(2)
        .mount(server)
        .await;
    api("GET", &run_path)
        .respond_with(ok(run_json(
            NEW_RUN,
            SHA,
            "completed",
            Some(conclusion),
            &created,
        )))
        .with_priority(3)
        .mount(server)
        .await;
    let (suite, gate) = match conclusion {
        "success" => ("success", "success"),
        "cancelled" => ("cancelled", "skipped"),
        _ => ("failure", "success"),
    };
    api("GET", &jobs_path)
        .respond_with(ok(jobs(
            "completed",
            Some(conclusion),
            vec![
                step(1, "Set up job", "completed", Some("success")),
                step(2, "Run Playwright live suite", "completed", Some(suite)),
                step(3, "itm-gate", "completed", Some(gate)),
            ],
        )))
        .with_priority(3)
        .mount(server)
        .await;
}

async fn status_file(server: &MockServer, document: &str) {
    api("GET", STATUS)
        .and(query_param("ref", "Aiupgrade"))
        .respond_with(ok(contents(document)))
        .mount(server)
        .await;
}

async fn go(
    server: &MockServer,
    settings: &RunSettings,
) -> (
    Result<RunOutcome, DispatchError>,
    Vec<String>,
    Vec<Duration>,
) {
    let (client, waits) = client(server);
    let mut printed = Vec::new();
    let outcome = execute(&client, settings, &|_| None, false, &mut |p| {
        printed.push(match p {
            Print::Line(l) => l,
            Print::Untrusted(t) => t,
        })
    })
    .await;
    let waits = waits.lock().unwrap().clone();
    (outcome, printed, waits)
}

#[tokio::test]
async fn a_late_run_is_found_followed_to_success_and_its_evidence_read_back() {
    let server = MockServer::start().await;
    runs_list(&server, 3).await; // the look before dispatching, then two empty looks
    accept_dispatch(&server).await;
    run_lifecycle(&server, 2, "success").await;
    status_file(&server, &status_document(SHA, GateResult::Pass)).await;

    let (outcome, printed, waits) = go(&server, &settings()).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.exit(), Exit::Success);
    let RunOutcome::Completed { run, evidence } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(run.id, NEW_RUN, "the earlier run is not ours");
    assert_eq!(run.conclusion.as_deref(), Some("success"));
    match evidence {
        EvidenceReadBack::Found { block, result } => {
            assert!(
                block.starts_with("### Staging Live Gate Evidence\n"),
                "{block}"
            );
            assert!(block.contains(&format!("- Commit: {SHA}")), "{block}");
            assert_eq!(result.as_deref(), Some("PASS"));
        }
        other => panic!("{other:?}"),
    }
    let url = format!("https://github.com/n8kahl/ITM-gd/actions/runs/{NEW_RUN}");
    assert_eq!(
        printed,
        vec![
            format!("dispatched `ai-coach-live-e2e.yml` on `Aiupgrade` with backend_url {BACKEND}"),
            format!("Run: {url}"),
            "job `live-e2e`: queued".to_string(),
            "run #42: queued".to_string(),
            "job `live-e2e`: in progress".to_string(),
            "  step 1/3 `Set up job`: success".to_string(),
            "  step 2/3 `Run Playwright live suite`: in progress".to_string(),
            "run #42: in progress".to_string(),
            "job `live-e2e`: success".to_string(),
            "  step 2/3 `Run Playwright live suite`: success".to_string(),
            "  step 3/3 `itm-gate`: success".to_string(),
            "run #42: success".to_string(),
        ]
    );
    // Two looks for the run 5 s apart (capped), then three polls 10 s apart.
    assert_eq!(
        waits,
        vec![
            Duration::from_secs(5),
            Duration::from_secs(5),
            Duration::from_secs(10),
            Duration::from_secs(10),
            Duration::from_secs(10),
        ]
    );
    let closing: Vec<String> = closing(&outcome, &settings())
        .into_iter()
        .map(|p| match p {
            Print::Line(l) | Print::Untrusted(l) => l,
        })
        .collect();
    assert_eq!(closing[0], format!("Run: {url}"));
    assert_eq!(closing[1], "Conclusion: success");
    assert_eq!(
        closing[2],
        "Evidence recorded in `docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md` on `Aiupgrade` for commit 4d3c2b1:"
    );
    assert!(closing[3].contains("- Result: PASS"), "{}", closing[3]);
}

#[tokio::test]
async fn a_failed_run_exits_1_and_an_old_evidence_block_is_not_taken_for_it() {
    let server = MockServer::start().await;
    runs_list(&server, 1).await;
    accept_dispatch(&server).await;
    run_lifecycle(&server, 1, "failure").await;
    status_file(&server, &status_document(OLD_SHA, GateResult::Pass)).await;

    let (outcome, printed, _) = go(&server, &settings()).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.exit(), Exit::GateFailed);
    let RunOutcome::Completed { evidence, .. } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(
        evidence,
        &EvidenceReadBack::OtherCommit {
            commit: Some(OLD_SHA.to_string())
        }
    );
    assert!(printed.contains(&"  step 2/3 `Run Playwright live suite`: failure".to_string()));
    assert_eq!(printed.last().map(String::as_str), Some("run #42: failure"));
    let closing = closing(&outcome, &settings());
    assert!(
        matches!(&closing[2], Print::Line(l) if l.starts_with("No evidence for commit 4d3c2b1")),
        "{closing:?}"
    );
}

#[tokio::test]
async fn a_failed_gate_records_a_fail_block_which_is_shown() {
    let server = MockServer::start().await;
    runs_list(&server, 1).await;
    accept_dispatch(&server).await;
    run_lifecycle(&server, 1, "failure").await;
    status_file(&server, &status_document(SHA, GateResult::Fail)).await;
    let (outcome, _, _) = go(&server, &settings()).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.exit(), Exit::GateFailed);
    assert!(matches!(
        &outcome,
        RunOutcome::Completed { evidence: EvidenceReadBack::Found { result, .. }, .. }
            if result.as_deref() == Some("FAIL")
    ));
}

#[tokio::test]
async fn a_cancelled_run_exits_1() {
    let server = MockServer::start().await;
    runs_list(&server, 1).await;
    accept_dispatch(&server).await;
    run_lifecycle(&server, 1, "cancelled").await;
    api("GET", STATUS)
        .respond_with(github_message(404, "Not Found"))
        .mount(&server)
        .await;
    api("GET", &format!("{REPO}/branches/Aiupgrade"))
        .respond_with(ok(json!({"name": "Aiupgrade"})))
        .mount(&server)
        .await;
    let (outcome, printed, _) = go(&server, &settings()).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.exit(), Exit::GateFailed);
    assert!(matches!(
        &outcome,
        RunOutcome::Completed { run, evidence: EvidenceReadBack::NoDocument }
            if run.conclusion.as_deref() == Some("cancelled")
    ));
    assert!(printed.contains(&"  step 3/3 `itm-gate`: skipped".to_string()));
}

#[tokio::test]
async fn the_run_id_returned_by_the_dispatch_is_used_without_searching() {
    let server = MockServer::start().await;
    api("GET", RUNS)
        .respond_with(ok(workflow_runs(vec![])))
        .expect(1) // only the look before dispatching
        .mount(&server)
        .await;
    api("POST", DISPATCHES)
        .and(body_partial_json(json!({"return_run_details": true})))
        .respond_with(ok(json!({
            "workflow_run_id": NEW_RUN,
            "run_url": format!("https://api.github.com/repos/n8kahl/ITM-gd/actions/runs/{NEW_RUN}"),
            "html_url": format!("https://github.com/n8kahl/ITM-gd/actions/runs/{NEW_RUN}")
        })))
        .expect(1)
        .mount(&server)
        .await;
    run_lifecycle(&server, 1, "success").await;
    status_file(&server, &status_document(SHA, GateResult::Pass)).await;
    let (outcome, _, _) = go(&server, &settings()).await;
    assert_eq!(outcome.unwrap().exit(), Exit::Success);
}

#[tokio::test]
async fn rate_limits_are_waited_out_as_github_asks() {
    let server = MockServer::start().await;
    runs_list(&server, 1).await;
    // The dispatch meets a secondary rate limit first (429 with retry-after).
    api("POST", DISPATCHES)
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7").set_body_json(
            json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}),
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    accept_dispatch(&server).await;
    // The first jobs poll meets the primary limit, resetting in 30 s.
    let reset = Utc::now().timestamp() + 30;
    api("GET", &format!("{REPO}/actions/runs/{NEW_RUN}/jobs"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-limit", "5000")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                .set_body_json(json!({
                    "message": "API rate limit exceeded for user ID 1.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
                })),
        )
        .up_to_n_times(1)
        .with_priority(1) // mounted first: wins over the lifecycle at equal priority
        .mount(&server)
        .await;
    run_lifecycle(&server, 1, "success").await;
    status_file(&server, &status_document(SHA, GateResult::Pass)).await;

    let (outcome, _, waits) = go(&server, &settings()).await;
    assert_eq!(outcome.unwrap().exit(), Exit::Success);
    assert_eq!(waits[0], Duration::from_secs(7), "{waits:?}");
    let primary = waits[1];
    assert!(
        primary >= Duration::from_secs(29) && primary <= Duration::from_secs(32),
        "{waits:?}"
    );
}

#[tokio::test]
async fn a_run_that_never_appears_is_an_error_after_the_bounded_wait() {
    let server = MockServer::start().await;
    runs_list(&server, 1000).await;
    accept_dispatch(&server).await;
    let settings = RunSettings {
        find_timeout: Duration::from_secs(20),
        ..settings()
    };
    let (outcome, _, waits) = go(&server, &settings).await;
    let err = outcome.unwrap_err();
    assert!(
        matches!(err, DispatchError::RunNotFound { secs: 20, .. }),
        "{err}"
    );
    assert_eq!(waits, vec![Duration::from_secs(5); 4]);
}

#[tokio::test]
async fn following_gives_up_at_the_timeout_and_the_run_goes_on() {
    let server = MockServer::start().await;
    runs_list(&server, 1).await;
    accept_dispatch(&server).await;
    run_lifecycle(&server, 1000, "success").await;
    let settings = RunSettings {
        timeout: Duration::from_secs(30),
        ..settings()
    };
    let (outcome, printed, waits) = go(&server, &settings).await;
    let outcome = outcome.unwrap();
    assert!(matches!(outcome, RunOutcome::TimedOut(_)), "{outcome:?}");
    assert_eq!(outcome.exit(), Exit::GateFailed);
    assert_eq!(waits, vec![Duration::from_secs(10); 3]);
    assert!(
        printed
            .last()
            .unwrap()
            .starts_with("gave up following after 30 s")
    );
}

#[tokio::test]
async fn no_wait_prints_the_run_url_and_returns() {
    let server = MockServer::start().await;
    runs_list(&server, 1).await;
    accept_dispatch(&server).await;
    api("GET", &format!("{REPO}/actions/runs/{NEW_RUN}"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let settings = RunSettings {
        no_wait: true,
        ..settings()
    };
    let (outcome, printed, _) = go(&server, &settings).await;
    let outcome = outcome.unwrap();
    assert!(matches!(&outcome, RunOutcome::Started(run) if run.id == NEW_RUN));
    assert_eq!(outcome.exit(), Exit::Success);
    assert_eq!(
        printed.last().unwrap(),
        &format!("Run: https://github.com/n8kahl/ITM-gd/actions/runs/{NEW_RUN}")
    );
}

#[tokio::test]
async fn not_ready_is_not_dispatched() {
    let server = MockServer::start().await;
    api("GET", REPO)
        .respond_with(bad_credentials())
        .mount(&server)
        .await;
    expect_no_call(&server, "POST").await;
    let settings = RunSettings {
        skip_preflight: false,
        ..settings()
    };
    let (outcome, printed, _) = go(&server, &settings).await;
    assert_eq!(outcome.unwrap(), RunOutcome::NotReady);
    assert!(
        printed[0].contains("FAIL: the token cannot read"),
        "{printed:?}"
    );
    assert!(printed[0].ends_with("NOT READY\n"), "{printed:?}");
    assert!(printed[1].starts_with("NOT READY: the workflow was not dispatched"));
}

#[tokio::test]
async fn a_refused_or_unknown_workflow_names_the_cause() {
    let server = MockServer::start().await;
    refuse_dispatch(
        &server,
        github_error(
            422,
            "Workflow does not have 'workflow_dispatch' trigger",
            "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event",
        ),
    )
    .await;
    let (outcome, _, _) = go(&server, &settings()).await;
    let err = outcome.unwrap_err().to_string();
    assert!(
        err.contains("422 Workflow does not have 'workflow_dispatch' trigger"),
        "{err}"
    );

    let server = MockServer::start().await;
    refuse_dispatch(&server, github_message(404, "Not Found")).await;
    let (outcome, _, _) = go(&server, &settings()).await;
    let err = outcome.unwrap_err();
    assert!(
        matches!(err, DispatchError::WorkflowNotFound { .. }),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// The binary
// ---------------------------------------------------------------------------------------------

/// `itm-gate run` against `server`, without preflight, polling every 10 ms.
fn binary(server: &MockServer) -> Command {
    let mut cmd = itm_gate(&server.uri(), TOKEN);
    cmd.args([
        "run",
        "--repository",
        "n8kahl/ITM-gd",
        "--branch",
        "Aiupgrade",
        "--skip-preflight",
        "--poll-interval",
        "0.01",
    ]);
    cmd
}

/// Runs the binary; fails if the token is printed.
fn output(cmd: &mut Command) -> (i32, String, String) {
    run_binary(cmd, TOKEN)
}

#[tokio::test]
async fn the_binary_exits_0_on_success_and_prints_url_conclusion_and_evidence() {
    let server = MockServer::start().await;
    runs_list(&server, 2).await;
    accept_dispatch(&server).await;
    run_lifecycle(&server, 1, "success").await;
    status_file(&server, &status_document(SHA, GateResult::Pass)).await;
    let (code, stdout, stderr) = output(binary(&server).arg(BACKEND));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let url = format!("https://github.com/n8kahl/ITM-gd/actions/runs/{NEW_RUN}");
    assert!(stdout.contains(&format!("Run: {url}\n")), "{stdout}");
    assert!(stdout.contains("Conclusion: success\n"), "{stdout}");
    assert!(stdout.contains(&format!("- Commit: {SHA}\n")), "{stdout}");
    assert!(stdout.ends_with("- Notes: 12 passed\n"), "{stdout}");
}

#[tokio::test]
async fn the_binary_exits_1_when_the_run_fails() {
    let server = MockServer::start().await;
    runs_list(&server, 1).await;
    accept_dispatch(&server).await;
    run_lifecycle(&server, 1, "failure").await;
    status_file(&server, &status_document(OLD_SHA, GateResult::Pass)).await;
    let (code, stdout, stderr) = output(binary(&server).arg(BACKEND));
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("Conclusion: failure\n"), "{stdout}");
}

#[tokio::test]
async fn the_binary_rejects_bad_urls_and_missing_tokens_with_2() {
    let server = MockServer::start().await;
    expect_no_call(&server, "POST").await;
    let (code, _, stderr) =
        output(binary(&server).arg("https://admin:pa55word@staging.example.com"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("must not contain credentials"), "{stderr}");
    assert!(!stderr.contains("pa55word"), "{stderr}");

    let (code, _, stderr) = output(binary(&server).arg("ftp://staging.example.com"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("http or https"), "{stderr}");

    let (code, _, stderr) = output(binary(&server).env_remove("GITHUB_TOKEN").arg(BACKEND));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no GitHub token"), "{stderr}");
}

#[tokio::test]
async fn the_binary_exits_3_when_github_refuses() {
    let server = MockServer::start().await;
    refuse_dispatch(&server, github_message(404, "Not Found")).await;
    let (code, _, stderr) = output(binary(&server).arg(BACKEND));
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("workflow `ai-coach-live-e2e.yml` was not found"),
        "{stderr}"
    );
}

#[path = "common/mod.rs"]
mod common;

/// Issue 11 point 4: the evidence block read back and GitHub's error messages, full of
/// workflow-command look-alikes, issue no command when `run` echoes them; `##[` was left as it
/// was.
#[tokio::test]
async fn the_binary_echoes_no_command_from_api_texts() {
    let server = MockServer::start().await;
    runs_list(&server, 2).await;
    accept_dispatch(&server).await;
    run_lifecycle(&server, 1, "success").await;
    let document = status_document(SHA, GateResult::Pass).replace(
        "- Notes: 12 passed\n",
        &format!("- Notes: 12 passed\n{}\n", common::look_alike_text()),
    );
    status_file(&server, &document).await;
    let (code, stdout, stderr) = output(binary(&server).env("GITHUB_ACTIONS", "true").arg(BACKEND));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    common::assert_echoed_safely("run", &stdout, &stderr);

    let server = MockServer::start().await;
    refuse_dispatch(&server, github_message(422, &common::look_alike_text())).await;
    let (code, stdout, stderr) = output(binary(&server).env("GITHUB_ACTIONS", "true").arg(BACKEND));
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    common::assert_echoed_safely("run", &stdout, &stderr);
}
