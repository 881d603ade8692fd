//! The evidence commit end to end: the real binary, run as the runner runs the action, against a
//! local server standing for the GitHub API. Proves the commit flow, its outputs, and that
//! nothing is lost when the commit fails.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{ActionRun, FAKE_TOKEN, Ran, SHA, report};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CONTENTS: &str =
    "/repos/n8kahl/ITM-gd/contents/docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const REAL_STATUS: &str = include_str!("fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md");
const COMMIT: &str = "c0ffee0123456789c0ffee0123456789c0ffee01";

fn file_json(content: &str, sha: &str) -> Value {
    json!({
        "type": "file", "encoding": "base64", "size": content.len(),
        "name": "AI_COACH_V2_PRODUCTION_STATUS.md",
        "path": "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md",
        "content": STANDARD.encode(content.as_bytes()), "sha": sha
    })
}

fn written() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "content": {"sha": "newblob"},
        "commit": {"sha": COMMIT, "html_url": format!("https://github.com/n8kahl/ITM-gd/commit/{COMMIT}")}
    }))
}

fn api(verb: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(CONTENTS))
        .and(header(
            "authorization",
            format!("Bearer {FAKE_TOKEN}").as_str(),
        ))
        .and(header("x-github-api-version", "2022-11-28"))
}

/// A green run with `commit: on-success`, an evidence file, and the API at `server`.
fn green_run(server: &MockServer) -> ActionRun {
    ActionRun::new()
        .report(&report("1.58.2", "green.json"))
        .input("commit", "on-success")
        .input("evidence-file", "evidence.md")
        .env("GITHUB_API_URL", &server.uri())
}

async fn puts(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r: &Request| r.method.as_str() == "PUT")
        .map(|r| r.body_json::<Value>().unwrap())
        .collect()
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
        .respond_with(ResponseTemplate::new(200).set_body_json(file_json(REAL_STATUS, "blob1")))
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
    let bodies = puts(&server).await;
    let body = &bodies[0];
    assert_eq!(body["sha"], "blob1");
    assert_eq!(body["branch"], "Aiupgrade");
    assert_eq!(
        body["message"],
        "Record staging live gate evidence for 0123456 (run 13101234567)"
    );
    assert!(body.get("author").is_none() && body.get("committer").is_none());
    let document =
        String::from_utf8(STANDARD.decode(body["content"].as_str().unwrap()).unwrap()).unwrap();
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
        .respond_with(ResponseTemplate::new(200).set_body_json(file_json(REAL_STATUS, "blob1")))
        .mount(&server)
        .await;
    api("PUT")
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "message": "Resource not accessible by integration",
            "documentation_url": "https://docs.github.com/rest/repos/contents#create-or-update-file-contents",
            "status": "403"
        })))
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
        .respond_with(ResponseTemplate::new(200).set_body_json(file_json(REAL_STATUS, "blob1")))
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
        .respond_with(ResponseTemplate::new(200).set_body_json(file_json(REAL_STATUS, "blob1")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    api("PUT").respond_with(written()).mount(&server).await;
    let first = run(green_run(&server));
    assert_eq!(first.ran.code, 0, "{}", first.ran.stderr);
    let recorded = puts(&server).await[0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    let recorded = String::from_utf8(STANDARD.decode(recorded).unwrap()).unwrap();

    // The branch now holds the evidence: a second run of the same report changes nothing.
    let again = MockServer::start().await;
    api("GET")
        .respond_with(ResponseTemplate::new(200).set_body_json(file_json(&recorded, "blob2")))
        .expect(1)
        .mount(&again)
        .await;
    api("PUT")
        .respond_with(written())
        .expect(0)
        .mount(&again)
        .await;
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
        .respond_with(ResponseTemplate::new(200).set_body_json(file_json(REAL_STATUS, "blob1")))
        .expect(1)
        .mount(&server)
        .await;
    api("PUT")
        .respond_with(written())
        .expect(0)
        .mount(&server)
        .await;
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
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
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
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
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
        .respond_with(ResponseTemplate::new(200).set_body_json(file_json("# Status\n", "b")))
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
    assert_eq!(puts(&server).await[0]["branch"], "evidence");
}
