//! Sets the gate's repository secrets from an env file (runbook section 2), through the REST
//! API: each value is encrypted for the repository's public key as a libsodium sealed box and
//! written with `PUT /repos/{owner}/{repo}/actions/secrets/{name}`.
//!
//! Deciding what to set ([`plan`]) is pure; reading the env file ([`read_env_file`]) and the
//! API calls ([`apply`]) are the edges. No value is ever printed or put in an error.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::exit::Exit;
use crate::github::contents::Repository;
use crate::github::{ApiRequest, GitHubClient, GitHubError};

/// The env file read when `--env-file` is not given (as the runbook's script does).
pub const DEFAULT_ENV_FILE: &str = ".env.local";
/// The bypass user when the env file names none.
pub const DEFAULT_BYPASS_USER_ID: &str = "00000000-0000-4000-8000-000000000001";
/// Keys the env file must hold.
pub const REQUIRED_KEYS: [&str; 2] = ["NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_ANON_KEY"];

const BYPASS_TOKEN: &str = "E2E_BYPASS_TOKEN";
const BYPASS_USER_ID: &str = "E2E_BYPASS_USER_ID";
const BYPASS_SHARED_SECRET: &str = "E2E_BYPASS_SHARED_SECRET";

/// A secret value: shown as `<redacted>` in `Debug` output, read only through [`Self::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for encryption.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where a secret's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The env file.
    File,
    /// [`DEFAULT_BYPASS_USER_ID`].
    Default,
    /// `E2E_BYPASS_TOKEN` built from the user id (and the shared secret when set).
    Derived,
}

/// One secret to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSecret {
    /// The secret's name.
    pub name: String,
    /// Its value.
    pub value: SecretValue,
    /// Where the value comes from.
    pub source: Source,
}

impl PlannedSecret {
    /// Where the value comes from, for the `SET:` line: empty for the env file.
    pub fn origin_note(&self) -> &'static str {
        match self.source {
            Source::File => "",
            Source::Default => " (default user id)",
            Source::Derived => " (derived from the user id and shared secret)",
        }
    }
}

/// What `secrets` will do: the secrets to set, in runbook order, and the ones skipped with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretPlan {
    /// The secrets to set.
    pub set: Vec<PlannedSecret>,
    /// `(name, reason)` of the secrets not set.
    pub skipped: Vec<(String, String)>,
}

/// What went wrong setting the secrets. Messages never contain a value.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The env file does not exist.
    #[error(
        "env file `{path}` not found; create it or pass --env-file PATH (the runbook's `.env.local`)"
    )]
    EnvFileMissing {
        /// The path as given.
        path: String,
    },
    /// The env file could not be read.
    #[error("cannot read env file `{path}`: {reason}")]
    EnvFileUnreadable {
        /// The path as given.
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// A line of the env file is not dotenv syntax.
    #[error(
        "env file `{path}`{line}: not valid dotenv syntax (KEY=value, optional `export `, quotes, \
         `#` comments); the line is not shown because it may hold a secret; nothing was written"
    )]
    EnvFileSyntax {
        /// The path as given.
        path: String,
        /// ` line N` when known, else empty.
        line: String,
    },
    /// A required key is missing or empty.
    #[error(
        "`{key}` is missing (or empty) in env file `{path}`; add `{key}=...`; nothing was written"
    )]
    MissingKey {
        /// The key.
        key: String,
        /// The env file.
        path: String,
    },
    /// The repository public key is not a base64 Curve25519 key.
    #[error(
        "{call}: the repository public key is not a base64 32-byte key ({reason}); nothing was written"
    )]
    BadPublicKey {
        /// The HTTP call.
        call: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Encryption failed (no randomness from the operating system).
    #[error("could not encrypt secret `{name}`; nothing more was written")]
    Seal {
        /// The secret's name.
        name: String,
    },
    /// A GitHub API call failed.
    #[error("{0}")]
    GitHub(#[from] GitHubError),
}

impl SecretsError {
    /// The exit code for this error: 2 for the env file, 3 for GitHub, 4 for encryption.
    pub fn exit(&self) -> Exit {
        match self {
            Self::EnvFileMissing { .. }
            | Self::EnvFileUnreadable { .. }
            | Self::EnvFileSyntax { .. }
            | Self::MissingKey { .. } => Exit::Usage,
            Self::BadPublicKey { .. } | Self::GitHub(_) => Exit::GitHub,
            Self::Seal { .. } => Exit::Internal,
        }
    }
}

/// Reads `path` as a dotenv file (quotes, `#` comments, `export`, `${VAR}` expansion, as the
/// `dotenvy` crate reads it); a key given twice keeps its last value. The process environment
/// is not changed.
pub fn read_env_file(path: &Path) -> Result<BTreeMap<String, String>, SecretsError> {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(SecretsError::EnvFileMissing { path: shown });
        }
        Err(err) => {
            return Err(SecretsError::EnvFileUnreadable {
                path: shown,
                reason: err.to_string(),
            });
        }
    };
    parse_env(&text, &shown)
}

/// Parses dotenv `text`; `path` names it in errors.
pub fn parse_env(text: &str, path: &str) -> Result<BTreeMap<String, String>, SecretsError> {
    let mut vars = BTreeMap::new();
    for item in dotenvy::from_read_iter(text.as_bytes()) {
        match item {
            Ok((key, value)) => {
                vars.insert(key, value);
            }
            Err(dotenvy::Error::LineParse(line, _)) => {
                return Err(SecretsError::EnvFileSyntax {
                    path: path.to_string(),
                    line: line_number(text, &line)
                        .map(|n| format!(" line {n}"))
                        .unwrap_or_default(),
                });
            }
            Err(err) => {
                return Err(SecretsError::EnvFileUnreadable {
                    path: path.to_string(),
                    reason: match err {
                        dotenvy::Error::Io(io) => io.to_string(),
                        _ => "it could not be parsed".to_string(),
                    },
                });
            }
        }
    }
    Ok(vars)
}

/// The 1-based line where `fragment` starts in `text`.
fn line_number(text: &str, fragment: &str) -> Option<usize> {
    let fragment = fragment.trim();
    if fragment.is_empty() {
        return None;
    }
    let at = text.find(fragment)?;
    Some(text[..at].matches('\n').count() + 1)
}

/// Decides what to set from the env file's `vars` (`env_file` names the file in errors):
///
/// - `NEXT_PUBLIC_SUPABASE_URL` and `NEXT_PUBLIC_SUPABASE_ANON_KEY` are required;
/// - `E2E_BYPASS_USER_ID` defaults to [`DEFAULT_BYPASS_USER_ID`];
/// - `E2E_BYPASS_TOKEN`, when absent, is `e2e:<shared secret>:<user id>` when
///   `E2E_BYPASS_SHARED_SECRET` is set, else `e2e:<user id>`;
/// - `E2E_BYPASS_SHARED_SECRET` is set only when present.
///
/// Empty (or blank) values count as absent.
pub fn plan(vars: &BTreeMap<String, String>, env_file: &str) -> Result<SecretPlan, SecretsError> {
    let get = |key: &str| vars.get(key).filter(|v| !v.trim().is_empty()).cloned();
    let mut set = Vec::new();
    for key in REQUIRED_KEYS {
        let value = get(key).ok_or_else(|| SecretsError::MissingKey {
            key: key.to_string(),
            path: env_file.to_string(),
        })?;
        set.push(planned(key, value, Source::File));
    }
    let (user_id, user_source) = match get(BYPASS_USER_ID) {
        Some(id) => (id, Source::File),
        None => (DEFAULT_BYPASS_USER_ID.to_string(), Source::Default),
    };
    let shared = get(BYPASS_SHARED_SECRET);
    let token = match get(BYPASS_TOKEN) {
        Some(token) => planned(BYPASS_TOKEN, token, Source::File),
        None => {
            let derived = match &shared {
                Some(secret) => format!("e2e:{secret}:{user_id}"),
                None => format!("e2e:{user_id}"),
            };
            planned(BYPASS_TOKEN, derived, Source::Derived)
        }
    };
    set.push(token);
    set.push(planned(BYPASS_USER_ID, user_id, user_source));
    let mut skipped = Vec::new();
    match shared {
        Some(secret) => set.push(planned(BYPASS_SHARED_SECRET, secret, Source::File)),
        None => skipped.push((
            BYPASS_SHARED_SECRET.to_string(),
            format!("not in {env_file}; optional"),
        )),
    }
    Ok(SecretPlan { set, skipped })
}

fn planned(name: &str, value: String, source: Source) -> PlannedSecret {
    PlannedSecret {
        name: name.to_string(),
        value: SecretValue::new(value),
        source,
    }
}

/// A repository's public key for secrets, as `GET .../actions/secrets/public-key` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PublicKey {
    /// The key's id, sent back with every secret.
    pub key_id: String,
    /// The Curve25519 public key, base64.
    pub key: String,
}

/// Encrypts `value` for the base64 Curve25519 `public_key` as a libsodium sealed box
/// (`crypto_box_seal`) and returns it base64-encoded, as the secrets API expects.
pub fn seal(public_key: &str, value: &[u8]) -> Result<String, SealError> {
    let bytes = STANDARD
        .decode(public_key.trim())
        .map_err(|e| SealError::Key(format!("not base64: {e}")))?;
    let key = crypto_box::PublicKey::from_slice(&bytes)
        .map_err(|_| SealError::Key(format!("{} bytes, expected 32", bytes.len())))?;
    let sealed = key
        .seal(&mut crypto_box::aead::OsRng, value)
        .map_err(|_| SealError::Encrypt)?;
    Ok(STANDARD.encode(sealed))
}

/// Why [`seal`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The public key is unusable.
    #[error("{0}")]
    Key(String),
    /// The encryption itself failed.
    #[error("encryption failed")]
    Encrypt,
}

/// Fetches the repository's public key for Actions secrets.
pub async fn public_key(
    client: &GitHubClient,
    repo: &Repository,
) -> Result<PublicKey, GitHubError> {
    let request = ApiRequest::get(format!("{}/actions/secrets/public-key", repo.api_path()))
        .permission("secrets: read (a token with repository Secrets read and write)");
    client.get_json(&request).await
}

/// Encrypts and writes every secret of `plan`, calling `report` with each `SET:` line as soon
/// as the secret is written. Stops at the first failure (the lines already reported were set).
pub async fn apply(
    client: &GitHubClient,
    repo: &Repository,
    plan: &SecretPlan,
    report: &mut dyn FnMut(String),
) -> Result<(), SecretsError> {
    let key = public_key(client, repo).await?;
    let key_call = format!("GET {}/actions/secrets/public-key", repo.api_path());
    // Check the key before anything is written.
    if let Err(SealError::Key(reason)) = seal(&key.key, b"") {
        return Err(SecretsError::BadPublicKey {
            call: key_call,
            reason,
        });
    }
    for secret in &plan.set {
        let encrypted =
            seal(&key.key, secret.value.expose().as_bytes()).map_err(|_| SecretsError::Seal {
                name: secret.name.clone(),
            })?;
        let body = serde_json::json!({ "encrypted_value": encrypted, "key_id": key.key_id });
        let request = ApiRequest::put(
            format!("{}/actions/secrets/{}", repo.api_path(), secret.name),
            body,
        )
        .permission("secrets: write (a token with repository Secrets read and write)");
        let response = client.send(&request).await?;
        if !response.is_success() {
            return Err(response.into_error().into());
        }
        report(format!("SET: {}{}", secret.name, secret.origin_note()));
    }
    Ok(())
}

/// The `SKIP:` lines of `plan`.
pub fn skip_lines(plan: &SecretPlan) -> Vec<String> {
    plan.skipped
        .iter()
        .map(|(name, reason)| format!("SKIP: {name} ({reason})"))
        .collect()
}

/// The lines a dry run prints: what would be set, then what is skipped.
pub fn dry_run_lines(plan: &SecretPlan, repository: &str) -> Vec<String> {
    let mut lines: Vec<String> = plan
        .set
        .iter()
        .map(|s| format!("WOULD SET: {}{}", s.name, s.origin_note()))
        .collect();
    lines.extend(skip_lines(plan));
    lines.push(format!(
        "dry run: nothing written to {repository} ({} secrets would be set)",
        plan.set.len()
    ));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn token_is_derived_from_user_id_and_shared_secret() {
        let base = [
            ("NEXT_PUBLIC_SUPABASE_URL", "https://x.supabase.co"),
            ("NEXT_PUBLIC_SUPABASE_ANON_KEY", "anon"),
        ];
        let plan = plan(&vars(&base), ".env.local").unwrap();
        let token = plan.set.iter().find(|s| s.name == BYPASS_TOKEN).unwrap();
        assert_eq!(
            token.value.expose(),
            "e2e:00000000-0000-4000-8000-000000000001"
        );
        assert_eq!(token.source, Source::Derived);
        assert_eq!(plan.skipped.len(), 1);

        let mut with_secret = vars(&base);
        with_secret.insert(BYPASS_SHARED_SECRET.into(), "s3cr3t".into());
        with_secret.insert(BYPASS_USER_ID.into(), "u-1".into());
        let plan = super::plan(&with_secret, ".env.local").unwrap();
        let token = plan.set.iter().find(|s| s.name == BYPASS_TOKEN).unwrap();
        assert_eq!(token.value.expose(), "e2e:s3cr3t:u-1");
        assert!(plan.skipped.is_empty());
    }

    #[test]
    fn empty_required_value_is_missing() {
        let err = plan(
            &vars(&[
                ("NEXT_PUBLIC_SUPABASE_URL", "https://x.supabase.co"),
                ("NEXT_PUBLIC_SUPABASE_ANON_KEY", "  "),
            ]),
            "ci.env",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`NEXT_PUBLIC_SUPABASE_ANON_KEY`"), "{text}");
        assert!(text.contains("`ci.env`"), "{text}");
        assert_eq!(err.exit(), Exit::Usage);
    }

    #[test]
    fn syntax_errors_name_the_line_not_its_text() {
        let text = "A=1\n# comment\nB=\"unterminated secretvalue\n";
        let err = parse_env(text, "x.env").unwrap_err().to_string();
        assert!(!err.contains("secretvalue"), "{err}");
        assert!(err.contains("`x.env`"), "{err}");
    }

    #[test]
    fn debug_hides_values() {
        let value = SecretValue::new("hunter2");
        assert_eq!(format!("{value:?}"), "<redacted>");
    }
}
