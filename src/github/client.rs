//! The HTTP client: GitHub's headers, token authentication, timeouts, retries with back-off,
//! rate limits and pagination.
//!
//! Every request goes to the API host given at construction (`GITHUB_API_URL`); redirects and
//! pagination links that point elsewhere are refused, so the token is never sent anywhere else.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use super::error::GitHubError;
use crate::text::truncate_chars;

/// The public GitHub API root, used when `GITHUB_API_URL` is not set.
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// The REST API version every request asks for (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";
/// GitHub's JSON media type, the default `Accept`.
pub const JSON_MEDIA_TYPE: &str = "application/vnd.github+json";
/// The media type that makes the contents API return a file's raw bytes (files over 1 MB).
pub const RAW_MEDIA_TYPE: &str = "application/vnd.github.raw+json";

/// The `User-Agent` of every request: the product and its version.
pub fn user_agent() -> String {
    format!(
        "itm-gate/{} (+https://github.com/n8kahl/itm-gate-action)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Bounds on retrying and waiting. Every wait counts against `max_total_wait`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests sent at most per call when the answer is a 5xx, a timeout or a broken connection
    /// (also the bound on rate-limit retries per call).
    pub max_attempts: u32,
    /// First back-off delay; it doubles with each retry, with jitter.
    pub base_delay: Duration,
    /// Longest single back-off delay (rate-limit waits are bounded by `max_total_wait` only).
    pub max_delay: Duration,
    /// Cap on all waiting of one call (back-off and rate limits together).
    pub max_total_wait: Duration,
    /// Timeout of every request, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// Writes tried at most when the file changed between read and write (409/422 conflicts).
    pub max_conflict_attempts: u32,
    /// Wait for a secondary rate limit that names no time (GitHub: "at least one minute").
    pub secondary_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_total_wait: Duration::from_secs(300),
            timeout: Duration::from_secs(30),
            max_conflict_attempts: 5,
            secondary_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The back-off before retry number `retry` (1 for the first retry): `base_delay` doubled
    /// per retry, capped at `max_delay`, then jittered into its upper half.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        let jitter_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let random = getrandom::u64().unwrap_or(0);
        let extra = if jitter_nanos == 0 {
            0
        } else {
            random % (jitter_nanos + 1)
        };
        half + Duration::from_nanos(extra)
    }
}

/// How the client waits between retries; tests replace it to record waits instead of sleeping.
pub type Sleeper = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// The token, kept out of every `Debug` output.
#[derive(Clone)]
struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A GitHub REST API client bound to one API host and one token.
#[derive(Clone)]
pub struct GitHubClient {
    http: reqwest::Client,
    base: Url,
    token: Token,
    auth: HeaderValue,
    policy: RetryPolicy,
    sleeper: Sleeper,
}

impl fmt::Debug for GitHubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHubClient")
            .field("api_base", &self.base.as_str())
            .field("token", &self.token)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl GitHubClient {
    /// A client for the API rooted at `api_base` (e.g. `https://api.github.com` or
    /// `https://ghe.example.com/api/v3`), authenticating with `token`.
    pub fn new(api_base: &str, token: &str) -> Result<Self, GitHubError> {
        let base = parse_base(api_base)?;
        let token = token.trim();
        if token.is_empty() {
            return Err(GitHubError::MissingToken);
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| GitHubError::InvalidToken)?;
        auth.set_sensitive(true);

        let origin = base.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                attempt.stop()
            } else if same_api_host(&origin, attempt.url()) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let mut headers = HeaderMap::new();
        headers.insert(
            "X-GitHub-Api-Version",
            HeaderValue::from_static(API_VERSION),
        );
        let http = reqwest::Client::builder()
            .user_agent(user_agent())
            .default_headers(headers)
            .redirect(redirects)
            .connect_timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| GitHubError::Setup(e.to_string()))?;
        Ok(Self {
            http,
            base,
            token: Token(token.to_string()),
            auth,
            policy: RetryPolicy::default(),
            sleeper: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
        })
    }

    /// A client for `GITHUB_API_URL`, or `https://api.github.com` when it is unset or empty.
    pub fn from_env(token: &str) -> Result<Self, GitHubError> {
        let base = std::env::var("GITHUB_API_URL")
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        Self::new(&base, token)
    }

    /// The same client with other retry bounds.
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The same client waiting through `sleeper` instead of `tokio::time::sleep`.
    pub fn with_sleeper(mut self, sleeper: Sleeper) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// The retry bounds in use.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The API root, without a trailing slash.
    pub fn api_base(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// Replaces the token in `text` by `***` (for texts that come back from the server).
    pub fn redact(&self, text: &str) -> String {
        if self.token.0.len() < 6 {
            return text.to_string();
        }
        text.replace(&self.token.0, "***")
    }

    /// Waits `duration` through the sleeper.
    pub(crate) async fn sleep(&self, duration: Duration) {
        (self.sleeper)(duration).await;
    }

    fn url_for(&self, request: &ApiRequest) -> Url {
        let mut url = self.base.clone();
        let base_path = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base_path}{}", request.path));
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        url
    }

    /// `METHOD /path?query`, the path relative to the API root.
    fn describe(&self, method: &Method, url: &Url) -> String {
        let base_path = self.base.path().trim_end_matches('/');
        let path = url.path().strip_prefix(base_path).unwrap_or(url.path());
        match url.query() {
            Some(q) => format!("{method} {path}?{q}"),
            None => format!("{method} {path}"),
        }
    }

    /// Sends `request`, retrying 5xx answers, timeouts and broken connections with jittered
    /// back-off and waiting out rate limits, all within the policy's bounds.
    ///
    /// Returns the response for every other status, except 401 and permission 403s, which
    /// become [`GitHubError::Unauthorized`] and [`GitHubError::Forbidden`] at once.
    pub async fn send(&self, request: &ApiRequest) -> Result<ApiResponse, GitHubError> {
        let url = self.url_for(request);
        self.send_url(request, url).await
    }

    async fn send_url(&self, request: &ApiRequest, url: Url) -> Result<ApiResponse, GitHubError> {
        let call = self.describe(&request.method, &url);
        let policy = &self.policy;
        let mut attempts = 0u32;
        let mut rate_limit_retries = 0u32;
        let mut waited = Duration::ZERO;
        loop {
            attempts += 1;
            tracing::debug!(call = %call, attempt = attempts, "GitHub API request");
            let mut builder = self
                .http
                .request(request.method.clone(), url.clone())
                .timeout(policy.timeout)
                .header(ACCEPT, request.accept)
                .header(AUTHORIZATION, self.auth.clone());
            if let Some(body) = &request.body {
                builder = builder
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string());
            }
            // The transient failure of this attempt, if any: (detail, status, message).
            let failure: (String, Option<u16>, String) = match builder.send().await {
                Err(err) => (
                    self.redact(&describe_transport(&err, policy)),
                    None,
                    String::new(),
                ),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Err(err) => (
                            self.redact(&describe_transport(&err, policy)),
                            None,
                            String::new(),
                        ),
                        Ok(body) => {
                            let response = ApiResponse {
                                status,
                                body: body.to_vec(),
                                call: call.clone(),
                                next: next_link(&headers),
                                message: String::new(),
                            };
                            let message = self.redact(&response.github_message());
                            let response = ApiResponse {
                                message: message.clone(),
                                ..response
                            };
                            if (500..600).contains(&status) {
                                (format!("{status} {message}"), Some(status), message)
                            } else if let Some((wait, detail)) = rate_limit_wait(
                                status,
                                &headers,
                                &message,
                                now_epoch(),
                                policy,
                                rate_limit_retries,
                            ) {
                                rate_limit_retries += 1;
                                let over_cap = waited + wait > policy.max_total_wait;
                                if over_cap || rate_limit_retries > policy.max_attempts {
                                    return Err(GitHubError::RateLimited {
                                        call,
                                        detail,
                                        wait_secs: wait.as_secs(),
                                        cap_secs: policy.max_total_wait.as_secs(),
                                    });
                                }
                                tracing::warn!(
                                    call = %call,
                                    wait_secs = wait.as_secs(),
                                    "GitHub rate limit; waiting"
                                );
                                waited += wait;
                                self.sleep(wait).await;
                                attempts -= 1;
                                continue;
                            } else if status == 401 {
                                return Err(GitHubError::Unauthorized { call, message });
                            } else if status == 403 && !request.pass_forbidden {
                                let permission = request
                                    .permission
                                    .unwrap_or_else(|| permission_for(&request.method, &url))
                                    .to_string();
                                return Err(GitHubError::Forbidden {
                                    call,
                                    message,
                                    permission,
                                });
                            } else if (300..400).contains(&status) {
                                return Err(GitHubError::ForeignUrl {
                                    call,
                                    url: headers
                                        .get(reqwest::header::LOCATION)
                                        .and_then(|v| v.to_str().ok())
                                        .map(strip_query)
                                        .unwrap_or_else(|| format!("(a {status} redirect)")),
                                });
                            } else {
                                return Ok(response);
                            }
                        }
                    }
                }
            };
            let (detail, status, message) = failure;
            let give_up = |attempts: u32| match status {
                Some(status) => GitHubError::Server {
                    call: call.clone(),
                    status,
                    message: message.clone(),
                    attempts,
                },
                None => GitHubError::Network {
                    call: call.clone(),
                    detail: detail.clone(),
                    attempts,
                },
            };
            if attempts >= policy.max_attempts {
                return Err(give_up(attempts));
            }
            let wait = policy.backoff(attempts);
            if waited + wait > policy.max_total_wait {
                return Err(give_up(attempts));
            }
            tracing::warn!(call = %call, detail = %detail, "GitHub API call failed; retrying");
            waited += wait;
            self.sleep(wait).await;
        }
    }

    /// GETs `path` and decodes the JSON body; any status but 2xx is an error naming the call.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
    ) -> Result<T, GitHubError> {
        let response = self.send(request).await?;
        if !response.is_success() {
            return Err(response.into_error());
        }
        response.json()
    }

    /// Sends `request` and follows `Link: rel="next"` for up to `max_pages` pages, returning
    /// each page's JSON. Links that leave the API host are refused.
    pub async fn paginate(
        &self,
        request: &ApiRequest,
        max_pages: usize,
    ) -> Result<Vec<serde_json::Value>, GitHubError> {
        let mut pages = Vec::new();
        let mut url = self.url_for(request);
        loop {
            let response = self.send_url(request, url).await?;
            if !response.is_success() {
                return Err(response.into_error());
            }
            pages.push(response.json::<serde_json::Value>()?);
            let Some(next) = response.next.as_deref() else {
                break;
            };
            if pages.len() >= max_pages {
                break;
            }
            let next = Url::parse(next)
                .ok()
                .filter(|n| same_api_host(&self.base, n))
                .ok_or_else(|| GitHubError::ForeignUrl {
                    call: response.call.clone(),
                    url: strip_query(next),
                })?;
            url = next;
        }
        Ok(pages)
    }
}

/// One request to the API: method, path (relative to the API root, already percent-encoded),
/// query, JSON body and `Accept` media type.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<serde_json::Value>,
    accept: &'static str,
    permission: Option<&'static str>,
    pass_forbidden: bool,
}

impl ApiRequest {
    fn new(method: Method, path: impl Into<String>) -> Self {
        let mut path = path.into();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        Self {
            method,
            path,
            query: Vec::new(),
            body: None,
            accept: JSON_MEDIA_TYPE,
            permission: None,
            pass_forbidden: false,
        }
    }

    /// A `GET` of `path` (e.g. `/repos/o/r/contents/docs%2Fx`, percent-encoded by the caller).
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// A `PUT` of `path` with a JSON body.
    pub fn put(path: impl Into<String>, body: serde_json::Value) -> Self {
        Self {
            body: Some(body),
            ..Self::new(Method::PUT, path)
        }
    }

    /// A `POST` of `path` with a JSON body.
    pub fn post(path: impl Into<String>, body: serde_json::Value) -> Self {
        Self {
            body: Some(body),
            ..Self::new(Method::POST, path)
        }
    }

    /// Adds a query parameter (encoded when sent).
    pub fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_string(), value.into()));
        self
    }

    /// Asks for another media type, such as [`RAW_MEDIA_TYPE`].
    pub fn accept(mut self, media_type: &'static str) -> Self {
        self.accept = media_type;
        self
    }

    /// The permission a 403 should name, e.g. `contents: write` (else derived from the path).
    pub fn permission(mut self, permission: &'static str) -> Self {
        self.permission = Some(permission);
        self
    }

    /// Returns permission 403s as responses instead of errors, for callers with a fallback.
    pub fn allow_forbidden(mut self) -> Self {
        self.pass_forbidden = true;
        self
    }
}

/// A response that was not retried away: status, body, and GitHub's message when it has one.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    /// HTTP status.
    pub status: u16,
    /// The body, as sent.
    pub body: Vec<u8>,
    /// The call that produced it (`METHOD /path?query`).
    pub call: String,
    /// GitHub's `message` (and `errors`) on error responses, redacted and shortened.
    pub message: String,
    next: Option<String>,
}

impl ApiResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Decodes the body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, GitHubError> {
        serde_json::from_slice(&self.body).map_err(|e| GitHubError::Decode {
            call: self.call.clone(),
            reason: e.to_string(),
        })
    }

    /// The URL of the next page (`Link: <…>; rel="next"`), if any.
    pub fn next_page(&self) -> Option<&str> {
        self.next.as_deref()
    }

    /// This response as a [`GitHubError::Status`] naming the call.
    pub fn into_error(self) -> GitHubError {
        GitHubError::Status {
            call: self.call,
            status: self.status,
            message: self.message,
        }
    }

    /// GitHub's error text: `message`, then the `errors` entries; else the start of the body.
    fn github_message(&self) -> String {
        let text = match serde_json::from_slice::<serde_json::Value>(&self.body) {
            Ok(value) => {
                let mut parts: Vec<String> = Vec::new();
                if let Some(m) = value.get("message").and_then(|m| m.as_str()) {
                    parts.push(m.to_string());
                }
                if let Some(errors) = value.get("errors").and_then(|e| e.as_array()) {
                    for error in errors {
                        match error {
                            serde_json::Value::String(s) => parts.push(s.clone()),
                            other => {
                                if let Some(m) = other.get("message").and_then(|m| m.as_str()) {
                                    parts.push(m.to_string());
                                } else if let Some(c) = other.get("code").and_then(|c| c.as_str()) {
                                    parts.push(c.to_string());
                                }
                            }
                        }
                    }
                }
                parts.join("; ")
            }
            Err(_) if self.is_success() => String::new(),
            Err(_) => String::from_utf8_lossy(&self.body).into_owned(),
        };
        let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        truncate_chars(&one_line, 300).into_owned()
    }
}

/// Validates and normalises the API root.
fn parse_base(api_base: &str) -> Result<Url, GitHubError> {
    let trimmed = api_base.trim();
    let invalid = |reason: &str| GitHubError::InvalidApiUrl {
        url: strip_query(trimmed),
        reason: reason.to_string(),
    };
    let url = Url::parse(trimmed).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be https (or http)"));
    }
    if url.host_str().is_none() {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it must not contain credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    let mut url = url;
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

/// Whether `url` is on the API host (same scheme, host and port) and under the API root.
fn same_api_host(base: &Url, url: &Url) -> bool {
    base.scheme() == url.scheme()
        && base.host_str() == url.host_str()
        && base.port_or_known_default() == url.port_or_known_default()
        && url.path().starts_with(base.path().trim_end_matches('/'))
}

/// A URL without its query and fragment, for messages.
fn strip_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}

/// The `rel="next"` target of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(reqwest::header::LINK)?.to_str().ok()?;
    let mut rest = link;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>')?;
        let target = &after[..end];
        let params_end = after[end..].find('<').map_or(after.len(), |i| end + i);
        let params = &after[end + 1..params_end];
        if params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p == "rel=\"next\"" || p == "rel=next"
        }) {
            return Some(target.to_string());
        }
        rest = &after[params_end..];
    }
    None
}

/// Seconds since the Unix epoch, now.
fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// How long to wait when the answer is a rate limit, and a description of it; `None` when the
/// answer is not a rate limit (then a 403 is a permission error).
///
/// Follows GitHub's guidance: `retry-after` seconds when present; else, with
/// `x-ratelimit-remaining: 0`, until `x-ratelimit-reset` (epoch seconds); else, for a 429 or a
/// message naming a secondary rate limit, one minute doubling with each retry.
pub(crate) fn rate_limit_wait(
    status: u16,
    headers: &HeaderMap,
    message: &str,
    now_epoch: u64,
    policy: &RetryPolicy,
    retries_so_far: u32,
) -> Option<(Duration, String)> {
    if status != 403 && status != 429 {
        return None;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let summary = if message.is_empty() {
        format!("{status}")
    } else {
        format!("{status} {message}")
    };
    if let Some(secs) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some((
            Duration::from_secs(secs),
            format!("{summary}; retry-after {secs} s"),
        ));
    }
    if header("x-ratelimit-remaining") == Some("0")
        && let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok())
    {
        let wait = reset.saturating_sub(now_epoch) + 1;
        let at = chrono::DateTime::from_timestamp(i64::try_from(reset).unwrap_or(0), 0)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| reset.to_string());
        return Some((
            Duration::from_secs(wait),
            format!("{summary}; the limit resets at {at}"),
        ));
    }
    let names_limit = message.to_ascii_lowercase().contains("rate limit");
    if status == 429 || names_limit || header("x-ratelimit-remaining") == Some("0") {
        let factor = 1u32 << retries_so_far.min(8);
        return Some((
            policy.secondary_rate_limit_wait.saturating_mul(factor),
            format!("{summary}; secondary rate limit"),
        ));
    }
    None
}

/// The permission a call needs, for the 403 message.
fn permission_for(method: &Method, url: &Url) -> &'static str {
    let path = url.path();
    let write = *method != Method::GET && *method != Method::HEAD;
    if path.contains("/actions/secrets") {
        "secrets: read (the default GITHUB_TOKEN cannot list secrets; use a token that can)"
    } else if path.contains("/actions/") {
        if write {
            "actions: write"
        } else {
            "actions: read"
        }
    } else if path.contains("/issues") {
        if write {
            "issues: write"
        } else {
            "issues: read"
        }
    } else if write {
        "contents: write"
    } else {
        "contents: read"
    }
}

/// A short description of a transport failure (timeout, refused or reset connection).
fn describe_transport(err: &reqwest::Error, policy: &RetryPolicy) -> String {
    let mut root: &dyn std::error::Error = err;
    while let Some(source) = root.source() {
        root = source;
    }
    let cause = root.to_string();
    if err.is_timeout() {
        format!("timed out after {} ms", policy.timeout.as_millis())
    } else if err.is_connect() {
        format!("could not connect ({cause})")
    } else {
        format!("the connection failed ({cause})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn backoff_doubles_within_jitter_and_cap() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            let capped = policy.backoff(10);
            assert!(capped >= Duration::from_millis(150) && capped <= Duration::from_millis(300));
        }
    }

    #[test]
    fn retry_after_wins() {
        let h = headers(&[("retry-after", "7"), ("x-ratelimit-remaining", "0")]);
        let (wait, _) = rate_limit_wait(403, &h, "", 0, &RetryPolicy::default(), 0).unwrap();
        assert_eq!(wait, Duration::from_secs(7));
    }

    #[test]
    fn primary_limit_waits_until_reset() {
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1000"),
        ]);
        let (wait, detail) = rate_limit_wait(
            403,
            &h,
            "API rate limit exceeded",
            940,
            &RetryPolicy::default(),
            0,
        )
        .unwrap();
        assert_eq!(wait, Duration::from_secs(61));
        assert!(
            detail.contains("resets at 1970-01-01 00:16:40 UTC"),
            "{detail}"
        );
    }

    #[test]
    fn secondary_limit_without_headers_waits_a_minute_then_longer() {
        let h = HeaderMap::new();
        let msg = "You have exceeded a secondary rate limit";
        let p = RetryPolicy::default();
        assert_eq!(
            rate_limit_wait(403, &h, msg, 0, &p, 0).unwrap().0,
            Duration::from_secs(60)
        );
        assert_eq!(
            rate_limit_wait(403, &h, msg, 0, &p, 1).unwrap().0,
            Duration::from_secs(120)
        );
    }

    #[test]
    fn permission_403_is_not_a_rate_limit() {
        let h = headers(&[("x-ratelimit-remaining", "4999")]);
        let msg = "Resource not accessible by integration";
        assert!(rate_limit_wait(403, &h, msg, 0, &RetryPolicy::default(), 0).is_none());
        assert!(rate_limit_wait(404, &h, "", 0, &RetryPolicy::default(), 0).is_none());
    }

    #[test]
    fn next_link_is_found_among_others() {
        let h = headers(&[(
            "link",
            "<https://api.github.com/x?page=1>; rel=\"prev\", <https://api.github.com/x?page=3&a=1,2>; rel=\"next\", <https://api.github.com/x?page=9>; rel=\"last\"",
        )]);
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://api.github.com/x?page=3&a=1,2")
        );
        let last_only = headers(&[("link", "<https://api.github.com/x?page=1>; rel=\"first\"")]);
        assert_eq!(next_link(&last_only), None);
    }

    #[test]
    fn base_url_is_validated() {
        assert!(parse_base("ftp://x").is_err());
        assert!(parse_base("not a url").is_err());
        assert!(parse_base("https://user:pw@ghe.example.com/api/v3").is_err());
        assert_eq!(
            parse_base("https://ghe.example.com/api/v3/")
                .unwrap()
                .path(),
            "/api/v3"
        );
    }

    #[test]
    fn foreign_hosts_are_not_the_api_host() {
        let base = parse_base("https://ghe.example.com/api/v3").unwrap();
        let ok = Url::parse("https://ghe.example.com/api/v3/repos/o/r?page=2").unwrap();
        let other_host = Url::parse("https://evil.example.com/api/v3/repos").unwrap();
        let other_port = Url::parse("https://ghe.example.com:8443/api/v3/repos").unwrap();
        let other_path = Url::parse("https://ghe.example.com/login").unwrap();
        assert!(same_api_host(&base, &ok));
        assert!(!same_api_host(&base, &other_host));
        assert!(!same_api_host(&base, &other_port));
        assert!(!same_api_host(&base, &other_path));
    }

    #[test]
    fn debug_hides_the_token() {
        let client = GitHubClient::new("https://api.github.com", "ghs_secretvalue123").unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains("ghs_secretvalue123"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }
}
