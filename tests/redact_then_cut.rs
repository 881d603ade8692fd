//! Redact, then cut (DESIGN.md section 6, issue 11 point 1): no 8-character piece of a secret
//! survives anywhere the gate writes, wherever the secret sits relative to a length cap.
//!
//! Two layers. The first drives every shortening function the outputs go through
//! ([`redact::cut`] and the helpers built on it) with each secret shape at every offset around
//! every length cap the code uses. The second is a property test on the real binary: a real
//! fixture report, copied into a temporary workspace and edited so that every title, error
//! message, stdout entry and skip reason (and a log line) carries a secret at an offset around
//! a cap; stdout, stderr, the job summary, the outputs file, the annotations, `evidence-file`
//! and the dry-run status document must hold no piece of it. Was: text was cut before it was
//! redacted, so a secret crossing a cut showed its first part.

mod common;

use std::sync::OnceLock;

use itm_gate::redact::{self, Redactor};
use itm_gate::{evidence, markdown, text};
use proptest::prelude::*;
use serde_json::Value;

use common::{ActionRun, FAKE_TOKEN, report};

#[path = "common/github.rs"]
mod github_support;

/// Every length cap untrusted text meets on its way out: display caps (summary lines and
/// messages, annotations, notes, excerpts, check lines, spec paths, API messages) and the caps
/// of reading (messages in the report, excerpt windows).
const CAPS: &[usize] = &[80, 100, 120, 200, 300, 320, 500, 1000, 1500, 4000];

/// The smallest piece of a secret that must never be shown.
const PIECE: usize = 8;

const UUID: &str = "5b0c9e2a-7d41-4f6a-9c3e-1a2b3c4d5e6f";

/// One secret shape: the text placed in untrusted places, the secret part whose pieces must not
/// appear, and the environment variable that holds it (if any).
#[derive(Debug, Clone)]
struct Shape {
    placed: String,
    secret: String,
    variable: Option<&'static str>,
}

/// Each secret shape of DESIGN.md section 6, with the secret's own characters from `seed`.
fn shapes(seed: &str) -> Vec<Shape> {
    let s = |placed: String, secret: String, variable| Shape {
        placed,
        secret,
        variable,
    };
    let jwt = format!("eyJ{seed}Q.eyJ{seed}R.{seed}S");
    let host = format!("{}proj", seed.to_ascii_lowercase());
    vec![
        s(
            format!("https://{host}.supabase.co"),
            host,
            Some("NEXT_PUBLIC_SUPABASE_URL"),
        ),
        s(
            jwt.clone(),
            jwt.clone(),
            Some("NEXT_PUBLIC_SUPABASE_ANON_KEY"),
        ),
        s(
            format!("e2e:{seed}T:{UUID}"),
            format!("{seed}T"),
            Some("E2E_BYPASS_TOKEN"),
        ),
        s(
            format!("e2e:{seed}V:{UUID}"),
            format!("{seed}V"),
            Some("E2E_BYPASS_SHARED_SECRET"),
        ),
        // The bypass token's shape alone, with no variable set.
        s(format!("e2e:{seed}W:{UUID}"), format!("{seed}W"), None),
        s(
            format!("{seed}U"),
            format!("{seed}U"),
            Some("E2E_BYPASS_USER_ID"),
        ),
        s(FAKE_TOKEN.to_string(), FAKE_TOKEN.to_string(), None),
        s(jwt.replace('Q', "J"), jwt.replace('Q', "J"), None),
        s(format!("Bearer {seed}B"), format!("{seed}B"), None),
        s(format!("sk-{seed}K"), format!("sk-{seed}K"), None),
    ]
}

/// Fails when `shown` holds any `PIECE`-character piece of `secret`.
fn assert_no_piece(secret: &str, shown: &str, context: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for piece in chars.windows(PIECE) {
        let piece: String = piece.iter().collect();
        // The fake token shares digits with the commit under test, which is shown.
        if common::SHA.contains(&piece) {
            continue;
        }
        assert!(
            !shown.contains(&piece),
            "{context}: piece {piece:?} of a secret is shown in:\n{shown}"
        );
    }
}

/// `len` characters of ordinary words, ending with a space.
fn padding(len: usize) -> String {
    let mut pad: String = "lorem ipsum dolor "
        .chars()
        .cycle()
        .take(len.saturating_sub(1))
        .collect();
    pad.push(' ');
    pad.chars().take(len).collect()
}

// ---- every shortening function, every cap, every offset ----

const SEED: &str = "Zq7hVw3KpX9mRt2LdN6c";

fn install_seed_secrets() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let values = shapes(SEED)
            .into_iter()
            .filter(|s| s.variable.is_some() || s.placed == FAKE_TOKEN)
            .map(|s| s.placed);
        redact::install(Redactor::new(values));
    });
}

#[test]
fn no_shortening_function_shows_a_piece_of_a_secret_at_any_cap() {
    install_seed_secrets();
    for shape in shapes(SEED) {
        for &cap in CAPS {
            let len = shape.placed.chars().count();
            let first = cap.saturating_sub(len + 2);
            for offset in first..=cap + 2 {
                // Glued to a word or after a space, in turn.
                let glue = if offset % 2 == 0 { " " } else { "key=" };
                let text = format!("{}{glue}{} tail", padding(offset), shape.placed);
                let context = format!("cap {cap}, offset {offset}");
                assert_no_piece(&shape.secret, &redact::cut(&text, cap), &context);
                // The helpers built on it, at every fifth offset and at both ends.
                if offset % 5 != 0 && offset != first && offset != cap {
                    continue;
                }
                let shown = [
                    markdown::escape_inline(&text, cap),
                    markdown::code_block(&text, cap),
                    evidence::escape_field(&text, cap),
                    text::one_line(&text, text::Spaces::Collapse, cap),
                    text::one_line(&text, text::Spaces::Keep, cap),
                    // A text cut by the reader, then for display.
                    markdown::escape_inline(&redact::cut(&text, cap), cap / 2),
                ];
                for out in shown {
                    assert_no_piece(&shape.secret, &out, &context);
                }
            }
        }
    }
}

// ---- the binary, end to end ----

const STATUS_PATH: &str = "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const CONTENTS: &str =
    "/repos/n8kahl/ITM-gd/contents/docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
const REAL_STATUS: &str = include_str!("fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md");

/// A contents API serving the real status document, for the dry-run diff.
fn api() -> &'static wiremock::MockServer {
    static SERVER: OnceLock<(tokio::runtime::Runtime, wiremock::MockServer)> = OnceLock::new();
    let (_, server) = SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime.block_on(async {
            let server = wiremock::MockServer::start().await;
            github_support::github_api("GET", CONTENTS, FAKE_TOKEN)
                .respond_with(github_support::ok(github_support::contents_file(
                    STATUS_PATH,
                    REAL_STATUS,
                    "blob1",
                )))
                .mount(&server)
                .await;
            server
        });
        (runtime, server)
    });
    server
}

/// Puts `text` in every title, error message, stdout entry and skip reason of a real report.
fn carry(value: &mut Value, text: &str) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match (key.as_str(), &mut *item) {
                    ("title" | "message" | "description", Value::String(s)) => {
                        *s = format!("{s} {text}");
                    }
                    ("stdout" | "stderr", Value::Array(entries)) => {
                        entries.push(serde_json::json!({ "text": format!("{text}\n") }));
                    }
                    _ => carry(item, text),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| carry(item, text)),
        _ => {}
    }
}

fn gate_output(shape: &Shape, offset: usize) -> String {
    let source = std::fs::read(report("1.58.2", "kitchen-sink.json")).unwrap();
    let mut value: Value = serde_json::from_slice(&source).unwrap();
    let text = format!("{}{}", padding(offset), shape.placed);
    carry(&mut value, &text);
    let log = format!(
        "{text} EADDRINUSE\nEADDRINUSE {text}\n{} EADDRINUSE {}\n",
        padding(offset),
        shape.placed
    );
    let mut run = ActionRun::new()
        .write(
            "test-results/results.json",
            &serde_json::to_vec(&value).unwrap(),
        )
        .write("logs/backend.log", log.as_bytes())
        .input("logs", "logs/*.log")
        .input("evidence-file", "evidence.md")
        .input("commit", "always")
        .input("dry-run", "true")
        .env("GITHUB_API_URL", &api().uri());
    if let Some(variable) = shape.variable {
        run = run.env(variable, &shape.placed);
    }
    let ran = run.run(&[]);
    assert!(
        ran.stdout
            .contains("dry run: the evidence commit would change"),
        "{}\n{}",
        ran.stdout,
        ran.stderr
    );
    let evidence_file =
        std::fs::read_to_string(run.workspace.path().join("evidence.md")).unwrap_or_default();
    format!("{}\n{evidence_file}", ran.everything())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn the_gate_writes_no_piece_of_a_secret_around_any_cap(
        seed in "[A-Za-z0-9]{16,28}",
        which in 0usize..10,
        cap in proptest::sample::select(CAPS),
        back in 0usize..160,
    ) {
        let shape = shapes(&seed).swap_remove(which);
        let len = shape.placed.chars().count();
        // The secret starts up to its length before the cap, or just after it.
        let offset = cap.saturating_sub(back % (len + 4));
        let shown = gate_output(&shape, offset);
        assert_no_piece(&shape.secret, &shown, &format!("cap {cap}, offset {offset}"));
    }
}
