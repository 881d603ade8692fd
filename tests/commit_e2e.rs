//! The evidence commit end to end: the real binary, run as the runner runs the action, against a
//! local server standing for the GitHub API. Proves the commit flow, its outputs, and that
//! nothing is lost when the commit fails.

mod common;

use common::{ActionRun, FAKE_TOKEN, Ran, SHA, report};
use serde_json::{Value, json};
use wiremock::matchers::query_param;
use wiremock::{MockServer, ResponseTemplate};

#[path = "common/github.rs"]
mod github_support;
use github_support::{
    contents_file, decoded_content, expect_no_call, file_written, github_api, ok, put_bodies,
    write_forbidden,
};

const STATUS_PATH: &str = "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const CONTENTS: &str =
    "/repos/n8kahl/ITM-gd/contents/docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const REAL_STATUS: &str = include_str!("fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md");
const COMMIT: &str = "c0ffee0123456789c0ffee0123456789c0ffee01";

/// The status document as the contents API sends it.
fn file_json(content: &str, sha: &str) -> Value {
    contents_file(STATUS_PATH, content, sha)
}

/// The answer to the evidence commit: [`COMMIT`].
fn written() -> ResponseTemplate {
    file_written(STATUS_PATH, COMMIT, 200)
}

/// The contents API for the status document, with GitHub's headers and the runner's token.
fn api(verb: &str) -> wiremock::MockBuilder {
    github_api(verb, CONTENTS, FAKE_TOKEN)
}

/// A green run with `commit: on-success`, an evidence file, and the API at `server`.
fn green_run(server: &MockServer) -> ActionRun {
    ActionRun::new()
        .report(&report("1.58.2", "green.json"))
        .input("commit", "on-success")
        .input("evidence-file", "evidence.md")
        .env("GITHUB_API_URL", &server.uri())
}

fn assert_evidence_kept(ran: &Run) {
    let evidence = ran.ran.output("evidence");
    assert!(evidence.contains("- Result: PASS"), "{evidence}");
    assert!(ran.ran.summary.contains("Staging Live Gate Evidence"));
    let file = std::fs::read_to_string(ran.workspace.join("evidence.md")).unwrap();
    assert_eq!(file.trim_end(), evidence.trim_end());
    assert!(!ran.ran.everything().contains(FAKE_TOKEN));
}

/// A finished run and its workspace path.
struct Run {
    ran: Ran,
    workspace: std::path::PathBuf,
    _keep: ActionRun,
}

fn run(action: ActionRun) -> Run {
    let ran = action.run(&[]);
    Run {
        workspace: action.workspace.path().to_path_buf(),
        ran,
        _keep: action,
    }
}

#[tokio::test]
async fn a_pass_is_committed_and_its_commit_is_output() {
    let server = MockServer::start().await;
    api("GET")
        .and(query_param("ref", "Aiupgrade"))
        .respond_with(ok(file_json(REAL_STATUS, "blob1")))
        .expect(1)
        .mount(&server)
        .await;
    api("PUT")
        .respond_with(written())
        .expect(1)
        .mount(&server)
        .await;
    let done = run(green_run(&server));
    let ran = &done.ran;
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(ran.output("result"), "PASS");
    assert_eq!(ran.output("commit-sha"), COMMIT);
    assert_eq!(
        ran.output("commit-url"),
        format!("https://github.com/n8kahl/ITM-gd/commit/{COMMIT}")
    );
    let bodies = put_bodies(&server).await;
    let body = &bodies[0];
    assert_eq!(body["sha"], "blob1");
    assert_eq!(body["branch"], "Aiupgrade");
    assert_eq!(
        body["message"],
        "Record staging live gate evidence for 0123456 (run 13101234567)"
    );
    assert!(body.get("author").is_none() && body.get("committer").is_none());
    let document = decoded_content(body);
    assert!(
        document.starts_with(REAL_STATUS),
        "the document's bytes are kept"
    );
    assert!(document.contains("<!-- itm-gate:evidence:begin -->"));
    assert!(document.contains(ran.output("evidence").trim_end()));
    assert!(document.contains(&format!("- Commit: {SHA}")));
    assert_evidence_kept(&done);
}

#[tokio::test]
async fn a_failed_commit_keeps_everything_and_exits_3() {
    let server = MockServer::start().await;
    api("GET")
        .respond_with(ok(file_json(REAL_STATUS, "blob1")))
        .mount(&server)
        .await;
    api("PUT")
        .respond_with(write_forbidden())
        .expect(1)
        .mount(&server)
        .await;
    let done = run(green_run(&server));
    let ran = &done.ran;
    assert_eq!(ran.code, 3, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(ran.output("result"), "PASS", "the gate result is unchanged");
    assert_eq!(
        ran.outputs.get("commit-sha").map(String::as_str),
        Some(""),
        "no commit: empty output"
    );
    assert!(ran.stderr.contains("NOT committed"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("`permissions: contents: write`"),
        "{}",
        ran.stderr
    );
    assert_evidence_kept(&done);
}

#[tokio::test]
async fn a_protected_branch_keeps_everything_and_exits_3() {
    let server = MockServer::start().await;
    api("GET")
        .respond_with(ok(file_json(REAL_STATUS, "blob1")))
        .mount(&server)
        .await;
    api("PUT")
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "message": "Repository rule violations found\n\nChanges must be made through a pull request.\n\n",
            "status": "409"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let done = run(green_run(&server));
    assert_eq!(done.ran.code, 3);
    assert!(
        done.ran.stderr.contains("branch `Aiupgrade` is protected"),
        "{}",
        done.ran.stderr
    );
    assert_evidence_kept(&done);
}

#[tokio::test]
async fn the_same_evidence_is_not_committed_twice() {
    let server = MockServer::start().await;
    api("GET")
        .respond_with(ok(file_json(REAL_STATUS, "blob1")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    api("PUT").respond_with(written()).mount(&server).await;
    let first = run(green_run(&server));
    assert_eq!(first.ran.code, 0, "{}", first.ran.stderr);
    let recorded = decoded_content(&put_bodies(&server).await[0]);

    // The branch now holds the evidence: a second run of the same report changes nothing.
    let again = MockServer::start().await;
    api("GET")
        .respond_with(ok(file_json(&recorded, "blob2")))
        .expect(1)
        .mount(&again)
        .await;
    expect_no_call(&again, "PUT").await;
    let second = run(green_run(&again));
    assert_eq!(second.ran.code, 0, "{}", second.ran.stderr);
    assert_eq!(
        second.ran.outputs.get("commit-sha").map(String::as_str),
        Some("")
    );
    assert!(
        second.ran.stdout.contains("nothing to commit"),
        "{}",
        second.ran.stdout
    );
}

#[tokio::test]
async fn dry_run_prints_the_diff_and_writes_nothing() {
    let server = MockServer::start().await;
    api("GET")
        .respond_with(ok(file_json(REAL_STATUS, "blob1")))
        .expect(1)
        .mount(&server)
        .await;
    expect_no_call(&server, "PUT").await;
    let done = run(green_run(&server).input("dry-run", "true"));
    assert_eq!(done.ran.code, 0, "{}", done.ran.stderr);
    assert!(
        done.ran
            .stdout
            .contains("+++ b/docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md"),
        "{}",
        done.ran.stdout
    );
    assert!(done.ran.stdout.contains("+- Result: PASS"));
    assert_eq!(
        done.ran.outputs.get("commit-sha").map(String::as_str),
        Some("")
    );
}

#[tokio::test]
async fn a_failed_gate_is_not_committed_on_success_only() {
    let server = MockServer::start().await;
    expect_no_call(&server, "GET").await;
    let done = run(ActionRun::new()
        .report(&report("1.58.2", "backend-unhealthy.json"))
        .input("commit", "on-success")
        .env("GITHUB_API_URL", &server.uri()));
    assert_eq!(done.ran.code, 1);
    assert_eq!(done.ran.output("result"), "FAIL");
}

#[tokio::test]
async fn a_tag_run_without_branch_says_to_set_branch() {
    let server = MockServer::start().await;
    expect_no_call(&server, "GET").await;
    let done = run(green_run(&server)
        .env("GITHUB_REF", "refs/tags/v1.2.0")
        .env("GITHUB_REF_NAME", "v1.2.0"));
    assert_eq!(done.ran.code, 3, "{}", done.ran.stderr);
    assert!(
        done.ran.stderr.contains("`branch` input"),
        "{}",
        done.ran.stderr
    );
    assert_evidence_kept(&done);
}

#[tokio::test]
async fn the_branch_input_wins() {
    let server = MockServer::start().await;
    api("GET")
        .and(query_param("ref", "evidence"))
        .respond_with(ok(file_json("# Status\n", "b")))
        .expect(1)
        .mount(&server)
        .await;
    api("PUT")
        .respond_with(written())
        .expect(1)
        .mount(&server)
        .await;
    let done = run(green_run(&server)
        .input("branch", "evidence")
        .env("GITHUB_REF", "refs/tags/v1.2.0"));
    assert_eq!(done.ran.code, 0, "{}", done.ran.stderr);
    assert_eq!(put_bodies(&server).await[0]["branch"], "evidence");
}
