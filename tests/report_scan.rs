//! Log scanning of the report's own text (issue 10, point 6): error messages, stdout and stderr
//! are scanned whole, wherever the users' critical messages sit (start, middle, past 4,000
//! characters, across the reader's 1 MiB piece boundary), and never inside the code frames
//! Playwright prints under an error. Each report is the real `strict-failure.json` with one
//! message planted in the attempts' texts; the gate binary runs on it as the runner runs it.

mod common;

use common::{ActionRun, report};
use serde_json::Value;

/// The reader hands strings over in pieces of this many bytes (`TEXT_PIECE` in
/// src/report/json.rs); the "across 1 MiB" texts put a message across that cut.
const PIECE: usize = 1 << 20;

/// Every critical message of DESIGN.md section 2, as the backend or Playwright writes it, with
/// the rule that must find it.
const CRITICAL: &[(&str, &str)] = &[
    ("e2e-auth-bootstrap-failed", "E2E auth bootstrap failed"),
    (
        "e2e-user-provisioning-failed",
        "E2E user provisioning failed",
    ),
    ("e2e-user-verify-failed", "Failed to verify E2E user"),
    ("e2e-user-create-failed", "Failed to create E2E user"),
    (
        "e2e-bypass-token-invalid",
        "Invalid E2E bypass token format",
    ),
    (
        "env-validation-failed",
        "Environment validation failed: SUPABASE_SERVICE_ROLE_KEY is required",
    ),
    ("server-start-failed", "Failed to start server"),
    (
        "supabase-env-missing",
        "Missing Supabase environment variables",
    ),
    ("authentication-error", "Authentication error"),
    (
        "authentication-failed-response",
        r#"{"level":"error","message":"Authentication failed","statusCode":500}"#,
    ),
    (
        "bypass-preflight-failed",
        "Live auth bypass preflight failed: status 401",
    ),
    (
        "webserver-not-started",
        "Process from config.webServer was not able to start. Exit code: 1",
    ),
    (
        "webserver-timeout",
        "Timed out waiting 120000ms from config.webServer.",
    ),
    (
        "webserver-port-in-use",
        "http://127.0.0.1:3001 is already used, make sure that nothing is running on the port/url or set reuseExistingServer:true in config.webServer.",
    ),
    (
        "eaddrinuse",
        "Error: listen EADDRINUSE: address already in use 127.0.0.1:3001",
    ),
];

/// Where a message is planted in a text.
#[derive(Debug, Clone, Copy)]
enum Place {
    Start,
    Middle,
    Past4000,
    Across1MiB,
}

const PLACES: [Place; 4] = [
    Place::Start,
    Place::Middle,
    Place::Past4000,
    Place::Across1MiB,
];

/// The JSON string literal of a text holding `message` at `place`, followed by `tag` (which
/// then shows in the finding's excerpt).
fn planted(message: &str, tag: &str, place: Place) -> String {
    let message = &format!("{message} {tag}");
    let literal = |text: String| serde_json::to_string(&text).unwrap();
    match place {
        Place::Start => literal(format!(
            "{message}\n\nExpected: 200\nReceived: 503\n    at helpers/ai-coach-live.ts:27"
        )),
        Place::Middle => literal(format!(
            "Error: request to /api/watchlist failed\nbackend said: {message} (request 7f3a)\nretrying in 500 ms"
        )),
        Place::Past4000 => literal(format!(
            "Error: {} then {message} and more",
            "response body chunk ".repeat(250)
        )),
        Place::Across1MiB => {
            // One line of more than 1 MiB: plain filler up to just before the cut, then the
            // message written with `\u` escapes, so that the reader's piece ends exactly
            // inside the message (it checks the piece size after each escape).
            let head = message.len() / 2;
            let mut json = String::from("\"");
            json.push_str(&"x".repeat(PIECE - head));
            for c in message.chars() {
                json.push_str(&format!("\\u{:04x}", c as u32));
            }
            json.push_str(" and the line goes on\"");
            json
        }
    }
}

/// The failed attempts of a report, in report order: a name (file, titles, project, attempt)
/// and the JSON pointer of the result.
fn failed_attempts(report: &Value) -> Vec<(String, String)> {
    fn walk(suite: &Value, at: String, titles: &mut Vec<String>, out: &mut Vec<(String, String)>) {
        let nested = !titles.is_empty() || at.matches("/suites/").count() > 1;
        if nested {
            titles.push(suite["title"].as_str().unwrap_or("").to_string());
        }
        for (s, spec) in suite["specs"].as_array().into_iter().flatten().enumerate() {
            let file = spec["file"].as_str().unwrap_or("");
            let mut path = titles.clone();
            path.push(spec["title"].as_str().unwrap_or("").to_string());
            for (t, test) in spec["tests"].as_array().into_iter().flatten().enumerate() {
                let project = test["projectName"].as_str().unwrap_or("");
                for (r, result) in test["results"].as_array().into_iter().flatten().enumerate() {
                    if result["status"] == "failed" {
                        out.push((
                            format!(
                                "e2e/{file} › {} [{project}] (attempt {})",
                                path.join(" › "),
                                r + 1
                            ),
                            format!("{at}/specs/{s}/tests/{t}/results/{r}"),
                        ));
                    }
                }
            }
        }
        for (c, child) in suite["suites"].as_array().into_iter().flatten().enumerate() {
            walk(child, format!("{at}/suites/{c}"), titles, out);
        }
        if nested {
            titles.pop();
        }
    }
    let mut out = Vec::new();
    for (i, suite) in report["suites"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        walk(suite, format!("/suites/{i}"), &mut Vec::new(), &mut out);
    }
    out
}

/// Adds `text` to every numbered line of the code frame in a Playwright error message (the
/// lines `  38 |   ...` and `> 39 |   ...`), as if the test source held it.
fn into_code_frame(message: &str, text: &str) -> String {
    let frame = regex::Regex::new(r"^\s*(?:>\s*)?\d+ \|").unwrap();
    let mut planted = 0;
    let lines: Vec<String> = message
        .split('\n')
        .map(|line| {
            let plain = itm_gate::text::strip_ansi(line);
            if frame.is_match(&plain) {
                planted += 1;
                format!("{line} // {text}")
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(planted >= 3, "no code frame in {message:?}");
    lines.join("\n")
}

struct Planted {
    /// The report JSON.
    json: String,
    /// Tags of the places where the message must be found.
    found: Vec<String>,
    /// The tag of the code frame, where it must not be found.
    not_found: String,
}

/// strict-failure.json with `message` planted in failed attempts: in error messages, stdout and
/// stderr at each [`Place`], and into the real code frame of one error message.
fn plant(message: &str) -> Planted {
    let path = report("1.58.2", "strict-failure.json");
    let mut value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let slots = failed_attempts(&value);
    assert!(slots.len() >= 13, "{slots:?}");
    let mut literals = Vec::new();
    let mut found = Vec::new();
    let mut slot = slots.iter();
    for kind in ["errors", "stdout", "stderr"] {
        for place in PLACES {
            let (_, pointer) = slot.next().unwrap();
            let placeholder = format!("@@plant-{}@@", literals.len());
            let tag = format!("#{kind}-{place:?}");
            let result = value.pointer_mut(pointer).unwrap();
            result[kind] = if kind == "errors" {
                serde_json::json!([{ "message": placeholder }])
            } else {
                serde_json::json!([{ "text": placeholder }])
            };
            literals.push((placeholder, planted(message, &tag, place)));
            found.push(tag);
        }
    }
    let (_, pointer) = slot.next().unwrap();
    let result = value.pointer_mut(pointer).unwrap();
    let original = result["errors"][0]["message"].as_str().unwrap().to_string();
    let not_found = "#code-frame".to_string();
    result["errors"][0]["message"] = Value::String(into_code_frame(
        &original,
        &format!("{message} {not_found}"),
    ));
    let mut json = serde_json::to_string_pretty(&value).unwrap();
    for (placeholder, literal) in literals {
        json = json.replacen(&format!("\"{placeholder}\""), &literal, 1);
    }
    Planted {
        json,
        found,
        not_found,
    }
}

/// Issue 10: messages were cut at 4,000 characters before they were scanned, long lines were
/// cut where the reader's pieces ended, and code frames were scanned as if they were logs.
#[test]
fn every_critical_message_is_found_wherever_it_sits_and_never_in_a_code_frame() {
    for (rule, message) in CRITICAL {
        let planted = plant(message);
        let ran = ActionRun::new()
            .write("test-results/results.json", planted.json.as_bytes())
            .run(&[]);
        assert_eq!(ran.output("result"), "FAIL", "{rule}");
        let findings: Vec<Value> = serde_json::from_str(ran.output("findings")).unwrap();
        let excerpts: Vec<&str> = findings
            .iter()
            .filter(|f| f["rule"] == *rule)
            .map(|f| f["excerpt"].as_str().unwrap())
            .collect();
        for tag in &planted.found {
            assert!(
                excerpts.iter().any(|e| e.contains(tag.as_str())),
                "{rule}: not found at {tag}; found: {excerpts:#?}"
            );
        }
        assert!(
            !findings
                .iter()
                .any(|f| f["excerpt"].as_str().unwrap().contains(&planted.not_found)),
            "{rule}: a code frame gave a finding: {findings:#?}"
        );
        assert_eq!(excerpts.len(), planted.found.len(), "{rule}: {excerpts:#?}");
        for finding in findings.iter().filter(|f| f["rule"] == *rule) {
            assert_eq!(finding["severity"], "critical", "{finding}");
        }
    }
}

/// The real code frames of strict-failure.json hold test source such as
/// `test.skip(true, reason)`; with a critical message written into them, the report raises no
/// finding for it (issue 10: a failing test near `test.skip(true, \`Live auth bypass preflight
/// failed: ...\`)` raised `bypass-preflight-failed` from source code).
#[test]
fn code_frames_of_a_real_report_raise_no_finding() {
    let path = report("1.58.2", "strict-failure.json");
    let mut value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let slots = failed_attempts(&value);
    for (_, pointer) in &slots {
        let result = value.pointer_mut(pointer).unwrap();
        let original = result["errors"][0]["message"].as_str().unwrap().to_string();
        result["errors"][0]["message"] = Value::String(into_code_frame(
            &original,
            "test.skip(true, `Live auth bypass preflight failed: ${message}`)",
        ));
    }
    let ran = ActionRun::new()
        .write(
            "test-results/results.json",
            serde_json::to_string_pretty(&value).unwrap().as_bytes(),
        )
        .run(&[]);
    let findings = ran.output("findings");
    assert!(!findings.contains("bypass-preflight-failed"), "{findings}");
}
