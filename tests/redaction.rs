//! Secrets present in logs and report texts never reach a finding: not its excerpt, not its
//! source, not the message of a file-level warning (DESIGN.md section 6). The end-to-end check
//! on the binary's stdout, stderr, summary, outputs and annotations is in the gate's tests.

use std::path::Path;

use itm_gate::logscan::{Finding, Findings, MAX_LINE_BUFFER, RuleSet, Scanner};
use itm_gate::redact::{REDACTED, Redactor};
use proptest::prelude::*;

const SHARED_SECRET: &str = "Zq7hVw3KpX9mRt2LdN6c";
const USER_ID: &str = "6f1c2b7e-4d0a-4c1e-9a3b-2f8e5d7c1a90";
const SUPABASE_URL: &str = "https://qwertyuiopasdfgh.supabase.co";
const ANON_KEY: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6InF3ZXJ0eSIsInJvbGUiOiJhbm9uIn0.\
                        4m9kQ2x7vZpL1sT8wYc3bN6eR0aF5hJ2uK9oI7gD1qE";
const GITHUB_TOKEN: &str = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";

fn secrets() -> Vec<String> {
    let bypass_token = format!("e2e:{SHARED_SECRET}:{USER_ID}");
    [
        SUPABASE_URL,
        ANON_KEY,
        &bypass_token,
        USER_ID,
        SHARED_SECRET,
        GITHUB_TOKEN,
    ]
    .map(String::from)
    .to_vec()
}

fn scan(redactor: Redactor, log: &[u8]) -> Vec<Finding> {
    let scanner = Scanner::new(RuleSet::builtin(), redactor);
    let mut findings = Findings::new();
    scanner
        .scan_reader("backend.log", log, &mut findings)
        .expect("in-memory read");
    findings.into_vec()
}

/// Every field of every finding, as the gate would show it.
fn shown(found: &[Finding]) -> String {
    serde_json::to_string(found).unwrap_or_default()
}

fn assert_no_secret(text: &str) {
    for secret in secrets() {
        assert!(
            !text.contains(&secret),
            "secret {secret:.6}… leaked in {text}"
        );
    }
    assert!(
        !text.contains("qwertyuiopasdfgh"),
        "Supabase host leaked in {text}"
    );
    assert!(
        !text.contains(SHARED_SECRET),
        "shared secret leaked in {text}"
    );
}

/// A failing run's logs that print every secret in the ways a Node backend and Playwright do.
fn leaky_log() -> String {
    let escaped_url = SUPABASE_URL.replace('/', "\\/");
    [
        format!(
            r#"{{"level":"error","message":"E2E user provisioning failed","userId":"{USER_ID}","error":"Failed to verify E2E user at {SUPABASE_URL}/rest/v1/ai_coach_users"}}"#
        ),
        format!(r#"{{"level":"error","message":"Authentication error","headers":{{"authorization":"Bearer e2e:{SHARED_SECRET}:{USER_ID}"}}}}"#),
        format!("[WebServer] Error: Missing Supabase environment variables (url={escaped_url}, key={ANON_KEY})"),
        format!("Live auth bypass preflight failed: status 500 for token e2e:{SHARED_SECRET}:{USER_ID}"),
        format!("Error: Process from config.webServer was not able to start. GITHUB_TOKEN={GITHUB_TOKEN}"),
        format!("Invalid E2E bypass token format: {}", percent_encode(&format!("e2e:{SHARED_SECRET}:{USER_ID}"))),
        format!("EADDRINUSE apikey=sk-proj-T3stK3yAbcdefghijklmnopqrstu anon={ANON_KEY}"),
    ]
    .join("\n")
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn secret_values_in_logs_never_reach_a_finding() {
    let found = scan(Redactor::new(secrets()), leaky_log().as_bytes());
    assert_eq!(found.len(), 7, "{found:#?}");
    let all = shown(&found);
    assert_no_secret(&all);
    assert!(!all.contains("sk-proj"), "{all}");
    assert!(all.contains(REDACTED));
}

#[test]
fn secret_shapes_are_redacted_even_when_no_value_is_known() {
    let found = scan(Redactor::default(), leaky_log().as_bytes());
    let all = shown(&found);
    // Without the values, the shapes still go: JWTs, Bearer values, bypass secrets, keys, tokens.
    for leaked in [ANON_KEY, SHARED_SECRET, GITHUB_TOKEN, "sk-proj-T3stK3y"] {
        assert!(!all.contains(leaked), "{leaked:.8}… leaked in {all}");
    }
    // The bypass token keeps its uuid, so the user can tell which E2E user failed.
    assert!(all.contains(&format!("e2e:{REDACTED}:{USER_ID}")), "{all}");
}

#[test]
fn from_env_reads_the_five_secret_variables_and_the_token() {
    // This test binary has no other test that reads the environment.
    let values = [
        ("NEXT_PUBLIC_SUPABASE_URL", SUPABASE_URL),
        ("NEXT_PUBLIC_SUPABASE_ANON_KEY", ANON_KEY),
        ("E2E_BYPASS_TOKEN", "e2e:local-only-token-value"),
        ("E2E_BYPASS_USER_ID", USER_ID),
        ("E2E_BYPASS_SHARED_SECRET", SHARED_SECRET),
    ];
    for (name, value) in values {
        // SAFETY: set before any thread of this test reads the environment; no other test in
        // this binary reads or writes it.
        unsafe { std::env::set_var(name, value) };
    }
    let redactor = Redactor::from_env(Some(GITHUB_TOKEN));
    let text = format!(
        "{SUPABASE_URL} {ANON_KEY} e2e:local-only-token-value {USER_ID} {SHARED_SECRET} {GITHUB_TOKEN}"
    );
    let redacted = redactor.redact(&text);
    assert_eq!(redacted, ["[REDACTED]"; 6].join(" "));
    assert!(!format!("{redactor:?}").contains(SHARED_SECRET));
}

#[test]
fn secrets_in_file_names_and_warnings_are_redacted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = format!("backend-{SHARED_SECRET}.log");
    std::fs::write(dir.path().join(&name), "Failed to start server\n").expect("write");
    let scanner = Scanner::new(RuleSet::builtin(), Redactor::new(secrets()));
    let mut findings = Findings::new();
    let patterns = [name, format!("missing-{SHARED_SECRET}/*.log")];
    scanner.scan_paths(&patterns, dir.path(), &mut findings);
    let found = findings.into_vec();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_no_secret(&shown(&found));
}

#[test]
fn report_texts_are_redacted_with_their_places() {
    let scanner = Scanner::new(RuleSet::builtin(), Redactor::new(secrets()));
    let mut findings = Findings::new();
    let place =
        format!("e2e/specs/ai-coach/ai-coach-api.spec.ts › token {SHARED_SECRET} (attempt 1)");
    let error = format!("\x1b[31mError:\x1b[39m E2E auth bootstrap failed for Bearer {ANON_KEY}");
    scanner.scan_text(&place, &error, &mut findings);
    let found = findings.into_vec();
    assert_eq!(found.len(), 1);
    assert_no_secret(&shown(&found));
    assert_eq!(
        found[0].excerpt,
        format!("Error: E2E auth bootstrap failed for Bearer {REDACTED}")
    );
}

/// A known secret beside the message in a very long line, where the piece boundaries of the scanner's
/// buffer fall, is still never shown, not even in part.
#[test]
fn a_secret_across_a_piece_boundary_of_a_huge_line_is_not_shown() {
    let secret = "QJXZ0123456789QJXZ0123456789QJXZ";
    let message = "Failed to start server";
    for offset in [0usize, 5, 16, 31] {
        let mut line = vec![b'a'; 3 * MAX_LINE_BUFFER];
        // The secret ends exactly where the first piece of the line ends (less `offset`), with
        // the message just before it.
        let secret_at = MAX_LINE_BUFFER + offset - secret.len() / 2;
        line[secret_at - 1] = b' ';
        line[secret_at..secret_at + secret.len()].copy_from_slice(secret.as_bytes());
        line[secret_at + secret.len()] = b' ';
        let message_at = secret_at - message.len() - 1;
        line[message_at..message_at + message.len()].copy_from_slice(message.as_bytes());
        line[message_at - 1] = b' ';
        let found = scan(Redactor::new([secret.to_string()]), &line);
        assert_eq!(found.len(), 1, "offset {offset}");
        let all = shown(&found);
        assert!(all.contains(message));
        assert!(!all.contains("QJXZ0123"), "offset {offset}: {all}");
    }
}

fn secret_strategy() -> impl Strategy<Value = String> {
    // Upper-case letters and digits only, so the filler (lower case) never forms part of it.
    "[QJXZKW0-9]{12,48}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Wherever a known secret sits in a line with a critical message, and however long the
    /// line, no 8-character piece of the secret appears in the finding.
    #[test]
    fn no_piece_of_a_known_secret_is_ever_shown(
        secret in secret_strategy(),
        before in 0usize..20_000,
        between in 0usize..600,
        after in 0usize..20_000,
        secret_first in any::<bool>(),
        glue in any::<bool>(),
    ) {
        let filler = |n: usize| "lorem ipsum dolor ".repeat(n / 18 + 1)[..n].to_string();
        // `=` is no delimiter for the excerpt's edge trimming, but a word boundary for the rule.
        let sep = if glue { "=" } else { " " };
        let (first, second) = if secret_first {
            (secret.clone(), "EADDRINUSE".to_string())
        } else {
            ("EADDRINUSE".to_string(), secret.clone())
        };
        let line = format!("{}{sep}{first}{sep}{}{sep}{second}{sep}{}\n", filler(before), filler(between), filler(after));
        let found = scan(Redactor::new([secret.clone()]), line.as_bytes());
        prop_assert_eq!(found.len(), 1);
        let all = shown(&found);
        prop_assert!(all.contains("EADDRINUSE"));
        for piece in secret.as_bytes().windows(8) {
            let piece = std::str::from_utf8(piece).unwrap_or_default();
            prop_assert!(!all.contains(piece), "piece {} of the secret in {}", piece, all);
        }
    }

    /// Unknown tokens glued to a JWT or a Bearer value never leave part of it visible.
    #[test]
    fn no_piece_of_a_jwt_is_ever_shown(
        payload in "[A-Za-z0-9_-]{20,200}",
        before in 0usize..5_000,
        after in 0usize..5_000,
    ) {
        let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2lnbmF0dXJl");
        let filler = |n: usize| "lorem ipsum dolor ".repeat(n / 18 + 1)[..n].to_string();
        let line = format!("{} Authentication error Bearer {jwt} {}\n", filler(before), filler(after));
        let found = scan(Redactor::default(), line.as_bytes());
        prop_assert_eq!(found.len(), 1);
        let all = shown(&found);
        prop_assert!(!all.contains(&payload), "{}", all);
    }
}

#[test]
fn the_redaction_marker_is_what_the_docs_say() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/log-rules.md"))
            .expect("docs");
    assert!(docs.contains(&format!("`{REDACTED}`")));
}
