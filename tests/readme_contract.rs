//! README.md documents exactly the inputs and outputs that action.yml declares, with the same
//! defaults, the exit codes of src/exit.rs, and the Rust version Cargo.toml declares, so the
//! documentation cannot drift from the action.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use itm_gate::exit::Exit;
use serde::Deserialize;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[derive(Deserialize)]
struct Action {
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, serde_yaml::Value>,
}

#[derive(Deserialize)]
struct Input {
    default: Option<String>,
}

fn action() -> Action {
    let text = std::fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// The rows of every Markdown table in `doc` whose first header cell is `first_header`, as
/// lists of trimmed cells.
fn table_rows(doc: &str, first_header: &str) -> Vec<Vec<String>> {
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_start_matches('|')
            .trim_end_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let mut rows = Vec::new();
    let mut lines = doc.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with('|') || cells(line)[0] != first_header {
            continue;
        }
        // Skip the delimiter row, then take rows until the table ends.
        lines.next();
        while let Some(row) = lines.next_if(|l| l.trim_start().starts_with('|')) {
            rows.push(cells(row));
        }
    }
    rows
}

/// The names in the first column (`` `name` ``) of the tables headed `first_header`.
fn names(rows: &[Vec<String>]) -> BTreeSet<String> {
    rows.iter()
        .filter_map(|row| {
            let cell = row.first()?;
            Some(cell.strip_prefix('`')?.strip_suffix('`')?.to_string())
        })
        .collect()
}

/// Checks one document; returns every problem found, so one run lists them all.
fn problems(doc_path: &str) -> Vec<String> {
    match std::fs::read_to_string(Path::new(ROOT).join(doc_path)) {
        Ok(doc) => problems_in(doc_path, &doc),
        Err(err) => vec![format!("{doc_path}: cannot read: {err}")],
    }
}

/// Checks the text `doc` of `doc_path`.
fn problems_in(doc_path: &str, doc: &str) -> Vec<String> {
    let action = action();
    let mut problems = Vec::new();

    let input_rows = table_rows(doc, "input");
    let documented = names(&input_rows);
    for name in action.inputs.keys() {
        if !documented.contains(name) {
            problems.push(format!(
                "{doc_path}: input `{name}` has no row `| `{name}` |` in an `| input |` table"
            ));
        }
    }
    for name in &documented {
        if !action.inputs.contains_key(name) {
            problems.push(format!(
                "{doc_path}: documents input `{name}`, which action.yml does not declare"
            ));
        }
    }
    // Defaults: every line of a non-empty default appears, in backticks, in the row.
    for row in &input_rows {
        let Some(name) = names(std::slice::from_ref(row)).into_iter().next() else {
            continue;
        };
        let Some(input) = action.inputs.get(&name) else {
            continue;
        };
        let default_cell = row.get(1).cloned().unwrap_or_default();
        for line in input
            .default
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim)
        {
            if !line.is_empty() && !default_cell.contains(&format!("`{line}`")) {
                problems.push(format!(
                    "{doc_path}: input `{name}`: default `{line}` (action.yml) missing from {default_cell:?}"
                ));
            }
        }
    }

    let documented = names(&table_rows(doc, "output"));
    for name in action.outputs.keys() {
        if !documented.contains(name) {
            problems.push(format!(
                "{doc_path}: output `{name}` has no row `| `{name}` |` in an `| output |` table"
            ));
        }
    }
    for name in &documented {
        if !action.outputs.contains_key(name) {
            problems.push(format!(
                "{doc_path}: documents output `{name}`, which action.yml does not declare"
            ));
        }
    }

    let codes = names(&table_rows(doc, "exit code"));
    for exit in [
        Exit::Success,
        Exit::GateFailed,
        Exit::Usage,
        Exit::GitHub,
        Exit::Internal,
    ] {
        let code = exit.code().to_string();
        if !codes.contains(&code) {
            problems.push(format!(
                "{doc_path}: exit code {code} ({exit:?}) missing from the `| exit code |` table"
            ));
        }
    }
    problems
}

#[test]
fn readme_documents_every_input_output_and_exit_code() {
    let problems = problems("README.md");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_table_reader_finds_rows_and_ignores_other_tables() {
    let doc = "| input | default |\n|---|---|\n| `a` | `1` |\n| `b` | |\n\ntext\n\n| other |\n|---|\n| `c` |\n";
    let rows = table_rows(doc, "input");
    assert_eq!(
        names(&rows),
        BTreeSet::from(["a".to_string(), "b".to_string()])
    );
    assert!(names(&table_rows(doc, "output")).is_empty());
}

#[test]
fn a_missing_row_a_stale_row_and_a_stale_default_are_reported() {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let token_row = doc
        .lines()
        .find(|l| l.starts_with("| `token` |"))
        .expect("README.md has a token row");
    let drifted = doc
        .replace(token_row, "| `old-input` | (empty) | removed |")
        .replace(
            "| `timezone` | `America/New_York` |",
            "| `timezone` | `UTC` |",
        )
        .replace("| `4` |", "| `5` |");
    let problems = problems_in("drifted.md", &drifted).join("\n");
    assert!(problems.contains("input `token` has no row"), "{problems}");
    assert!(
        problems.contains("documents input `old-input`"),
        "{problems}"
    );
    assert!(
        problems.contains("default `America/New_York`"),
        "{problems}"
    );
    assert!(problems.contains("exit code 4"), "{problems}");
}

#[test]
fn readme_lists_every_built_in_log_rule() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for rule in itm_gate::logscan::RuleSet::builtin().rules() {
        let row = format!("| `{}` | {} |", rule.id, rule.severity);
        assert!(readme.contains(&row), "README.md has no row `{row}`");
    }
}

/// Cargo.toml's `rust-version`, as written (`1.88`).
fn rust_version() -> String {
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("Cargo.toml declares rust-version")
        .to_string()
}

/// Issue 14, point 6: README says which Rust builds the crate, and says what Cargo.toml says
/// (.ci/rust-version-check.sh keeps Cargo.toml true to the lockfile).
#[test]
fn readme_names_the_rust_version_of_cargo_toml() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let version = rust_version();
    let stated: BTreeSet<&str> = readme
        .match_indices(" or newer")
        .filter_map(|(at, _)| readme[..at].rsplit("Rust ").next())
        .filter(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.') && !v.is_empty())
        .collect();
    assert_eq!(
        stated,
        BTreeSet::from([version.as_str()]),
        "README.md must say \"Rust {version} or newer\" (Cargo.toml's rust-version), and no other"
    );
}

/// Issue 14, point 6: every link in README.md leads somewhere a reader of the repository can
/// follow: a file of the repository, or a web address, never a path outside the repository.
#[test]
fn readme_links_stay_inside_the_repository_or_on_the_web() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let links = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut problems = Vec::new();
    for link in links.captures_iter(&readme) {
        let target = &link[1];
        if target.starts_with("https://") || target.starts_with('#') {
            continue;
        }
        let path = target.split('#').next().unwrap_or(target);
        if path.starts_with("..") || path.starts_with('/') || !Path::new(ROOT).join(path).exists() {
            problems.push(target.to_string());
        }
    }
    assert!(
        problems.is_empty(),
        "README.md links outside the repository or to missing files: {problems:?}"
    );
    assert!(readme.contains(
        "https://github.com/n8kahl/ITM-gd/blob/main/docs/ai-coach/AI_COACH_V2_STAGING_GATE_RUNBOOK.md"
    ));
}

/// Issue 14, point 6: README.md is the one place that documents the action's inputs and outputs;
/// no page under docs/ repeats those tables (docs/action.md did, and drifted).
#[test]
fn no_page_under_docs_repeats_the_readmes_tables() {
    let mut repeated = Vec::new();
    for entry in std::fs::read_dir(Path::new(ROOT).join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let doc = std::fs::read_to_string(&path).unwrap();
            for header in ["input", "output", "exit code"] {
                if !table_rows(&doc, header).is_empty() {
                    repeated.push(format!("{}: `| {header} |` table", path.display()));
                }
            }
        }
    }
    assert!(
        repeated.is_empty(),
        "README.md documents the action; link to it instead: {repeated:?}"
    );
}

/// Every `.rs` file under `src/`, as `src/...` paths.
fn source_files(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(ROOT).expect("inside the crate");
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// ARCHITECTURE.md is the map of the code: every `src/...` path it names exists, and every
/// module of `src/` is named in it, so the map cannot drift from the tree.
#[test]
fn architecture_names_every_module_and_only_existing_ones() {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md is readable");
    let named: BTreeSet<String> = regex::Regex::new(r"src/[A-Za-z0-9_/]+\.rs")
        .expect("valid pattern")
        .find_iter(&doc)
        .map(|m| m.as_str().to_string())
        .collect();
    let mut files = BTreeSet::new();
    source_files(&Path::new(ROOT).join("src"), &mut files);
    let missing: Vec<&String> = named.difference(&files).collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names files that do not exist: {missing:?}"
    );
    let unnamed: Vec<&String> = files.difference(&named).collect();
    assert!(
        unnamed.is_empty(),
        "ARCHITECTURE.md does not name these modules: {unnamed:?}"
    );
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README");
    assert!(
        readme.contains("(ARCHITECTURE.md)"),
        "README links ARCHITECTURE.md"
    );
}
