//! `secrets` against a local server shaped like GitHub's secrets API: the server hands out a
//! repository public key, decrypts every sealed box it receives with the matching private key,
//! and the tests check the decrypted values. The binary's output never holds a value or the
//! token.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crypto_box::SecretKey;
use itm_gate::github::{GitHubClient, Repository};
use itm_gate::secrets::{self, SecretsError};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[path = "common/github.rs"]
mod github_support;
use github_support::{
    assert_no_token, expect_no_call, github_api, github_error, itm_gate, ok, quick_policy,
    recording_client, run_binary,
};

const TOKEN: &str = "ghp_SecretsToken1234567890abcdefSECRET";
const REPO: &str = "/repos/n8kahl/ITM-gd";
const KEY_ID: &str = "568250167242549743";
const DEFAULT_USER: &str = "00000000-0000-4000-8000-000000000001";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/env")
        .join(name)
}

/// A client with two quick attempts; waits are not slept.
fn client(server: &MockServer) -> GitHubClient {
    recording_client(&server.uri(), TOKEN, quick_policy(2)).0
}

fn repo() -> Repository {
    "n8kahl/ITM-gd".parse().unwrap()
}

/// GitHub's side: `PUT .../actions/secrets/{name}` with `encrypted_value` and `key_id`. Opens
/// each sealed box with the private key and keeps the plaintext; 201 when created, 204 when
/// updated, 422 for a wrong key id or a box that does not open.
#[derive(Clone)]
struct SecretStore {
    key: SecretKey,
    values: Arc<Mutex<BTreeMap<String, String>>>,
}

impl Respond for SecretStore {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let name = request
            .url
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let body: Value = match serde_json::from_slice(&request.body) {
            Ok(body) => body,
            Err(_) => return ResponseTemplate::new(400),
        };
        if body["key_id"] != KEY_ID {
            return ResponseTemplate::new(422).set_body_json(json!({"message": "Bad key_id"}));
        }
        let sealed = STANDARD
            .decode(body["encrypted_value"].as_str().unwrap_or_default())
            .unwrap_or_default();
        let Ok(plain) = self.key.unseal(&sealed) else {
            return ResponseTemplate::new(422)
                .set_body_json(json!({"message": "Bad encrypted_value"}));
        };
        let mut values = self.values.lock().unwrap();
        let existed = values
            .insert(name, String::from_utf8(plain).unwrap())
            .is_some();
        ResponseTemplate::new(if existed { 204 } else { 201 })
    }
}

/// `GET .../actions/secrets/public-key`, with GitHub's headers and the token.
fn public_key() -> wiremock::MockBuilder {
    github_api("GET", &format!("{REPO}/actions/secrets/public-key"), TOKEN)
}

/// A repository with a public key and a secret store behind the secrets endpoints.
async fn github(server: &MockServer) -> SecretStore {
    let key = SecretKey::generate(&mut crypto_box::aead::OsRng);
    let store = SecretStore {
        key: key.clone(),
        values: Arc::default(),
    };
    public_key()
        .respond_with(ok(json!({
            "key_id": KEY_ID,
            "key": STANDARD.encode(key.public_key().as_bytes()),
        })))
        .mount(server)
        .await;
    Mock::given(method("PUT"))
        .and(path_regex(
            r"^/repos/n8kahl/ITM-gd/actions/secrets/[A-Z0-9_]+$",
        ))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-github-api-version", "2022-11-28"))
        .respond_with(store.clone())
        .mount(server)
        .await;
    store
}

fn values(store: &SecretStore) -> BTreeMap<String, String> {
    store.values.lock().unwrap().clone()
}

async fn set_from(server: &MockServer, file: &str) -> (Vec<String>, secrets::SecretPlan) {
    let vars = secrets::read_env_file(&fixture(file)).unwrap();
    let plan = secrets::plan(&vars, file).unwrap();
    let mut lines = Vec::new();
    secrets::apply(&client(server), &repo(), &plan, &mut |l| lines.push(l))
        .await
        .unwrap();
    (lines, plan)
}

#[tokio::test]
async fn a_complete_env_file_sets_five_secrets_that_decrypt_to_its_values() {
    let server = MockServer::start().await;
    let store = github(&server).await;
    let (lines, plan) = set_from(&server, "complete.env").await;
    let got = values(&store);
    assert_eq!(
        got.get("NEXT_PUBLIC_SUPABASE_URL").map(String::as_str),
        Some("https://fixtureproj.supabase.co")
    );
    assert_eq!(
        got.get("NEXT_PUBLIC_SUPABASE_ANON_KEY").map(String::as_str),
        Some(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiIsImZpeHR1cmUiOnRydWV9.c2lnbmF0dXJlLWZpeHR1cmU"
        )
    );
    assert_eq!(
        got.get("E2E_BYPASS_USER_ID").map(String::as_str),
        Some("7f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f")
    );
    assert_eq!(
        got.get("E2E_BYPASS_SHARED_SECRET").map(String::as_str),
        Some("shared secret with spaces # and a hash")
    );
    assert_eq!(
        got.get("E2E_BYPASS_TOKEN").map(String::as_str),
        Some("e2e:shared secret with spaces # and a hash:7f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f")
    );
    assert_eq!(got.len(), 5, "other keys are not secrets: {:?}", got.keys());
    assert_eq!(
        lines,
        vec![
            "SET: NEXT_PUBLIC_SUPABASE_URL",
            "SET: NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "SET: E2E_BYPASS_TOKEN (derived from the user id and shared secret)",
            "SET: E2E_BYPASS_USER_ID",
            "SET: E2E_BYPASS_SHARED_SECRET",
        ]
    );
    assert!(plan.skipped.is_empty());
}

#[tokio::test]
async fn a_minimal_env_file_uses_the_default_user_and_skips_the_shared_secret() {
    let server = MockServer::start().await;
    let store = github(&server).await;
    let (lines, plan) = set_from(&server, "minimal.env").await;
    let got = values(&store);
    assert_eq!(
        got.get("E2E_BYPASS_USER_ID").map(String::as_str),
        Some(DEFAULT_USER)
    );
    assert_eq!(
        got.get("E2E_BYPASS_TOKEN").map(String::as_str),
        Some(format!("e2e:{DEFAULT_USER}").as_str())
    );
    assert!(!got.contains_key("E2E_BYPASS_SHARED_SECRET"));
    assert!(lines.contains(&"SET: E2E_BYPASS_USER_ID (default user id)".to_string()));
    assert_eq!(
        secrets::skip_lines(&plan),
        vec!["SKIP: E2E_BYPASS_SHARED_SECRET (not in minimal.env; optional)"]
    );
}

#[tokio::test]
async fn an_explicit_token_is_used_as_it_is_and_updates_overwrite() {
    let server = MockServer::start().await;
    let store = github(&server).await;
    store
        .values
        .lock()
        .unwrap()
        .insert("E2E_BYPASS_TOKEN".into(), "old".into());
    set_from(&server, "explicit-token.env").await;
    assert_eq!(
        values(&store).get("E2E_BYPASS_TOKEN").map(String::as_str),
        Some("e2e:explicit-token-fixture:11111111-2222-4333-8444-555555555555")
    );
}

#[tokio::test]
async fn a_missing_required_key_names_key_and_file_and_writes_nothing() {
    let vars = secrets::read_env_file(&fixture("missing-anon-key.env")).unwrap();
    let err = secrets::plan(&vars, "missing-anon-key.env").unwrap_err();
    assert!(
        matches!(err, SecretsError::MissingKey { ref key, .. } if key == "NEXT_PUBLIC_SUPABASE_ANON_KEY")
    );
    let text = err.to_string();
    assert!(text.contains("`missing-anon-key.env`"), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
}

#[tokio::test]
async fn a_permission_403_stops_with_the_call_named() {
    let server = MockServer::start().await;
    public_key()
        .respond_with(github_error(
            403,
            "Resource not accessible by integration",
            "https://docs.github.com/rest/actions/secrets#get-a-repository-public-key",
        ))
        .mount(&server)
        .await;
    expect_no_call(&server, "PUT").await;
    let vars = secrets::read_env_file(&fixture("minimal.env")).unwrap();
    let plan = secrets::plan(&vars, "minimal.env").unwrap();
    let err = secrets::apply(&client(&server), &repo(), &plan, &mut |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("GET /repos/n8kahl/ITM-gd/actions/secrets/public-key: 403"),
        "{text}"
    );
    assert!(text.contains("secrets: read"), "{text}");
    assert_eq!(err.exit(), itm_gate::exit::Exit::GitHub);
}

#[tokio::test]
async fn a_bad_public_key_writes_nothing() {
    let server = MockServer::start().await;
    public_key()
        .respond_with(ok(json!({"key_id": KEY_ID, "key": "c2hvcnQ="})))
        .mount(&server)
        .await;
    expect_no_call(&server, "PUT").await;
    let vars = secrets::read_env_file(&fixture("minimal.env")).unwrap();
    let plan = secrets::plan(&vars, "minimal.env").unwrap();
    let err = secrets::apply(&client(&server), &repo(), &plan, &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SecretsError::BadPublicKey { .. }), "{err}");
}

// ---------------------------------------------------------------------------------------------
// The binary
// ---------------------------------------------------------------------------------------------

/// Every value of the fixtures that must never be printed.
const VALUES: [&str; 6] = [
    "fixtureproj.supabase.co",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    "7f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
    "shared secret with spaces",
    "anon-key-bad-syntax-fixture",
    "shared-missing-fixture",
];

/// The binary with the API at `server_uri` and the token.
fn binary(server_uri: &str) -> Command {
    itm_gate(server_uri, TOKEN)
}

/// Runs the binary; fails if the token is printed.
fn output(cmd: &mut Command) -> (i32, String, String) {
    run_binary(cmd, TOKEN)
}

fn assert_nothing_secret(stdout: &str, stderr: &str) {
    for text in [stdout, stderr] {
        assert_no_token(TOKEN, text);
        for value in VALUES {
            assert!(!text.contains(value), "value `{value}` printed: {text}");
        }
    }
}

#[tokio::test]
async fn the_binary_sets_the_secrets_and_prints_names_only() {
    let server = MockServer::start().await;
    let store = github(&server).await;
    let (code, stdout, stderr) = output(
        binary(&server.uri())
            .args(["secrets", "--repository", "n8kahl/ITM-gd", "--env-file"])
            .arg(fixture("complete.env")),
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("SET: NEXT_PUBLIC_SUPABASE_URL\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SET: E2E_BYPASS_SHARED_SECRET\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("5 secrets set in n8kahl/ITM-gd"),
        "{stdout}"
    );
    assert_eq!(values(&store).len(), 5);
    assert_nothing_secret(&stdout, &stderr);
}

#[tokio::test]
async fn the_binary_dry_run_writes_nothing_and_needs_no_token() {
    let server = MockServer::start().await;
    expect_no_call(&server, "GET").await;
    expect_no_call(&server, "PUT").await;
    let (code, stdout, stderr) = output(
        binary(&server.uri())
            .env_remove("GITHUB_TOKEN")
            .env("GITHUB_REPOSITORY", "n8kahl/ITM-gd")
            .args(["secrets", "--dry-run", "--env-file"])
            .arg(fixture("minimal.env")),
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(
        stdout,
        "WOULD SET: NEXT_PUBLIC_SUPABASE_URL\n\
         WOULD SET: NEXT_PUBLIC_SUPABASE_ANON_KEY\n\
         WOULD SET: E2E_BYPASS_TOKEN (derived from the user id and shared secret)\n\
         WOULD SET: E2E_BYPASS_USER_ID (default user id)\n\
         SKIP: E2E_BYPASS_SHARED_SECRET (not in "
            .to_string()
            + &fixture("minimal.env").display().to_string()
            + "; optional)\n\
         dry run: nothing written to n8kahl/ITM-gd (4 secrets would be set)\n"
    );
    assert!(!stdout.contains("minimalproj") && !stdout.contains("anon-key-minimal"));
}

#[tokio::test]
async fn the_binary_with_a_missing_key_exits_2_and_writes_nothing() {
    let server = MockServer::start().await;
    expect_no_call(&server, "PUT").await;
    let (code, stdout, stderr) = output(
        binary(&server.uri())
            .args(["secrets", "--repository", "n8kahl/ITM-gd", "--env-file"])
            .arg(fixture("missing-anon-key.env")),
    );
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("`NEXT_PUBLIC_SUPABASE_ANON_KEY` is missing"),
        "{stderr}"
    );
    assert!(stderr.contains("missing-anon-key.env"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_nothing_secret(&stdout, &stderr);
}

#[tokio::test]
async fn the_binary_names_the_bad_line_but_never_shows_it() {
    let server = MockServer::start().await;
    let (code, stdout, stderr) = output(
        binary(&server.uri())
            .args(["secrets", "--repository", "n8kahl/ITM-gd", "--env-file"])
            .arg(fixture("bad-syntax.env")),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert_nothing_secret(&stdout, &stderr);
}

#[tokio::test]
async fn the_binary_without_a_token_or_env_file_is_a_usage_error() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let no_token = binary(&server.uri())
        .env_remove("GITHUB_TOKEN")
        .args(["secrets", "--repository", "n8kahl/ITM-gd", "--env-file"])
        .arg(fixture("minimal.env"))
        .output()
        .unwrap();
    assert_eq!(no_token.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_token.stderr).contains("no GitHub token"));

    let no_file = binary(&server.uri())
        .current_dir(dir.path())
        .args(["secrets", "--repository", "n8kahl/ITM-gd"])
        .output()
        .unwrap();
    assert_eq!(no_file.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&no_file.stderr);
    assert!(
        stderr.contains("env file `.env.local` not found"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_binary_reads_the_repository_from_the_origin_remote() {
    let server = MockServer::start().await;
    let store = github(&server).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join(".git/config"),
        "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = git@github.com:n8kahl/ITM-gd.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
    )
    .unwrap();
    std::fs::copy(fixture("minimal.env"), dir.path().join(".env.local")).unwrap();
    let (code, stdout, stderr) =
        output(binary(&server.uri()).current_dir(dir.path()).arg("secrets"));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("4 secrets set in n8kahl/ITM-gd"),
        "{stdout}"
    );
    assert_eq!(values(&store).len(), 4);
}

/// Was: `secrets` printed its errors with `eprintln!`, so an env-file path holding `##[error]`
/// reached the log as a legacy workflow command; now every command's error is printed once, by
/// `app.rs`, through the runner-safe printer, with its exit code (2: nothing was written).
#[tokio::test]
async fn an_error_naming_untrusted_text_is_printed_once_and_safely() {
    let server = MockServer::start().await;
    let out = binary(&server.uri())
        .env("GITHUB_ACTIONS", "true")
        .args([
            "secrets",
            "--repository",
            "n8kahl/ITM-gd",
            "--env-file",
            "##[error]FORGED.env",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("##["), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("itm-gate secrets: env file `#") && stderr.contains("not found"),
        "{stderr}"
    );
}
