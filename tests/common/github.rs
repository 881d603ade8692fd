//! What the tests of the GitHub API share: a client with a quick retry policy whose waits are
//! recorded (never slept), mocks that require GitHub's headers, GitHub-shaped JSON bodies (as
//! the REST API documents them), the binary pointed at a local server, and token checks.
//!
//! Declared from each test file with `#[path = "common/github.rs"] mod github_support;`. Every
//! test file has its own fake token, so the helpers that need one take it as an argument.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use itm_gate::github::{GitHubClient, RetryPolicy, Sleeper};
use serde_json::{Value, json};
use wiremock::matchers::{header, header_regex, method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, ResponseTemplate};

/// The repository the fixtures stand for.
pub const REPOSITORY: &str = "n8kahl/ITM-gd";
/// The branch the fixtures stand for.
pub const BRANCH: &str = "Aiupgrade";
/// The documentation link GitHub sends with errors of `PUT .../contents/{path}`.
pub const CREATE_OR_UPDATE_DOCS: &str =
    "https://docs.github.com/rest/repos/contents#create-or-update-file-contents";

/// The waits a client asked for, in order.
pub type Waits = Arc<Mutex<Vec<Duration>>>;

/// A retry policy for tests: `max_attempts` tries, back-off of 1 ms doubling to 2 ms, a 5 s
/// timeout; everything else as the default.
pub fn quick_policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        timeout: Duration::from_secs(5),
        ..RetryPolicy::default()
    }
}

/// The policy whose numbers the retry tests assert: 3 attempts, back-off of 2 ms doubling to
/// 10 ms, a 120 s cap on all waits, 3 attempts on conflicts, a 5 s timeout.
pub fn backoff_policy() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        max_total_wait: Duration::from_secs(120),
        max_conflict_attempts: 3,
        ..quick_policy(3)
    }
}

/// A client for the API at `base`, whose waits are recorded in the returned list, not slept.
pub fn recording_client(base: &str, token: &str, policy: RetryPolicy) -> (GitHubClient, Waits) {
    let waits = Waits::default();
    let record = waits.clone();
    let sleeper: Sleeper = Arc::new(move |d| {
        record.lock().unwrap().push(d);
        Box::pin(async {})
    });
    let client = GitHubClient::new(base, token)
        .unwrap()
        .with_retry_policy(policy)
        .with_sleeper(sleeper);
    (client, waits)
}

/// A mock of `verb p` that matches only requests with GitHub's headers: the JSON media type,
/// the API version, `Bearer <token>` and itm-gate's user agent (with its version).
pub fn github_api(verb: &str, p: &str, token: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(p))
        .and(header("accept", "application/vnd.github+json"))
        .and(header("x-github-api-version", "2022-11-28"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .and(header_regex("user-agent", r"^itm-gate/\d+\.\d+\.\d+"))
}

/// Fails the test (when the server is dropped) if any `verb` request reaches the server.
pub async fn expect_no_call(server: &MockServer, verb: &str) {
    Mock::given(method(verb))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(server)
        .await;
}

/// `200 OK` with a JSON body.
pub fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// An error as GitHub sends it: the message, the documentation link and the status.
pub fn github_error(status: u16, message: &str, documentation_url: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "message": message,
        "documentation_url": documentation_url,
        "status": status.to_string()
    }))
}

/// An error body with a message only.
pub fn github_message(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "message": message }))
}

/// `404` of the contents API (a file, a folder or a ref that is not there).
pub fn contents_not_found() -> ResponseTemplate {
    github_error(
        404,
        "Not Found",
        "https://docs.github.com/rest/repos/contents#get-repository-content",
    )
}

/// `401` for a token GitHub does not accept.
pub fn bad_credentials() -> ResponseTemplate {
    github_error(401, "Bad credentials", "https://docs.github.com/rest")
}

/// `403` for a token without `contents: write`, as a contents write answers it.
pub fn write_forbidden() -> ResponseTemplate {
    github_error(
        403,
        "Resource not accessible by integration",
        CREATE_OR_UPDATE_DOCS,
    )
}

/// A contents API file response for `p` in [`REPOSITORY`] on [`BRANCH`], as GitHub sends it
/// (base64 wrapped at 60 columns).
pub fn contents_file(p: &str, content: &str, sha: &str) -> Value {
    let encoded = STANDARD.encode(content.as_bytes());
    let wrapped: Vec<&str> = encoded
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let name = p.rsplit('/').next().unwrap_or(p);
    json!({
        "type": "file",
        "encoding": "base64",
        "size": content.len(),
        "name": name,
        "path": p,
        "content": wrapped.join("\n") + "\n",
        "sha": sha,
        "url": format!("https://api.github.com/repos/{REPOSITORY}/contents/{p}?ref={BRANCH}"),
        "git_url": format!("https://api.github.com/repos/{REPOSITORY}/git/blobs/{sha}"),
        "html_url": format!("https://github.com/{REPOSITORY}/blob/{BRANCH}/{p}"),
        "download_url": format!("https://raw.githubusercontent.com/{REPOSITORY}/{BRANCH}/{p}"),
        "_links": {}
    })
}

/// The answer to a successful contents write of `p` (`200` updated, `201` created).
pub fn file_written(p: &str, commit_sha: &str, status: u16) -> ResponseTemplate {
    let name = p.rsplit('/').next().unwrap_or(p);
    ResponseTemplate::new(status).set_body_json(json!({
        "content": {"name": name, "path": p, "sha": "newblob"},
        "commit": {
            "sha": commit_sha,
            "html_url": format!("https://github.com/{REPOSITORY}/commit/{commit_sha}"),
            "message": "Record staging live gate evidence",
            "verification": {"verified": true, "reason": "valid"}
        }
    }))
}

/// The JSON bodies of the PUTs the server received, in order.
pub async fn put_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r: &Request| r.method.as_str() == "PUT")
        .map(|r| r.body_json::<Value>().unwrap())
        .collect()
}

/// The text a contents write sent (its base64 `content`, decoded).
pub fn decoded_content(body: &Value) -> String {
    let bytes = STANDARD.decode(body["content"].as_str().unwrap()).unwrap();
    String::from_utf8(bytes).unwrap()
}

/// A run of `.github/workflows/ai-coach-live-e2e.yml` on [`BRANCH`], as
/// `GET /repos/{owner}/{repo}/actions/runs/{run_id}` documents it.
pub fn workflow_run(
    id: u64,
    run_number: u64,
    head_sha: &str,
    status: &str,
    conclusion: Option<&str>,
    created_at: &str,
) -> Value {
    json!({
        "id": id,
        "name": "AI Coach Live E2E",
        "node_id": "WFR_kwLOABCD",
        "head_branch": BRANCH,
        "head_sha": head_sha,
        "path": ".github/workflows/ai-coach-live-e2e.yml",
        "display_title": "AI Coach Live E2E",
        "run_number": run_number,
        "event": "workflow_dispatch",
        "status": status,
        "conclusion": conclusion,
        "workflow_id": 161335,
        "url": format!("https://api.github.com/repos/{REPOSITORY}/actions/runs/{id}"),
        "html_url": format!("https://github.com/{REPOSITORY}/actions/runs/{id}"),
        "created_at": created_at,
        "updated_at": created_at,
        "run_attempt": 1,
        "run_started_at": created_at,
        "jobs_url": format!("https://api.github.com/repos/{REPOSITORY}/actions/runs/{id}/jobs"),
    })
}

/// A page of `GET .../actions/workflows/{workflow_id}/runs`.
pub fn workflow_runs(runs: Vec<Value>) -> Value {
    json!({ "total_count": runs.len(), "workflow_runs": runs })
}

/// The `itm-gate` binary with a clean environment: only `PATH`, the API at `api_url` and
/// `GITHUB_TOKEN`.
pub fn itm_gate(api_url: &str, token: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("itm-gate").unwrap();
    cmd.env_clear()
        .env("GITHUB_API_URL", api_url)
        .env("GITHUB_TOKEN", token)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

/// Runs `cmd` and returns its exit code (-1 when killed), standard output and standard error;
/// fails when either output holds the token.
pub fn run_binary(cmd: &mut assert_cmd::Command, token: &str) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_no_token(token, &stdout);
    assert_no_token(token, &stderr);
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// Fails when `text` holds the token.
pub fn assert_no_token(token: &str, text: &str) {
    assert!(!text.contains(token), "token leaked: {text}");
}

/// Mounts `mock` answering `response` at wiremock's default priority (5): the healthy
/// repository a test starts from.
pub async fn answer(server: &MockServer, mock: MockBuilder, response: ResponseTemplate) {
    mock.respond_with(response).mount(server).await;
}

/// Mounts `mock` answering `response` at priority 1, so it wins over [`answer`]: the one thing
/// a test changes.
pub async fn answer_first(server: &MockServer, mock: MockBuilder, response: ResponseTemplate) {
    mock.respond_with(response)
        .with_priority(1)
        .mount(server)
        .await;
}

/// A command's printed lines made stable for a snapshot: the random `::stop-commands::` token
/// becomes `<token>` and the local server's address `http://127.0.0.1:<port>`.
pub fn stable_output(text: &str, server_uri: &str) -> String {
    let text = text.replace(server_uri, "http://127.0.0.1:<port>");
    let stop = regex::Regex::new(r"::stop-commands::([0-9a-f]{16,})").unwrap();
    let tokens: Vec<String> = stop
        .captures_iter(&text)
        .map(|c| c[1].to_string())
        .collect();
    tokens
        .iter()
        .fold(text.clone(), |text, token| text.replace(token, "<token>"))
}

/// Runs `cmd` (the binary against the server at `server_uri`) with its job summary written to a
/// new file in `dir`; checks the exit code and that nothing went to stderr; returns the printed
/// lines made stable by [`stable_output`], and the job summary, for snapshots.
pub fn printed_and_summary(
    cmd: &mut assert_cmd::Command,
    server_uri: &str,
    token: &str,
    dir: &std::path::Path,
    code: i32,
) -> (String, String) {
    let summary = dir.join(format!(
        "summary-{}.md",
        std::process::id() as u64 + code as u64
    ));
    let _ = std::fs::remove_file(&summary);
    let (exit, stdout, stderr) = run_binary(cmd.env("GITHUB_STEP_SUMMARY", &summary), token);
    assert_eq!((exit, stderr.as_str()), (code, ""), "{stdout}");
    (
        stable_output(&stdout, server_uri),
        std::fs::read_to_string(&summary).unwrap(),
    )
}
