//! Step outputs stay within GitHub's 1 MB limit, counted as UTF-16, and stay valid JSON however
//! many spec files a run has (issue 11, point 5; DESIGN.md section 7): 100,000 spec files, all
//! passing and all failing, made from real reports the way `benches/report/many-files.js` makes
//! them (every test of the fixture in a spec file of its own, replicated).
//!
//! At main's HEAD the outputs of these runs were 18 MB and 38 MB.

mod common;

use std::path::Path;

use common::{ActionRun, Ran, report};
use itm_gate::outputs::{OUTPUTS_BUDGET, utf16_len};
use serde_json::Value;

const SPEC_FILES: usize = 100_000;
const API: &str = "e2e/specs/ai-coach/ai-coach-api.spec.ts";
const WORKFLOW: &str = "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts";

/// Every test of `suite` that `keep` selects, as a top-level suite holding only the describe
/// blocks on the way to it, its spec and that one test.
fn one_test_suites(suite: &Value, chain: &[&Value], keep: &dyn Fn(&Value) -> bool) -> Vec<Value> {
    let mut out = Vec::new();
    for spec in suite["specs"].as_array().into_iter().flatten() {
        for test in spec["tests"].as_array().into_iter().flatten() {
            if !keep(test) {
                continue;
            }
            let mut single_spec = spec.clone();
            single_spec["tests"] = Value::Array(vec![test.clone()]);
            let mut inner = suite.clone();
            inner["specs"] = Value::Array(vec![single_spec]);
            inner["suites"] = Value::Array(vec![]);
            for outer in chain.iter().rev() {
                let mut wrapped = (*outer).clone();
                wrapped["specs"] = Value::Array(vec![]);
                wrapped["suites"] = Value::Array(vec![inner]);
                inner = wrapped;
            }
            out.push(inner);
        }
    }
    for child in suite["suites"].as_array().into_iter().flatten() {
        let mut deeper = chain.to_vec();
        deeper.push(suite);
        out.extend(one_test_suites(child, &deeper, keep));
    }
    out
}

/// Replaces the value of every `file` (and of a `title` equal to it) with `to`, recursively.
fn rename(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| rename(v, from, to)),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if (key == "file" || key == "title") && v.as_str() == Some(from) {
                    *v = Value::String(to.to_string());
                } else {
                    rename(v, from, to);
                }
            }
        }
        _ => {}
    }
}

/// A report of `files` spec files of one test each, from the fixture's tests that `keep`
/// selects: file k holds test k modulo their number, renamed `<name>-f<k>.spec.ts`, except the
/// first taken from each of the fixture's files, which keeps its name.
fn many_files(source: &Path, files: usize, keep: &dyn Fn(&Value) -> bool) -> Vec<u8> {
    let text = std::fs::read_to_string(source).expect("fixture");
    let mut report: Value = serde_json::from_str(&text).expect("fixture is JSON");
    let templates: Vec<Value> = report["suites"]
        .as_array()
        .expect("suites")
        .iter()
        .flat_map(|suite| one_test_suites(suite, &[], keep))
        .collect();
    assert!(!templates.is_empty(), "no test selected");
    // Each template once as compact JSON with placeholders, so 100,000 copies are quick.
    let texts: Vec<(String, String)> = templates
        .iter()
        .map(|suite| {
            let file = suite["file"].as_str().unwrap().to_string();
            let mut copy = suite.clone();
            rename(&mut copy, &file, "@FILE@");
            (file, serde_json::to_string(&copy).unwrap())
        })
        .collect();
    // `stats` counts the tests of the output.
    let status_of = |suite: &Value| -> String {
        let mut inner = suite;
        while inner["specs"].as_array().is_none_or(Vec::is_empty) {
            inner = &inner["suites"][0];
        }
        inner["specs"][0]["tests"][0]["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let statuses: Vec<String> = templates.iter().map(status_of).collect();
    let mut stats = report["stats"].clone();
    for key in ["expected", "unexpected", "flaky", "skipped"] {
        let count = (0..files)
            .filter(|k| statuses[k % statuses.len()] == key)
            .count();
        stats[key] = Value::from(count);
    }
    report["stats"] = stats;
    report["suites"] = Value::Array(vec![]);

    let mut keeps_name = vec![false; texts.len()];
    for (i, (file, _)) in texts.iter().enumerate() {
        keeps_name[i] = !texts[..i].iter().any(|(earlier, _)| earlier == file);
    }
    let head = serde_json::to_string(&report).unwrap();
    let (before, after) = head
        .split_once("\"suites\":[]")
        .expect("suites placeholder");
    let mut out = Vec::with_capacity(files * 1024);
    out.extend_from_slice(before.as_bytes());
    out.extend_from_slice(b"\"suites\":[");
    for k in 0..files {
        let template = k % texts.len();
        let (file, suite) = &texts[template];
        let name = if k == template && keeps_name[template] {
            file.clone()
        } else {
            match file.rsplit_once(".spec.") {
                Some((stem, ext)) => format!("{stem}-f{k}.spec.{ext}"),
                None => format!("{file}-f{k}"),
            }
        };
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(suite.replace("@FILE@", &name).as_bytes());
    }
    out.extend_from_slice(b"]");
    out.extend_from_slice(after.as_bytes());
    out
}

fn run(report_json: &[u8]) -> Ran {
    ActionRun::new()
        .write("test-results/results.json", report_json)
        .run(&[])
}

/// What every run with 100,000 spec files must show: outputs within the budget, `specs` a JSON
/// array that starts with the required specs, and the count of what it left out in
/// `specs-omitted` and in the summary.
fn check_bounded(ran: &Ran) -> Vec<Value> {
    let units = utf16_len(&ran.output_file);
    assert!(
        units <= OUTPUTS_BUDGET,
        "the output file holds {units} UTF-16 units, over the {OUTPUTS_BUDGET} budget"
    );
    let specs: Vec<Value> = serde_json::from_str(ran.output("specs")).expect("`specs` is JSON");
    assert_eq!(specs[0]["file"], API, "required specs come first");
    assert_eq!(specs[1]["file"], WORKFLOW, "required specs come first");
    assert_eq!(specs[0]["required"], true);
    let omitted: usize = ran.output("specs-omitted").parse().expect("a number");
    assert!(omitted > 0, "100,000 spec files cannot all fit");
    assert_eq!(specs.len() + omitted, SPEC_FILES);
    assert!(
        ran.summary
            .contains(&format!("lists {} of {SPEC_FILES} spec files", specs.len())),
        "the summary says what `specs` left out:\n{}",
        &ran.summary[..ran.summary.len().min(3000)]
    );
    let findings: Vec<Value> =
        serde_json::from_str(ran.output("findings")).expect("`findings` is JSON");
    let findings_omitted: u64 = ran.output("findings-omitted").parse().expect("a number");
    assert!(findings.len() as u64 + findings_omitted < u64::MAX);
    assert!(
        ran.summary.len() <= itm_gate::runner::SUMMARY_LIMIT,
        "summary of {} bytes",
        ran.summary.len()
    );
    specs
}

#[test]
fn a_hundred_thousand_passing_spec_files_keep_the_outputs_within_the_limit() {
    let json = many_files(&report("1.58.2", "green.json"), SPEC_FILES, &|test| {
        test["status"] == "expected"
    });
    let ran = run(&json);
    assert_eq!(ran.output("result"), "PASS", "{}", ran.stderr);
    let specs = check_bounded(&ran);
    assert!(specs.iter().all(|s| s["verdict"] == "PASS"));
    assert_eq!(ran.output("passed"), SPEC_FILES.to_string());
}

#[test]
fn a_hundred_thousand_failing_spec_files_keep_the_outputs_within_the_limit() {
    // max-failures.json: after the first failure, seven tests did not run; each spec file holds
    // one of them, so every file is FAIL with a reason. (The failed test itself, with its three
    // attempts and long messages, would make the report ten times larger for the same number
    // of spec files; the report benchmark includes it.)
    let json = many_files(
        &report("1.58.2", "max-failures.json"),
        SPEC_FILES,
        &|test| test["status"] == "skipped" && test["expectedStatus"] != "skipped",
    );
    let ran = run(&json);
    assert_eq!(ran.output("result"), "FAIL");
    let specs = check_bounded(&ran);
    assert!(specs.iter().all(|s| s["verdict"] == "FAIL"));
    let reasons = ran.output("reasons");
    assert!(
        reasons.contains("more spec files are FAIL"),
        "the reasons count the failing spec files they do not itemize:\n{reasons}"
    );
    assert!(utf16_len(reasons) < 200_000);
}

/// `specs` lists required spec files first, then failing ones, then the rest, so that a cut
/// leaves out the least telling; when everything fits nothing is omitted.
#[test]
fn specs_list_required_then_failing_then_the_rest() {
    let ran = run(&std::fs::read(report("1.58.2", "kitchen-sink.json")).unwrap());
    let specs = ran.specs();
    let order: Vec<(&str, &str)> = specs
        .iter()
        .map(|s| (s["file"].as_str().unwrap(), s["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            (API, "PASS"),
            (WORKFLOW, "PASS"),
            ("e2e/specs/kitchen-sink/outcomes.spec.ts", "FAIL"),
            ("e2e/specs/kitchen-sink/serial.spec.ts", "FAIL"),
            ("e2e/specs/kitchen-sink/nested.spec.ts", "PASS"),
            (
                "e2e/specs/kitchen-sink/retries-and-projects.spec.ts",
                "PASS"
            ),
        ]
    );
    assert_eq!(ran.output("specs-omitted"), "0");
    assert_eq!(ran.output("findings-omitted"), "0");
    assert!(!ran.summary.contains("step outputs kept within"));
}

/// A broken helper imported by every spec file: Playwright 1.58 runs nothing and reports one
/// top-level error per file. 10,000 of them (load-error.json's error, replicated with each
/// file's name) keep the outputs within the budget; the gate names the first ones and counts
/// the rest.
#[test]
fn ten_thousand_load_errors_keep_the_outputs_within_the_limit() {
    let text = std::fs::read_to_string(report("1.58.2", "load-error.json")).unwrap();
    let mut json: Value = serde_json::from_str(&text).unwrap();
    let error = serde_json::to_string(&json["errors"][0]).unwrap();
    json["errors"] = Value::Array(vec![]);
    let head = serde_json::to_string(&json).unwrap();
    let (before, after) = head.split_once("\"errors\":[]").unwrap();
    let errors: Vec<String> = (0..10_000)
        .map(|k| error.replace("load-error.spec.ts", &format!("load-error-f{k}.spec.ts")))
        .collect();
    let report_json = format!("{before}\"errors\":[{}]{after}", errors.join(","));
    let ran = run(report_json.as_bytes());
    assert_eq!(ran.output("result"), "FAIL");
    let units = utf16_len(&ran.output_file);
    assert!(units <= OUTPUTS_BUDGET, "{units} UTF-16 units");
    let reasons = ran.output("reasons");
    assert!(
        reasons.contains("more top-level errors"),
        "the reasons count the top-level errors they do not itemize:\n{reasons}"
    );
    let specs: Vec<Value> = serde_json::from_str(ran.output("specs")).expect("`specs` is JSON");
    let omitted: usize = ran.output("specs-omitted").parse().unwrap();
    // The two required specs (absent) and one spec file per load error.
    assert_eq!(specs.len() + omitted, 2 + 10_000);
    assert!(specs.iter().all(|s| s["verdict"] == "FAIL"));
}
