//! The evidence commit against a local HTTP server shaped like GitHub's contents API: create,
//! update (bytes kept exactly), unchanged, dry run, large files, concurrent edits, protected
//! branches, missing repository or branch, permissions and transient faults.

use std::time::Duration;

use itm_gate::github::{
    GitHubClient, GitHubError, RecordOutcome, RecordRequest, commit_message, record_evidence,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[path = "common/github.rs"]
mod github_support;
use github_support::{
    CREATE_OR_UPDATE_DOCS, Waits, assert_no_token, backoff_policy, contents_file,
    contents_not_found, decoded_content, expect_no_call, file_written, github_api, github_error,
    github_message, ok, put_bodies, recording_client, write_forbidden,
};

const TOKEN: &str = "ghs_CommitToken9876543210zyxwvSECRET";
const STATUS_PATH: &str = "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const CONTENTS: &str =
    "/repos/n8kahl/ITM-gd/contents/docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
/// The users' real status document (970 lines, no evidence yet).
const REAL_STATUS: &str = include_str!("fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md");

const BEGIN: &str = "<!-- itm-gate:evidence:begin -->";
const END: &str = "<!-- itm-gate:evidence:end -->";

const BLOCK: &str = "### Staging Live Gate Evidence
- Date: 2026-02-09 09:13 ET
- Commit: 0123456789abcdef0123456789abcdef01234567
- Workflow: https://github.com/n8kahl/ITM-gd/actions/runs/987654321
- Backend URL: https://staging-api.example.com
- Result: PASS
- Specs:
  - e2e/specs/ai-coach/ai-coach-api.spec.ts: PASS
  - e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts: PASS
- Notes: 14 passed, 0 failed, 0 flaky, 0 skipped
";

/// A stand-in for the gate's update rule (the marker part of it): replace between the markers,
/// else append a marked block. Every other byte is kept.
fn apply(doc: Option<&str>) -> String {
    let doc = doc.unwrap_or("");
    if let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) {
        let start = b + BEGIN.len();
        let eol = if doc[..b].contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let block = BLOCK.replace('\n', eol);
        return format!("{}{eol}{block}{}", &doc[..start], &doc[e..]);
    }
    let sep = if doc.is_empty() || doc.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{doc}{sep}\n{BEGIN}\n{BLOCK}{END}\n")
}

/// A client with the retry tests' policy; its waits are recorded, not slept.
fn client(server: &MockServer) -> (GitHubClient, Waits) {
    recording_client(&server.uri(), TOKEN, backoff_policy())
}

fn request(dry_run: bool) -> RecordRequest {
    RecordRequest {
        repository: "n8kahl/ITM-gd".to_string(),
        branch: "Aiupgrade".to_string(),
        path: STATUS_PATH.to_string(),
        message: commit_message(
            "0123456789abcdef0123456789abcdef01234567",
            Some("987654321"),
        ),
        dry_run,
    }
}

/// Records the evidence on `Aiupgrade` (not a dry run) with the stand-in update rule.
async fn record(client: &GitHubClient) -> Result<RecordOutcome, GitHubError> {
    record_evidence(client, &request(false), &apply).await
}

/// GitHub's headers, required on every mock.
fn api(verb: &str, p: &str) -> wiremock::MockBuilder {
    github_api(verb, p, TOKEN)
}

/// The status document as the contents API sends it.
fn file_json(content: &str, sha: &str) -> Value {
    contents_file(STATUS_PATH, content, sha)
}

/// The response to a successful write of the status document.
fn written_json(commit_sha: &str, status: u16) -> ResponseTemplate {
    file_written(STATUS_PATH, commit_sha, status)
}

/// Expects one write that updates blob `blob_sha` (the sha it sends) and answers with commit
/// `commit_sha`.
async fn expect_update(server: &MockServer, blob_sha: &str, commit_sha: &str) {
    api("PUT", CONTENTS)
        .and(body_partial_json(json!({ "sha": blob_sha })))
        .respond_with(written_json(commit_sha, 200))
        .expect(1)
        .mount(server)
        .await;
}

async fn branch_exists(server: &MockServer) {
    api("GET", "/repos/n8kahl/ITM-gd/branches/Aiupgrade")
        .respond_with(ok(json!({"name": "Aiupgrade"})))
        .mount(server)
        .await;
}

/// Checks what every write must be: the message, the branch, and no author or committer.
fn assert_signed_by_github(body: &Value) {
    assert_eq!(
        body["message"],
        "Record staging live gate evidence for 0123456 (run 987654321)"
    );
    assert_eq!(body["branch"], "Aiupgrade");
    assert!(body.get("author").is_none(), "{body}");
    assert!(body.get("committer").is_none(), "{body}");
}

#[tokio::test]
async fn updates_the_real_status_document_with_the_blob_sha() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .and(query_param("ref", "Aiupgrade"))
        .respond_with(ok(file_json(REAL_STATUS, "blob1")))
        .expect(1)
        .mount(&server)
        .await;
    expect_update(&server, "blob1", "c0ffee0000000000000000000000000000000001").await;
    let (client, _) = client(&server);
    let outcome = record(&client).await.unwrap();
    assert_eq!(
        outcome,
        RecordOutcome::Committed {
            sha: "c0ffee0000000000000000000000000000000001".to_string(),
            url: "https://github.com/n8kahl/ITM-gd/commit/c0ffee0000000000000000000000000000000001"
                .to_string(),
        }
    );
    let bodies = put_bodies(&server).await;
    assert_eq!(bodies.len(), 1);
    assert_signed_by_github(&bodies[0]);
    let written = decoded_content(&bodies[0]);
    assert_eq!(written, apply(Some(REAL_STATUS)));
    assert!(
        written.starts_with(REAL_STATUS),
        "every existing byte is kept"
    );
}

#[tokio::test]
async fn creates_the_document_when_the_branch_has_none() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(contents_not_found())
        .expect(1)
        .mount(&server)
        .await;
    branch_exists(&server).await;
    api("PUT", CONTENTS)
        .respond_with(written_json("c0ffee02", 201))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let outcome = record(&client).await.unwrap();
    assert!(matches!(outcome, RecordOutcome::Committed { ref sha, .. } if sha == "c0ffee02"));
    let bodies = put_bodies(&server).await;
    assert_signed_by_github(&bodies[0]);
    assert!(bodies[0].get("sha").is_none(), "a creation sends no sha");
    assert_eq!(decoded_content(&bodies[0]), apply(None));
}

#[tokio::test]
async fn crlf_bytes_are_kept_exactly() {
    let server = MockServer::start().await;
    let doc = format!("# Status\r\n\r\n{BEGIN}\r\nold\r\n{END}\r\n\r\n## Tail\r\nkept\r\n");
    api("GET", CONTENTS)
        .respond_with(ok(file_json(&doc, "blob-crlf")))
        .mount(&server)
        .await;
    api("PUT", CONTENTS)
        .respond_with(written_json("c0ffee03", 200))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    record(&client).await.unwrap();
    let written = decoded_content(&put_bodies(&server).await[0]);
    assert_eq!(written, apply(Some(&doc)));
    assert!(written.ends_with(&format!("{END}\r\n\r\n## Tail\r\nkept\r\n")));
    assert!(
        !written.replace("\r\n", "").contains('\n'),
        "no bare LF introduced"
    );
}

#[tokio::test]
async fn an_unchanged_document_is_not_committed_again() {
    let server = MockServer::start().await;
    let already = apply(Some("# Status\n"));
    api("GET", CONTENTS)
        .respond_with(ok(file_json(&already, "blob2")))
        .expect(1)
        .mount(&server)
        .await;
    expect_no_call(&server, "PUT").await;
    let (client, _) = client(&server);
    let outcome = record(&client).await.unwrap();
    assert_eq!(outcome, RecordOutcome::Unchanged);
}

#[tokio::test]
async fn dry_run_reads_and_returns_the_diff_without_writing() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(ok(file_json("# Status\n", "blob3")))
        .expect(1)
        .mount(&server)
        .await;
    expect_no_call(&server, "PUT").await;
    let (client, _) = client(&server);
    let outcome = record_evidence(&client, &request(true), &apply)
        .await
        .unwrap();
    let RecordOutcome::DryRun { diff } = outcome else {
        panic!("expected a dry run, got {outcome:?}");
    };
    assert!(
        diff.starts_with(&format!("--- a/{STATUS_PATH}\n+++ b/{STATUS_PATH}\n")),
        "{diff}"
    );
    assert!(diff.contains(&format!("+{BEGIN}\n")), "{diff}");
    assert!(diff.contains("+- Result: PASS\n"), "{diff}");
    assert!(diff.contains(" # Status\n"), "{diff}");
}

#[tokio::test]
async fn large_files_are_read_through_the_raw_media_type() {
    let server = MockServer::start().await;
    let big = REAL_STATUS.repeat(16); // over 1 MB: GitHub sends no inline content
    assert!(big.len() > 1024 * 1024);
    Mock::given(method("GET"))
        .and(path(CONTENTS))
        .and(header("accept", "application/vnd.github.raw+json"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(big.as_bytes()))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", CONTENTS)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "type": "file", "encoding": "none", "size": big.len(), "content": "",
            "sha": "bigblob", "path": STATUS_PATH, "name": "AI_COACH_V2_PRODUCTION_STATUS.md"
        })))
        .expect(1)
        .mount(&server)
        .await;
    expect_update(&server, "bigblob", "c0ffee04").await;
    let (client, _) = client(&server);
    record(&client).await.unwrap();
    assert_eq!(
        decoded_content(&put_bodies(&server).await[0]),
        apply(Some(&big))
    );
}

#[tokio::test]
async fn a_concurrent_edit_is_reread_and_kept() {
    let server = MockServer::start().await;
    let mine = "# Status\n\nbefore\n";
    let theirs = "# Status\n\nbefore\n\n## Their section, written meanwhile\n";
    // First read: the version we start from.
    api("GET", CONTENTS)
        .respond_with(ok(file_json(mine, "blob-old")))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    // Second read: someone else's commit landed between our read and our write.
    api("GET", CONTENTS)
        .respond_with(ok(file_json(theirs, "blob-theirs")))
        .expect(1)
        .mount(&server)
        .await;
    api("PUT", CONTENTS)
        .and(body_partial_json(json!({"sha": "blob-old"})))
        .respond_with(github_error(
            409,
            &format!("{STATUS_PATH} does not match blob-old"),
            CREATE_OR_UPDATE_DOCS,
        ))
        .expect(1)
        .mount(&server)
        .await;
    expect_update(&server, "blob-theirs", "c0ffee05").await;
    let (client, waits) = client(&server);
    let outcome = record(&client).await.unwrap();
    assert!(matches!(outcome, RecordOutcome::Committed { ref sha, .. } if sha == "c0ffee05"));
    let bodies = put_bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    let final_doc = decoded_content(&bodies[1]);
    assert_eq!(final_doc, apply(Some(theirs)));
    assert!(
        final_doc.contains("## Their section, written meanwhile"),
        "their change is kept"
    );
    assert_eq!(
        waits.lock().unwrap().len(),
        1,
        "one jittered back-off before re-reading"
    );
}

#[tokio::test]
async fn a_file_created_meanwhile_is_reread_and_updated() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(contents_not_found())
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    branch_exists(&server).await;
    api("GET", CONTENTS)
        .respond_with(ok(file_json("# Theirs\n", "blob-new")))
        .mount(&server)
        .await;
    // Creating a file that now exists: GitHub asks for the sha.
    api("PUT", CONTENTS)
        .and(body_partial_json(json!({"branch": "Aiupgrade"})))
        .and(|r: &Request| r.body_json::<Value>().is_ok_and(|b| b.get("sha").is_none()))
        .respond_with(github_error(
            422,
            "Invalid request.\n\n\"sha\" wasn't supplied.",
            CREATE_OR_UPDATE_DOCS,
        ))
        .expect(1)
        .mount(&server)
        .await;
    expect_update(&server, "blob-new", "c0ffee06").await;
    let (client, _) = client(&server);
    record(&client).await.unwrap();
    assert_eq!(
        decoded_content(&put_bodies(&server).await[1]),
        apply(Some("# Theirs\n"))
    );
}

#[tokio::test]
async fn endless_conflicts_give_up_after_the_bound() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(ok(file_json("# S\n", "blob-x")))
        .expect(3)
        .mount(&server)
        .await;
    api("PUT", CONTENTS)
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "message": format!("{STATUS_PATH} does not match blob-x"),
            "status": "409"
        })))
        .expect(3)
        .mount(&server)
        .await;
    let (client, waits) = client(&server);
    let err = record(&client).await.unwrap_err();
    assert!(
        matches!(
            err,
            GitHubError::Conflict {
                attempts: 3,
                status: 409,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&format!("PUT {CONTENTS}")),
        "{err}"
    );
    assert_eq!(waits.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_protected_branch_says_so() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(ok(file_json("# S\n", "blob-p")))
        .mount(&server)
        .await;
    api("PUT", CONTENTS)
        .respond_with(github_error(
            409,
            "Repository rule violations found\n\nChanges must be made through a pull request.\n\n",
            "https://docs.github.com/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/about-rulesets",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let err = record(&client).await.unwrap_err();
    assert!(
        matches!(err, GitHubError::ProtectedBranch { status: 409, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("branch `Aiupgrade` is protected"), "{text}");
    assert!(
        text.contains("Changes must be made through a pull request"),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_branch_says_which() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "message": "No commit found for the ref Aiupgrade",
            "status": "404"
        })))
        .mount(&server)
        .await;
    api("GET", "/repos/n8kahl/ITM-gd/branches/Aiupgrade")
        .respond_with(github_message(404, "Branch not found"))
        .expect(1)
        .mount(&server)
        .await;
    api("GET", "/repos/n8kahl/ITM-gd")
        .respond_with(ok(json!({"full_name": "n8kahl/ITM-gd"})))
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let err = record(&client).await.unwrap_err();
    assert!(matches!(err, GitHubError::BranchNotFound { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("branch `Aiupgrade` does not exist in `n8kahl/ITM-gd`")
    );
    assert!(put_bodies(&server).await.is_empty());
}

#[tokio::test]
async fn a_missing_repository_says_which() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(contents_not_found())
        .mount(&server)
        .await;
    api("GET", "/repos/n8kahl/ITM-gd/branches/Aiupgrade")
        .respond_with(contents_not_found())
        .mount(&server)
        .await;
    api("GET", "/repos/n8kahl/ITM-gd")
        .respond_with(contents_not_found())
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let err = record(&client).await.unwrap_err();
    assert!(
        matches!(err, GitHubError::RepositoryNotFound { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("repository `n8kahl/ITM-gd` was not found")
    );
}

#[tokio::test]
async fn missing_write_permission_stops_at_once() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(ok(file_json("# S\n", "blob-f")))
        .expect(1)
        .mount(&server)
        .await;
    api("PUT", CONTENTS)
        .respond_with(write_forbidden())
        .expect(1)
        .mount(&server)
        .await;
    let (client, waits) = client(&server);
    let err = record(&client).await.unwrap_err();
    assert!(err.is_permission());
    assert!(
        err.to_string().contains("`permissions: contents: write`"),
        "{err}"
    );
    assert!(waits.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_read_denied_names_contents_write_too() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(github_message(
            403,
            "Resource not accessible by integration",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let err = record(&client).await.unwrap_err();
    assert!(
        err.to_string().contains("`permissions: contents: write`"),
        "{err}"
    );
}

#[tokio::test]
async fn transient_write_failures_are_retried() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(ok(file_json("# S\n", "blob-t")))
        .expect(1)
        .mount(&server)
        .await;
    api("PUT", CONTENTS)
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    api("PUT", CONTENTS)
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("retry-after", "3")
                .set_body_json(json!({"message": "You have exceeded a secondary rate limit."})),
        )
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    expect_update(&server, "blob-t", "c0ffee07").await;
    let (client, waits) = client(&server);
    let outcome = record(&client).await.unwrap();
    assert!(matches!(outcome, RecordOutcome::Committed { ref sha, .. } if sha == "c0ffee07"));
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert!(
        waits.contains(&Duration::from_secs(3)),
        "retry-after honoured: {waits:?}"
    );
}

#[tokio::test]
async fn paths_with_special_characters_are_percent_encoded() {
    let server = MockServer::start().await;
    let encoded = "/repos/n8kahl/ITM-gd/contents/docs/status%20%231.md";
    api("GET", encoded)
        .and(query_param("ref", "release/2026-02"))
        .respond_with(ok(file_json("# S\n", "blob-e")))
        .expect(1)
        .mount(&server)
        .await;
    api("PUT", encoded)
        .and(body_partial_json(json!({"branch": "release/2026-02"})))
        .respond_with(written_json("c0ffee08", 200))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let req = RecordRequest {
        path: "docs/status #1.md".to_string(),
        branch: "release/2026-02".to_string(),
        ..request(false)
    };
    record_evidence(&client, &req, &apply).await.unwrap();
}

#[tokio::test]
async fn bad_requests_fail_before_any_call() {
    let server = MockServer::start().await;
    let (client, _) = client(&server);
    let bad_repo = RecordRequest {
        repository: "not-a-repo".to_string(),
        ..request(false)
    };
    let err = record_evidence(&client, &bad_repo, &apply)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("owner/repo"), "{err}");
    let bad_path = RecordRequest {
        path: "../outside.md".to_string(),
        ..request(false)
    };
    assert!(matches!(
        record_evidence(&client, &bad_path, &apply)
            .await
            .unwrap_err(),
        GitHubError::InvalidPath { .. }
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn no_error_of_the_commit_flow_shows_the_token() {
    let server = MockServer::start().await;
    api("GET", CONTENTS)
        .respond_with(ok(file_json("# S\n", "blob-s")))
        .mount(&server)
        .await;
    api("PUT", CONTENTS)
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "message": format!("Protected branch update failed for token {TOKEN}")
        })))
        .mount(&server)
        .await;
    let (client, _) = client(&server);
    let err = record(&client).await.unwrap_err();
    for text in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert_no_token(TOKEN, &text);
    }
}
