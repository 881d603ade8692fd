//! `preflight` against a local server shaped like GitHub's documented responses: READY, and each
//! NOT READY cause (token, branch, workflow, secrets, migration drift), plus the binary's exit
//! codes, output lines and job summary.

use assert_cmd::Command;
use itm_gate::github::GitHubClient;
use itm_gate::github::checks::CheckLevel;
use itm_gate::preflight::{PreflightSettings, check};
use serde_json::{Value, json};
use wiremock::matchers::query_param;
use wiremock::{MockBuilder, MockServer, ResponseTemplate};

#[path = "common/github.rs"]
mod github_support;
use github_support::{
    answer, answer_first, bad_credentials, contents_file, contents_not_found, github_api,
    github_error, github_message, itm_gate, ok, printed_and_summary, quick_policy,
    recording_client, run_binary,
};

const TOKEN: &str = "ghp_PreflightToken1234567890abcdefSECRET";
const REPO: &str = "/repos/n8kahl/ITM-gd";
const WORKFLOW: &str = "/repos/n8kahl/ITM-gd/contents/.github/workflows/ai-coach-live-e2e.yml";
const MIGRATIONS: &str = "/repos/n8kahl/ITM-gd/contents/supabase/migrations";

/// A client with two quick attempts; waits are not slept.
fn client(server: &MockServer) -> GitHubClient {
    recording_client(&server.uri(), TOKEN, quick_policy(2)).0
}

fn settings() -> PreflightSettings {
    PreflightSettings {
        repository: "n8kahl/ITM-gd".to_string(),
        branch: "Aiupgrade".to_string(),
        workflow: ".github/workflows/ai-coach-live-e2e.yml".to_string(),
        secrets: vec![
            "NEXT_PUBLIC_SUPABASE_URL".to_string(),
            "NEXT_PUBLIC_SUPABASE_ANON_KEY".to_string(),
            "E2E_BYPASS_TOKEN".to_string(),
        ],
        optional_secrets: vec![
            "E2E_BYPASS_USER_ID".to_string(),
            "E2E_BYPASS_SHARED_SECRET".to_string(),
        ],
        migrations_dir: "supabase/migrations".to_string(),
        base_branch: None,
    }
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// A GET mock requiring GitHub's headers and the token.
fn get(p: &str) -> MockBuilder {
    github_api("GET", p, TOKEN)
}

/// The workflow file as the contents API sends it.
fn workflow_file() -> Value {
    contents_file(
        ".github/workflows/ai-coach-live-e2e.yml",
        "name: AI Coach Live E2E\n",
        "wf1",
    )
}

fn listing(names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|n| {
                json!({
                    "type": "file", "name": n, "path": format!("supabase/migrations/{n}"),
                    "sha": format!("sha-{n}"), "size": 100
                })
            })
            .collect(),
    )
}

fn secrets(names: &[&str]) -> Value {
    json!({
        "total_count": names.len(),
        "secrets": names.iter().map(|n| json!({
            "name": n, "created_at": "2026-02-01T10:00:00Z", "updated_at": "2026-02-01T10:00:00Z"
        })).collect::<Vec<_>>()
    })
}

const ALL_SECRETS: [&str; 5] = [
    "E2E_BYPASS_SHARED_SECRET",
    "E2E_BYPASS_TOKEN",
    "E2E_BYPASS_USER_ID",
    "NEXT_PUBLIC_SUPABASE_ANON_KEY",
    "NEXT_PUBLIC_SUPABASE_URL",
];

/// A repository where everything is in place (priority 5; tests override with priority 1).
async fn healthy(server: &MockServer) {
    let migrations = [
        "20260201000000_ai_coach_tables.sql",
        "20260205000000_tracked_setups.sql",
    ];
    let routes = [
        (
            REPO.to_string(),
            json!({"full_name": "n8kahl/ITM-gd", "default_branch": "main"}),
        ),
        (
            format!("{REPO}/branches/Aiupgrade"),
            json!({"name": "Aiupgrade", "protected": false}),
        ),
        (
            format!("{REPO}/branches/main"),
            json!({"name": "main", "protected": true}),
        ),
        (WORKFLOW.to_string(), workflow_file()),
        (format!("{REPO}/actions/secrets"), secrets(&ALL_SECRETS)),
        (format!("{REPO}/actions/organization-secrets"), secrets(&[])),
        (MIGRATIONS.to_string(), listing(&migrations)),
    ];
    for (p, body) in routes {
        answer(server, get(&p), ok(body)).await;
    }
}

/// [`healthy`], except that `mock` answers `response` (priority 1 wins over 5).
async fn healthy_except(server: &MockServer, mock: MockBuilder, response: ResponseTemplate) {
    answer_first(server, mock, response).await;
    healthy(server).await;
}

fn lines(report: &itm_gate::github::checks::CheckReport, level: CheckLevel) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|c| c.level == level)
        .map(|c| c.text.clone())
        .collect()
}

#[tokio::test]
async fn everything_in_place_is_ready() {
    let server = MockServer::start().await;
    healthy(&server).await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    let text = report.render_text();
    assert!(report.ready(), "{text}");
    assert!(text.ends_with("\nREADY\n"), "{text}");
    assert!(text.contains("PASS: the token can read `n8kahl/ITM-gd` (default branch `main`)"));
    assert!(text.contains(
        "PASS: workflow `.github/workflows/ai-coach-live-e2e.yml` is on branch `Aiupgrade`"
    ));
    assert!(text.contains("PASS: required secret `E2E_BYPASS_TOKEN` is set"));
    assert!(text.contains("INFO: secrets read from the repository secrets API"));
    assert!(text.contains("PASS: no migration drift"), "{text}");
    assert!(text.contains("preflight: "), "{text}");
}

#[tokio::test]
async fn a_rejected_token_is_not_ready_and_skips_the_rest() {
    let server = MockServer::start().await;
    get(REPO)
        .respond_with(bad_credentials())
        .expect(1)
        .mount(&server)
        .await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(!report.ready());
    let fails = lines(&report, CheckLevel::Fail);
    assert_eq!(fails.len(), 1);
    assert!(fails[0].contains("401 Bad credentials"), "{fails:?}");
    assert!(!report.render_text().contains(TOKEN));
}

#[tokio::test]
async fn a_missing_branch_is_not_ready() {
    let server = MockServer::start().await;
    healthy_except(
        &server,
        get(&format!("{REPO}/branches/Aiupgrade")),
        github_message(404, "Branch not found"),
    )
    .await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(!report.ready());
    let fails = lines(&report, CheckLevel::Fail);
    assert!(
        fails[0].contains("branch `Aiupgrade` does not exist"),
        "{fails:?}"
    );
}

#[tokio::test]
async fn a_workflow_missing_on_the_branch_is_not_ready() {
    let server = MockServer::start().await;
    healthy_except(
        &server,
        get(WORKFLOW).and(query_param("ref", "Aiupgrade")),
        contents_not_found(),
    )
    .await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(!report.ready());
    assert_eq!(
        lines(&report, CheckLevel::Fail),
        vec![
            "workflow `.github/workflows/ai-coach-live-e2e.yml` is not on branch `Aiupgrade`: commit it there before dispatching"
        ]
    );
}

#[tokio::test]
async fn a_workflow_missing_on_the_default_branch_is_a_warning() {
    let server = MockServer::start().await;
    healthy_except(
        &server,
        get(WORKFLOW).and(query_param("ref", "main")),
        contents_not_found(),
    )
    .await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(report.ready(), "{}", report.render_text());
    let warns = lines(&report, CheckLevel::Warn);
    assert!(
        warns[0].contains("not on the default branch `main`"),
        "{warns:?}"
    );
}

#[tokio::test]
async fn a_missing_required_secret_is_not_ready() {
    let server = MockServer::start().await;
    healthy_except(
        &server,
        get(&format!("{REPO}/actions/secrets")),
        ok(secrets(&[
            "NEXT_PUBLIC_SUPABASE_URL",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
        ])),
    )
    .await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(!report.ready());
    assert_eq!(
        lines(&report, CheckLevel::Fail),
        vec![
            "required secret `E2E_BYPASS_TOKEN` is not set: gh secret set E2E_BYPASS_TOKEN --repo n8kahl/ITM-gd"
        ]
    );
    let warns = lines(&report, CheckLevel::Warn);
    assert!(
        warns.contains(
            &"optional secret `E2E_BYPASS_USER_ID` is not set (the runbook lists it as optional)"
                .to_string()
        )
    );
}

#[tokio::test]
async fn organisation_secrets_count() {
    let server = MockServer::start().await;
    answer_first(
        &server,
        get(&format!("{REPO}/actions/secrets")),
        ok(secrets(&["E2E_BYPASS_TOKEN"])),
    )
    .await;
    healthy_except(
        &server,
        get(&format!("{REPO}/actions/organization-secrets")),
        ok(secrets(&[
            "NEXT_PUBLIC_SUPABASE_URL",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
        ])),
    )
    .await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(report.ready(), "{}", report.render_text());
}

#[tokio::test]
async fn secrets_are_read_across_pages() {
    let server = MockServer::start().await;
    let next = format!("{}{REPO}/actions/secrets?per_page=100&page=2", server.uri());
    answer_first(
        &server,
        get(&format!("{REPO}/actions/secrets")).and(query_param("page", "2")),
        ok(secrets(&["E2E_BYPASS_TOKEN"])),
    )
    .await;
    get(&format!("{REPO}/actions/secrets"))
        .respond_with(
            ok(secrets(&[
                "NEXT_PUBLIC_SUPABASE_URL",
                "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            ]))
            .insert_header("link", format!("<{next}>; rel=\"next\"").as_str()),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    healthy(&server).await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(report.ready(), "{}", report.render_text());
}

async fn secrets_forbidden(server: &MockServer) {
    answer_first(
        server,
        get(&format!("{REPO}/actions/secrets")),
        github_error(
            403,
            "Resource not accessible by integration",
            "https://docs.github.com/rest/actions/secrets#list-repository-secrets",
        ),
    )
    .await;
}

#[tokio::test]
async fn inside_a_workflow_the_environment_stands_in_for_the_secrets_api() {
    let server = MockServer::start().await;
    secrets_forbidden(&server).await;
    healthy(&server).await;
    let env = |name: &str| match name {
        "NEXT_PUBLIC_SUPABASE_URL" => Some("https://x.supabase.co".to_string()),
        "NEXT_PUBLIC_SUPABASE_ANON_KEY" => Some("anon".to_string()),
        "E2E_BYPASS_TOKEN" => Some("   ".to_string()), // mapped but empty: not set
        _ => None,
    };
    let report = check(&client(&server), &settings(), &env, true).await;
    assert!(!report.ready());
    let text = report.render_text();
    assert!(
        text.contains(
            "INFO: the token may not list secrets; secrets read from this step's environment"
        ),
        "{text}"
    );
    assert!(text.contains("PASS: required secret `NEXT_PUBLIC_SUPABASE_URL` is set"));
    assert!(text.contains("FAIL: required secret `E2E_BYPASS_TOKEN` is not set"));
    assert!(
        !text.contains("https://x.supabase.co"),
        "secret values are never printed"
    );
}

#[tokio::test]
async fn outside_a_workflow_unknown_secrets_are_a_warning() {
    let server = MockServer::start().await;
    secrets_forbidden(&server).await;
    healthy(&server).await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(report.ready(), "{}", report.render_text());
    let warns = lines(&report, CheckLevel::Warn);
    assert!(
        warns[0].starts_with("cannot tell whether the secrets exist"),
        "{warns:?}"
    );
}

#[tokio::test]
async fn migrations_missing_on_the_branch_are_drift() {
    let server = MockServer::start().await;
    answer_first(
        &server,
        get(MIGRATIONS).and(query_param("ref", "main")),
        ok(listing(&[
            "20260201000000_ai_coach_tables.sql",
            "20260205000000_tracked_setups.sql",
            "20260207000000_morning_brief.sql",
        ])),
    )
    .await;
    healthy_except(
        &server,
        get(MIGRATIONS).and(query_param("ref", "Aiupgrade")),
        ok(listing(&[
            "20260201000000_ai_coach_tables.sql",
            "20260205000000_tracked_setups.sql",
            "20260208000000_detector_events.sql",
        ])),
    )
    .await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(!report.ready());
    assert_eq!(
        lines(&report, CheckLevel::Fail),
        vec![
            "migration drift: 1 migration(s) on `main` are missing on `Aiupgrade` (merge `main` into `Aiupgrade`): 20260207000000_morning_brief.sql"
        ]
    );
    assert!(lines(&report, CheckLevel::Info).contains(
        &"1 migration(s) only on `Aiupgrade` (not yet on `main`): 20260208000000_detector_events.sql"
            .to_string()
    ));
}

#[tokio::test]
async fn a_migrations_folder_missing_on_the_branch_is_drift() {
    let server = MockServer::start().await;
    healthy_except(
        &server,
        get(MIGRATIONS).and(query_param("ref", "Aiupgrade")),
        contents_not_found(),
    )
    .await;
    let report = check(&client(&server), &settings(), &no_env, false).await;
    assert!(!report.ready());
    assert!(lines(&report, CheckLevel::Fail)[0].starts_with("migration drift: 2 migration(s)"));
}

#[tokio::test]
async fn an_explicit_base_branch_is_used() {
    let server = MockServer::start().await;
    healthy_except(
        &server,
        get(MIGRATIONS).and(query_param("ref", "release")),
        ok(listing(&["20260301000000_new.sql"])),
    )
    .await;
    let settings = PreflightSettings {
        base_branch: Some("release".to_string()),
        ..settings()
    };
    let report = check(&client(&server), &settings, &no_env, false).await;
    assert!(!report.ready());
    assert!(
        lines(&report, CheckLevel::Fail)[0].contains("on `release` are missing on `Aiupgrade`")
    );
    let warns = lines(&report, CheckLevel::Warn);
    assert!(warns.is_empty(), "{warns:?}");
}

/// The binary against `server`, writing its job summary to `summary`.
fn binary(server: &MockServer, summary: &std::path::Path) -> Command {
    let mut cmd = itm_gate(&server.uri(), TOKEN);
    cmd.env("GITHUB_STEP_SUMMARY", summary);
    cmd
}

#[tokio::test]
async fn the_binary_prints_ready_and_exits_0() {
    let server = MockServer::start().await;
    healthy(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let (code, stdout, stderr) = run_binary(
        binary(&server, &summary).args([
            "preflight",
            "--repository",
            "n8kahl/ITM-gd",
            "--branch",
            "Aiupgrade",
        ]),
        TOKEN,
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.ends_with("READY\n") && !stdout.contains("NOT READY"),
        "{stdout}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## ✅ itm-gate preflight: READY"), "{md}");
}

#[tokio::test]
async fn the_binary_reads_inputs_in_actions_and_exits_1_when_not_ready() {
    let server = MockServer::start().await;
    healthy_except(
        &server,
        get(&format!("{REPO}/actions/secrets")),
        ok(secrets(&[])),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let (code, stdout, stderr) = run_binary(
        binary(&server, &summary)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_REPOSITORY", "n8kahl/ITM-gd")
            .env("GITHUB_REF", "refs/heads/Aiupgrade")
            .env("GITHUB_REF_NAME", "Aiupgrade")
            .env("INPUT_COMMAND", "preflight")
            .env("INPUT_SECRETS", "E2E_BYPASS_TOKEN"),
        TOKEN,
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("FAIL: required secret `E2E_BYPASS_TOKEN` is not set"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("NEXT_PUBLIC_SUPABASE_URL` is not set"),
        "{stdout}"
    );
    assert!(stdout.contains("NOT READY"), "{stdout}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("itm-gate preflight: NOT READY"), "{md}");
}

#[test]
fn the_binary_without_a_token_is_a_usage_error() {
    let out = Command::cargo_bin("itm-gate")
        .unwrap()
        .env_clear()
        .args([
            "preflight",
            "--repository",
            "n8kahl/ITM-gd",
            "--branch",
            "main",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no GitHub token"));
}

#[path = "common/mod.rs"]
mod common;

/// Issue 11 point 4: API texts echoed by `preflight` (migration names, GitHub's error messages)
/// full of workflow-command look-alikes issue no command; `##[` was left as it was.
#[tokio::test]
async fn the_binary_echoes_no_command_from_api_texts() {
    let server = MockServer::start().await;
    let names: Vec<String> = common::LOOK_ALIKES
        .iter()
        .map(|l| format!("2026_{l}.sql"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    answer_first(
        &server,
        get(MIGRATIONS).and(query_param("ref", "main")),
        ok(listing(&names)),
    )
    .await;
    healthy_except(
        &server,
        get(WORKFLOW).and(query_param("ref", "Aiupgrade")),
        github_message(404, &common::look_alike_text()),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run_binary(
        binary(&server, &dir.path().join("summary.md"))
            .env("GITHUB_ACTIONS", "true")
            .args([
                "preflight",
                "--repository",
                "n8kahl/ITM-gd",
                "--branch",
                "Aiupgrade",
            ]),
        TOKEN,
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    common::assert_echoed_safely("preflight", &stdout, &stderr);
}

/// The binary's printed lines and job summary, as snapshots: READY outside Actions, and NOT READY
/// inside Actions (required secrets missing, migration drift), where the report is wrapped in
/// `::stop-commands::` with a random token (shown as `<token>`).
#[tokio::test]
async fn snapshots_of_ready_and_not_ready() {
    let args = [
        "preflight",
        "--repository",
        "n8kahl/ITM-gd",
        "--branch",
        "Aiupgrade",
    ];
    let server = MockServer::start().await;
    healthy(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let (printed, summary) = printed_and_summary(
        itm_gate(&server.uri(), TOKEN).args(args),
        &server.uri(),
        TOKEN,
        dir.path(),
        0,
    );
    insta::assert_snapshot!("preflight_ready", printed);
    insta::assert_snapshot!("preflight_ready_summary", summary);

    let server = MockServer::start().await;
    answer_first(
        &server,
        get(MIGRATIONS).and(query_param("ref", "main")),
        ok(listing(&[
            "20260201000000_ai_coach_tables.sql",
            "20260207000000_morning_brief.sql",
        ])),
    )
    .await;
    healthy_except(
        &server,
        get(&format!("{REPO}/actions/secrets")),
        ok(secrets(&["NEXT_PUBLIC_SUPABASE_URL", "E2E_BYPASS_TOKEN"])),
    )
    .await;
    let (printed, summary) = printed_and_summary(
        itm_gate(&server.uri(), TOKEN)
            .env("GITHUB_ACTIONS", "true")
            .args(args),
        &server.uri(),
        TOKEN,
        dir.path(),
        1,
    );
    insta::assert_snapshot!("preflight_not_ready", printed);
    insta::assert_snapshot!("preflight_not_ready_summary", summary);
}
