//! The GitHub client against a local HTTP server: headers, GitHub Enterprise Server paths,
//! retries, timeouts, broken connections, rate limits, permission errors, pagination, and the
//! token staying on the API host and out of every message.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use itm_gate::github::{ApiRequest, GitHubClient, GitHubError, RetryPolicy};
use serde_json::json;
use wiremock::matchers::query_param;
use wiremock::{MockServer, ResponseTemplate};

#[path = "common/github.rs"]
mod github_support;
use github_support::{
    Waits, backoff_policy, bad_credentials, expect_no_call, github_api, recording_client,
    write_forbidden,
};

const TOKEN: &str = "ghs_TestToken0123456789abcdefSECRET";

/// A client with the retry tests' policy and a 300 ms timeout; its waits are recorded (and not
/// slept) in the returned list.
fn client(base: &str) -> (GitHubClient, Waits) {
    let policy = RetryPolicy {
        timeout: Duration::from_millis(300),
        ..backoff_policy()
    };
    recording_client(base, TOKEN, policy)
}

/// A mock requiring GitHub's headers on every request.
fn github_get(p: &str) -> wiremock::MockBuilder {
    github_api("GET", p, TOKEN)
}

/// `GET /repos/o/r`, decoded as JSON.
async fn get_repo(client: &GitHubClient) -> Result<serde_json::Value, GitHubError> {
    client.get_json(&ApiRequest::get("/repos/o/r")).await
}

fn assert_no_token(text: &str) {
    github_support::assert_no_token(TOKEN, text);
    assert!(!text.contains("TestToken0123"), "token leaked: {text}");
}

#[tokio::test]
async fn sends_githubs_headers_and_decodes_json() {
    let server = MockServer::start().await;
    github_get("/repos/o/r")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"full_name": "o/r"})))
        .expect(1)
        .mount(&server)
        .await;
    let (client, waits) = client(&server.uri());
    let repo = get_repo(&client).await.unwrap();
    assert_eq!(repo["full_name"], "o/r");
    assert!(waits.lock().unwrap().is_empty());
}

#[tokio::test]
async fn enterprise_server_base_path_is_kept() {
    let server = MockServer::start().await;
    github_get("/api/v3/repos/o/r")
        .and(query_param("ref", "feature/x y"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&format!("{}/api/v3/", server.uri()));
    assert_eq!(client.api_base(), format!("{}/api/v3", server.uri()));
    let _: serde_json::Value = client
        .get_json(&ApiRequest::get("/repos/o/r").query("ref", "feature/x y"))
        .await
        .unwrap();
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let server = MockServer::start().await;
    github_get("/repos/o/r")
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    github_get("/repos/o/r")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    let (client, waits) = client(&server.uri());
    let body = get_repo(&client).await.unwrap();
    assert_eq!(body["ok"], true);
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 2, "{waits:?}");
    // Jittered exponential back-off: the first wait within [1, 2] ms, the second within [2, 4] ms.
    assert!(waits[0] >= Duration::from_millis(1) && waits[0] <= Duration::from_millis(2));
    assert!(waits[1] >= Duration::from_millis(2) && waits[1] <= Duration::from_millis(4));
}

#[tokio::test]
async fn server_errors_give_up_after_max_attempts() {
    let server = MockServer::start().await;
    github_get("/repos/o/r")
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"message": "Service Unavailable"})),
        )
        .expect(3)
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let err = get_repo(&client).await.unwrap_err();
    assert!(
        matches!(
            err,
            GitHubError::Server {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("GET /repos/o/r") && text.contains("after 3 attempts"),
        "{text}"
    );
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let server = MockServer::start().await;
    github_get("/repos/o/r")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let (client, waits) = client(&server.uri());
    let err = get_repo(&client).await.unwrap_err();
    assert!(
        matches!(err, GitHubError::Network { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("timed out after 300 ms"), "{err}");
    assert_eq!(waits.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn refused_connections_are_reported_with_the_call() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (client, _) = client(&format!("http://127.0.0.1:{port}"));
    let err = get_repo(&client).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, GitHubError::Network { .. }), "{err:?}");
    assert!(
        text.contains("GET /repos/o/r") && text.contains("could not connect"),
        "{text}"
    );
}

/// A server that resets the first connection mid-request, then answers the second.
fn reset_then_answer() -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for round in 0..2 {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            requests.push(String::from_utf8_lossy(&buf[..n]).into_owned());
            if round == 0 {
                drop(stream); // closed without an answer: the client sees a broken connection
            } else {
                let body = r#"{"ok":true}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(answer.as_bytes()).unwrap();
            }
        }
        requests
    });
    (base, handle)
}

#[tokio::test]
async fn broken_connections_are_retried() {
    let (base, server) = reset_then_answer();
    let (client, waits) = client(&base);
    let body = get_repo(&client).await.unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(waits.lock().unwrap().len(), 1);
    let requests = server.join().unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("GET /repos/o/r HTTP/1.1"))
    );
}

#[tokio::test]
async fn secondary_rate_limit_honours_retry_after() {
    let server = MockServer::start().await;
    github_get("/repos/o/r")
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("retry-after", "7")
                .set_body_json(json!({
                    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
                })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    github_get("/repos/o/r")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    let (client, waits) = client(&server.uri());
    get_repo(&client).await.unwrap();
    assert_eq!(*waits.lock().unwrap(), vec![Duration::from_secs(7)]);
}

#[tokio::test]
async fn primary_rate_limit_waits_until_reset() {
    let server = MockServer::start().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    github_get("/repos/o/r")
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-ratelimit-limit", "5000")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-used", "5000")
                .insert_header("x-ratelimit-reset", (now + 30).to_string().as_str())
                .insert_header("x-ratelimit-resource", "core")
                .set_body_json(
                    json!({"message": "API rate limit exceeded for installation ID 1."}),
                ),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    github_get("/repos/o/r")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let (client, waits) = client(&server.uri());
    get_repo(&client).await.unwrap();
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 1);
    // Until the reset epoch, plus a second of margin (the clock may tick during the test).
    assert!(
        waits[0] >= Duration::from_secs(29) && waits[0] <= Duration::from_secs(31),
        "{waits:?}"
    );
}

#[tokio::test]
async fn rate_limit_beyond_the_wait_cap_fails_without_waiting() {
    let server = MockServer::start().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    github_get("/repos/o/r")
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", (now + 3600).to_string().as_str())
                .set_body_json(json!({"message": "API rate limit exceeded"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (client, waits) = client(&server.uri());
    let err = get_repo(&client).await.unwrap_err();
    assert!(
        matches!(err, GitHubError::RateLimited { cap_secs: 120, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("resets at") && text.contains("cap of 120 s"),
        "{text}"
    );
    assert!(waits.lock().unwrap().is_empty());
}

#[tokio::test]
async fn rate_limits_count_against_the_total_wait_cap() {
    let server = MockServer::start().await;
    github_get("/repos/o/r")
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "50")
                .set_body_json(json!({"message": "secondary rate limit"})),
        )
        .mount(&server)
        .await;
    let (client, waits) = client(&server.uri());
    let err = get_repo(&client).await.unwrap_err();
    assert!(matches!(err, GitHubError::RateLimited { .. }), "{err:?}");
    // 50 + 50 fit under the 120 s cap; the third wait would not.
    assert_eq!(*waits.lock().unwrap(), vec![Duration::from_secs(50); 2]);
}

#[tokio::test]
async fn unauthorized_stops_at_once_and_names_the_permission() {
    let server = MockServer::start().await;
    github_get("/repos/o/r")
        .respond_with(bad_credentials())
        .expect(1)
        .mount(&server)
        .await;
    let (client, waits) = client(&server.uri());
    let err = get_repo(&client).await.unwrap_err();
    assert!(err.is_permission());
    let text = err.to_string();
    assert!(text.contains("401 Bad credentials"), "{text}");
    assert!(text.contains("permissions: contents: write"), "{text}");
    assert!(waits.lock().unwrap().is_empty());
}

#[tokio::test]
async fn forbidden_stops_at_once_and_names_the_permission() {
    let server = MockServer::start().await;
    github_api("PUT", "/repos/o/r/contents/x.md", TOKEN)
        .respond_with(write_forbidden())
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let err = client
        .send(&ApiRequest::put("/repos/o/r/contents/x.md", json!({})))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("PUT /repos/o/r/contents/x.md: 403"),
        "{text}"
    );
    assert!(text.contains("`permissions: contents: write`"), "{text}");
}

#[tokio::test]
async fn forbidden_can_be_returned_to_callers_with_a_fallback() {
    let server = MockServer::start().await;
    github_get("/repos/o/r/actions/secrets")
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "Resource not accessible by integration"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let response = client
        .send(&ApiRequest::get("/repos/o/r/actions/secrets").allow_forbidden())
        .await
        .unwrap();
    assert_eq!(response.status, 403);
    assert_eq!(response.message, "Resource not accessible by integration");
}

#[tokio::test]
async fn pagination_follows_next_links() {
    let server = MockServer::start().await;
    let base = server.uri();
    github_get("/repos/o/r/issues")
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"number": 2}])))
        .expect(1)
        .mount(&server)
        .await;
    github_get("/repos/o/r/issues")
        .and(query_param("per_page", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!(
                        "<{base}/repos/o/r/issues?per_page=1&page=2>; rel=\"next\", <{base}/repos/o/r/issues?per_page=1&page=2>; rel=\"last\""
                    )
                    .as_str(),
                )
                .set_body_json(json!([{"number": 1}])),
        )
        .with_priority(10)
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&base);
    let pages = client
        .paginate(
            &ApiRequest::get("/repos/o/r/issues").query("per_page", "1"),
            10,
        )
        .await
        .unwrap();
    assert_eq!(pages, vec![json!([{"number": 1}]), json!([{"number": 2}])]);
}

#[tokio::test]
async fn pagination_never_leaves_the_api_host() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    expect_no_call(&elsewhere, "GET").await;
    github_get("/repos/o/r/issues")
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!(
                        "<{}/repos/o/r/issues?page=2>; rel=\"next\"",
                        elsewhere.uri()
                    )
                    .as_str(),
                )
                .set_body_json(json!([{"number": 1}])),
        )
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let err = client
        .paginate(&ApiRequest::get("/repos/o/r/issues"), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, GitHubError::ForeignUrl { .. }), "{err:?}");
}

#[tokio::test]
async fn redirects_to_another_host_are_not_followed() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    expect_no_call(&elsewhere, "GET").await;
    github_get("/repos/o/r")
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let err = get_repo(&client).await.unwrap_err();
    assert!(matches!(err, GitHubError::ForeignUrl { .. }), "{err:?}");
}

#[tokio::test]
async fn redirects_on_the_api_host_are_followed() {
    let server = MockServer::start().await;
    github_get("/repos/old/r")
        .respond_with(ResponseTemplate::new(301).insert_header(
            "location",
            format!("{}/repositories/42", server.uri()).as_str(),
        ))
        .mount(&server)
        .await;
    github_get("/repositories/42")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 42})))
        .expect(1)
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    let body: serde_json::Value = client
        .get_json(&ApiRequest::get("/repos/old/r"))
        .await
        .unwrap();
    assert_eq!(body["id"], 42);
}

#[tokio::test]
async fn the_token_never_appears_in_errors_or_debug() {
    let server = MockServer::start().await;
    // A hostile or buggy server echoing the Authorization header back.
    github_get("/repos/o/r")
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": format!("Validation Failed for Bearer {TOKEN}"),
            "errors": [{"message": format!("token {TOKEN} is odd")}]
        })))
        .mount(&server)
        .await;
    github_get("/repos/o/s")
        .respond_with(ResponseTemplate::new(500).set_body_string(format!("upstream said {TOKEN}")))
        .mount(&server)
        .await;
    github_get("/repos/o/t")
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"message": format!("no: {TOKEN}")})),
        )
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri());
    assert_no_token(&format!("{client:?}"));
    for repo in ["r", "s", "t"] {
        let err = client
            .get_json::<serde_json::Value>(&ApiRequest::get(format!("/repos/o/{repo}")))
            .await
            .unwrap_err();
        assert_no_token(&err.to_string());
        assert_no_token(&format!("{err:?}"));
    }
    let response = client.send(&ApiRequest::get("/repos/o/r")).await.unwrap();
    assert_no_token(&response.message);
    // The token's shape is redacted where the message is shortened (redact, then cut).
    assert!(
        response.message.contains("Bearer [REDACTED]"),
        "{}",
        response.message
    );
}

#[test]
fn construction_rejects_bad_settings_without_echoing_the_token() {
    let err = GitHubClient::new("https://api.github.com", "  ").unwrap_err();
    assert!(matches!(err, GitHubError::MissingToken));
    let err = GitHubClient::new("https://api.github.com", "ghs_abc\ndef_SECRETLINE").unwrap_err();
    assert!(matches!(err, GitHubError::InvalidToken));
    assert!(!err.to_string().contains("SECRETLINE"));
    let err = GitHubClient::new("api.github.com", TOKEN).unwrap_err();
    assert!(err.to_string().contains("GITHUB_API_URL"), "{err}");
    assert_no_token(&err.to_string());
}
