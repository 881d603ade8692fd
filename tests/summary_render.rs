//! The job summary as a person sees it: every fixture scenario of
//! tests/fixtures/reports/cases.tsv is run through the real binary and its summary rendered
//! with a CommonMark + GFM renderer (comrak: tables, autolinks, raw HTML for `<details>` as
//! GitHub allows it), and the rendered page is checked:
//! - no Markdown escape shows (`\-`, `\_`, `\.` …) and no code span shows a backslash
//!   (issue 13: every spec path used to show as `e2e/specs/ai\-coach/…`);
//! - every table row has the header's number of cells in the Markdown source;
//! - every link to the repository points at a file of the commit under test and a line it has;
//! - no HTML but the summary's own elements;
//! - the summary stays under 1 MiB.
//!
//! It also pins the users' bootstrap failure (reasons at most 10 lines, `500` among them and
//! on the first screen), the `report-url` links, insta snapshots of the main scenarios, and
//! the committed examples docs/summary-example.md and docs/summary-example-green.md
//! (regenerate with `UPDATE_EXAMPLES=1 cargo test --test summary_render`). With
//! `SUMMARY_HTML_DIR=<dir>` the examples are also written there as standalone HTML pages with
//! a GitHub-like style, which docs/screenshots.sh photographs.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use common::{ActionRun, Ran, SHA, repo_root};
use regex::Regex;

/// What the example workflow passes as `report-url` (an `actions/upload-artifact` URL).
const REPORT_URL: &str =
    "https://github.com/n8kahl/ITM-gd/actions/runs/13101234567/artifacts/2718281828";
const BLOB: &str = "https://github.com/n8kahl/ITM-gd/blob/";

/// One line of cases.tsv.
struct Case {
    name: String,
    results: Vec<String>,
    flags: Vec<String>,
}

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/reports")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixtures().join("cases.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            Case {
                name: cols[0].to_string(),
                results: cols[1].split(',').map(str::to_string).collect(),
                flags: if cols[2] == "-" {
                    vec![]
                } else {
                    cols[2].split(' ').map(str::to_string).collect()
                },
            }
        })
        .collect()
}

/// Runs the gate on a case the way the runner would, with `report-url` set.
fn run_case(case: &Case) -> Ran {
    let mut run = ActionRun::new().input("report-url", REPORT_URL);
    let mut results = Vec::new();
    for (i, file) in case.results.iter().enumerate() {
        let dest = format!("reports/{i}-{}", file.replace('/', "-"));
        run = run.file(&fixtures().join(file), &dest);
        results.push(dest);
    }
    run = run.input("results", &results.join("\n"));
    let mut flags = case.flags.iter();
    while let (Some(flag), Some(value)) = (flags.next(), flags.next()) {
        let name = flag.trim_start_matches("--");
        let value = match value.strip_prefix('@') {
            Some(file) => {
                let dest = format!("inputs/{}", file.replace('/', "-"));
                run = run.file(&fixtures().join(file), &dest);
                dest
            }
            None => value.clone(),
        };
        run = run.input(name, &value);
    }
    run.run(&[])
}

fn run_named(name: &str) -> Ran {
    let case = cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name} in cases.tsv"));
    run_case(&case)
}

/// GitHub's renderer, as far as the summary needs: CommonMark, GFM tables and autolinks, and
/// raw HTML (GitHub keeps `<details>` and `<summary>`).
fn render_html(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    options.render.r#unsafe = true;
    comrak::markdown_to_html(markdown, &options)
}

static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<(/?)([a-zA-Z0-9]+)[^>]*>").unwrap());
static HREF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<a href="([^"]*)"[^>]*>(.*?)</a>"#).unwrap());
static PRE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<pre>.*?</pre>").unwrap());
static ESCAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r##"\\[!"#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~]"##).unwrap());

/// The text a person sees: tags removed, entities decoded.
fn visible_text(html: &str) -> String {
    TAG.replace_all(html, "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The elements the summary itself makes.
const ALLOWED_TAGS: &[&str] = &[
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "li",
    "a",
    "code",
    "pre",
    "strong",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "details",
    "summary",
];

/// Cells of a GFM table row in the Markdown source: split at pipes that are not escaped.
fn source_cells(row: &str) -> usize {
    let row = row.trim();
    let inner = row.strip_prefix('|').unwrap_or(row);
    let mut cells = 1;
    let mut escaped = false;
    let chars: Vec<char> = inner.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        match c {
            '\\' if !escaped => {
                escaped = true;
                continue;
            }
            '|' if !escaped && i + 1 < chars.len() => cells += 1,
            _ => {}
        }
        escaped = false;
    }
    cells
}

/// Every problem of one rendered summary.
fn problems(case: &str, summary: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if summary.len() >= 1024 * 1024 {
        problems.push(format!("{case}: summary is {} bytes", summary.len()));
    }
    let html = render_html(summary);
    // Code blocks show text verbatim by design (error messages, the evidence block's own
    // Markdown): escapes are checked everywhere else, code spans included.
    let text = visible_text(&PRE.replace_all(&html, ""));
    for m in ESCAPE.find_iter(&text) {
        let around = &text[m.start().saturating_sub(60)..(m.end() + 20).min(text.len())];
        problems.push(format!("{case}: a Markdown escape shows: {around:?}"));
    }
    for tag in TAG.captures_iter(&html) {
        let name = tag[2].to_ascii_lowercase();
        if !ALLOWED_TAGS.contains(&name.as_str()) {
            problems.push(format!("{case}: unexpected HTML element <{name}>"));
        }
    }
    // Tables: every row as wide as the header.
    let lines: Vec<&str> = summary.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('|') && lines.get(i + 1).is_some_and(|l| l.starts_with("| ---")) {
            let width = source_cells(lines[i]);
            let mut j = i + 2;
            while j < lines.len() && lines[j].starts_with('|') {
                if source_cells(lines[j]) != width {
                    problems.push(format!(
                        "{case}: table row has {} cells, header {width}: {}",
                        source_cells(lines[j]),
                        lines[j]
                    ));
                }
                j += 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    // Links: the report, or a file and line of the commit under test.
    for link in HREF.captures_iter(&html) {
        let href = &link[1];
        if href == REPORT_URL.replace('&', "&amp;") {
            continue;
        }
        // GFM autolinks a URL written in the text (a skip reason's backend URL): its text is
        // the URL itself, so nothing is hidden behind it.
        if &link[2] == href && (href.starts_with("http://") || href.starts_with("https://")) {
            continue;
        }
        let Some(rest) = href.strip_prefix(&format!("{BLOB}{SHA}/")) else {
            problems.push(format!("{case}: link to something else: {href}"));
            continue;
        };
        let (path, line) = match rest.split_once("#L") {
            Some((path, line)) => (path, line.parse::<usize>().ok()),
            None => (rest, None),
        };
        let path = percent_decode(path);
        let file = repo_root().join("tests/playwright/project").join(&path);
        match std::fs::read_to_string(&file) {
            Err(_) => problems.push(format!("{case}: link to a file the commit lacks: {href}")),
            Ok(content) => {
                if let Some(line) = line {
                    match content.lines().nth(line.wrapping_sub(1)) {
                        None => {
                            problems.push(format!("{case}: link past the end of {path}: {href}"))
                        }
                        Some(text) if text.trim().is_empty() => {
                            problems.push(format!("{case}: link to a blank line of {path}: {href}"))
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
    problems
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Issue 13, point 3: the summary of every fixture scenario renders clean.
#[test]
fn every_fixture_summary_renders_without_escapes_broken_tables_or_bad_links() {
    let mut all = Vec::new();
    let mut largest = 0;
    for case in cases() {
        let ran = run_case(&case);
        assert!(
            !ran.summary.is_empty(),
            "{}: no summary\n{}",
            case.name,
            ran.stderr
        );
        largest = largest.max(ran.summary.len());
        all.extend(problems(&case.name, &ran.summary));
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
    assert!(largest < 1024 * 1024, "largest summary {largest} bytes");
}

/// The check itself catches what used to show: escapes inside code spans, split cells.
#[test]
fn the_render_check_catches_escapes_split_cells_and_stray_links() {
    let bad = "- `e2e/specs/ai\\-coach/a.spec.ts`\n\n| a | b |\n| --- | --- |\n| `x|y` | z |\n\n[x](https://example.com)\n";
    let found = problems("bad", bad);
    assert!(
        found.iter().any(|p| p.contains("escape shows")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.contains("3 cells, header 2")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.contains("something else")),
        "{found:?}"
    );
    // A pipe escaped inside a code span in a cell is one cell and shows as a plain pipe.
    let good = "| a | b |\n| --- | --- |\n| `x\\|y` | z |\n";
    assert!(
        problems("good", good).is_empty(),
        "{:?}",
        problems("good", good)
    );
    assert!(visible_text(&render_html(good)).contains("x|y"));
}

/// Issue 13, point 2: the users' bootstrap failure says each cause once, in at most 10 lines,
/// with the backend's 500, and the summary shows it on the first screen.
#[test]
fn bootstrap_failure_reasons_are_short_and_say_500_first() {
    let ran = run_named("1.58.2/bootstrap-failure");
    assert_eq!(ran.output("result"), "FAIL");
    let reasons: Vec<&str> = ran.output("reasons").lines().collect();
    assert!(reasons.len() <= 10, "{reasons:#?}");
    assert!(reasons.iter().any(|r| r.contains("500")), "{reasons:#?}");
    assert_eq!(
        reasons[1],
        "6 tests in 2 required specs failed at `e2e/support/backend.ts:36`: Expected 200, Received 500"
    );
    // Each cause once: no reason repeats a test's generic matcher line.
    assert!(
        !reasons
            .iter()
            .any(|r| r.contains("expect(received).toBe(expected)")),
        "{reasons:#?}"
    );
    // First screen: before the spec table, in the first 1,500 characters people read.
    let text = visible_text(&render_html(&ran.summary));
    let at = text
        .find("Received 500")
        .expect("the 500 is in the summary");
    assert!(at < text.find("Spec files").unwrap(), "{text}");
    assert!(at < 1500, "{at}: {text}");
    // One annotation for the six tests, at the line they failed.
    let errors = ran.annotations("error");
    let at_place: Vec<&String> = errors.iter().filter(|a| a.contains(",file=")).collect();
    assert_eq!(at_place.len(), 1, "{errors:#?}");
    assert!(
        at_place[0].contains("file=e2e/support/backend.ts,line=36::"),
        "{errors:#?}"
    );
}

/// Issue 13, point 5: `report-url` is linked at the top and beside each failure group.
#[test]
fn report_url_is_linked_at_the_top_and_beside_each_failure_group() {
    let ran = run_named("1.58.2/kitchen-sink");
    let link = format!("[Playwright report and traces](<{REPORT_URL}>)");
    let first_lines: String = ran.summary.lines().take(3).collect::<Vec<_>>().join("\n");
    assert!(first_lines.contains(&link), "{first_lines}");
    let groups = ran.summary.matches("\n#### ❌ ").count();
    assert!(groups >= 2, "{}", ran.summary);
    assert_eq!(ran.summary.matches(&link).count(), groups + 1);
}

#[test]
fn a_report_url_that_is_not_a_web_link_is_a_usage_error() {
    let ran = ActionRun::new()
        .report(&fixtures().join("playwright-1.58.2/green.json"))
        .input("report-url", "javascript:alert(1)")
        .run(&[]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("input `report-url`"), "{}", ran.stderr);
}

/// The snapshot name of a case: `summary_` and the case without the default `1.58.2/`
/// (`1.20.2/green` is `summary_1_20_2_green`, `1.58.2/green+log` is `summary_green_log`).
fn snapshot_name(case: &str) -> String {
    let short = case.strip_prefix("1.58.2/").unwrap_or(case);
    let name: String = short
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("summary_{name}")
}

/// The summary of every scenario in cases.tsv, reviewed as snapshots. A Playwright 1.20
/// report has no `stats.startTime`, so its evidence date is the time of the run: shown as
/// `<now>`.
#[test]
fn summaries_of_every_scenario() {
    let date = regex::Regex::new(r"(?m)^- Date: \d{4}-\d\d-\d\d \d\d:\d\d ET$").unwrap();
    for case in cases() {
        let ran = run_case(&case);
        let summary = if case.name.starts_with("1.20.2/") {
            date.replace_all(&ran.summary, "- Date: <now>").into_owned()
        } else {
            ran.summary
        };
        insta::assert_snapshot!(snapshot_name(&case.name), summary);
    }
}

// ----- the committed examples and their pictures ---------------------------------------------

/// The examples shown in README: (case, committed Markdown, page name for the screenshot).
const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "1.58.2/bootstrap-failure",
        "docs/summary-example.md",
        "summary-failure",
    ),
    (
        "1.58.2/green",
        "docs/summary-example-green.md",
        "summary-green",
    ),
];

fn example_markdown(case: &str) -> String {
    let ran = run_named(case);
    let fixture = cases()
        .into_iter()
        .find(|c| c.name == case)
        .map(|c| c.results.join(", "))
        .unwrap_or_default();
    format!(
        "<!-- The job summary itm-gate writes for tests/fixtures/reports/{fixture}, generated by\n     tests/summary_render.rs; regenerate with `UPDATE_EXAMPLES=1 cargo test --test summary_render`. -->\n\n{}",
        ran.summary
    )
}

/// Issue 13, point 6: the committed examples are what the gate writes today.
#[test]
fn committed_summary_examples_are_fresh() {
    let update = std::env::var_os("UPDATE_EXAMPLES").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (case, doc, page) in EXAMPLES {
        let markdown = example_markdown(case);
        let path = repo_root().join(doc);
        if update {
            std::fs::write(&path, &markdown).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(markdown.as_str()) {
            stale.push(*doc);
        }
        if let Some(dir) = std::env::var_os("SUMMARY_HTML_DIR") {
            write_page(Path::new(&dir), page, &markdown);
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} are stale: run `UPDATE_EXAMPLES=1 cargo test --test summary_render` and commit them"
    );
}

/// A standalone page that looks like GitHub's job summary, for the screenshots.
fn write_page(dir: &Path, name: &str, markdown: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let body = render_html(markdown);
    let page = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{name}</title><style>{GITHUB_STYLE}</style></head>\n<body><div class=\"box\"><div class=\"head\">live-e2e summary</div><div class=\"markdown-body\">\n{body}</div></div></body></html>\n"
    );
    std::fs::write(dir.join(format!("{name}.html")), page).unwrap();
}

/// Enough of GitHub's `markdown-body` style for a faithful picture.
const GITHUB_STYLE: &str = r#"
body { margin: 0; padding: 24px; background: #f6f8fa; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.box { background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; max-width: 1012px; margin: 0 auto; }
.head { padding: 12px 16px; border-bottom: 1px solid #d1d9e0; font-weight: 600; font-size: 14px; }
.markdown-body { padding: 16px 24px; font-size: 14px; line-height: 1.5; word-wrap: break-word; }
.markdown-body h2 { font-size: 1.5em; font-weight: 600; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0; margin: 8px 0 16px; }
.markdown-body h3 { font-size: 1.25em; font-weight: 600; margin: 24px 0 16px; }
.markdown-body h4 { font-size: 1em; font-weight: 600; margin: 24px 0 16px; }
.markdown-body p, .markdown-body ul, .markdown-body table, .markdown-body pre, .markdown-body details, .markdown-body blockquote { margin: 0 0 16px; }
.markdown-body ul { padding-left: 2em; }
.markdown-body a { color: #0969da; text-decoration: none; }
.markdown-body code { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 85%; padding: .2em .4em; background: rgba(129,139,152,.12); border-radius: 6px; }
.markdown-body pre { background: #f6f8fa; border-radius: 6px; padding: 16px; overflow: auto; font-size: 85%; line-height: 1.45; }
.markdown-body pre code { background: transparent; padding: 0; font-size: 100%; }
.markdown-body table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
.markdown-body th, .markdown-body td { border: 1px solid #d1d9e0; padding: 6px 13px; }
.markdown-body th { font-weight: 600; }
.markdown-body tr:nth-child(2n) { background: #f6f8fa; }
.markdown-body blockquote { color: #59636e; border-left: .25em solid #d1d9e0; padding: 0 1em; }
.markdown-body summary { cursor: pointer; }
"#;

/// The examples are listed in README near the top, with their pictures.
#[test]
fn readme_shows_both_examples_near_the_top() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let top: String = readme.lines().take(60).collect::<Vec<_>>().join("\n");
    for (_, doc, page) in EXAMPLES {
        assert!(
            top.contains(&format!("docs/{page}.png")),
            "README shows {page}.png"
        );
        assert!(top.contains(doc), "README links {doc}");
        assert!(
            repo_root().join(format!("docs/{page}.png")).is_file(),
            "{page}.png is committed"
        );
    }
}

/// Every summary snapshot belongs to a case of cases.tsv (a renamed or removed fixture must
/// not leave a stale snapshot behind).
#[test]
fn snapshot_cases_exist() {
    let names: BTreeSet<String> = cases().iter().map(|c| snapshot_name(&c.name)).collect();
    let dir = repo_root().join("tests/snapshots");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(name) = file
            .strip_prefix("summary_render__")
            .and_then(|f| f.strip_suffix(".snap"))
        {
            assert!(names.contains(name), "{file} has no case in cases.tsv");
        }
    }
}
