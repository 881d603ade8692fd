//! The gate's step outputs, kept within GitHub's limit (DESIGN.md section 7).
//!
//! GitHub keeps at most 1 MB of outputs per job, counted in UTF-16 code units (a character
//! outside the Basic Multilingual Plane, such as an emoji, counts twice); over it the outputs are
//! lost. [`plan`] decides every output of the `gate` command within [`OUTPUTS_BUDGET`], well below
//! the limit, by fixed shares:
//!
//! | output | share (UTF-16 units of its record in the output file) | how it is cut |
//! |---|---|---|
//! | `reasons` | [`REASONS_BUDGET`] | by whole lines; a last line says how many were left out |
//! | `evidence` | [`EVIDENCE_BUDGET`] | by whole lines, with a last line saying so |
//! | `findings` | [`FINDINGS_BUDGET`] | whole elements, in order; `findings-omitted` counts the rest |
//! | `result`, counts, `*-omitted`, `commit-sha`, `commit-url` | [`SMALL_OUTPUTS_RESERVE`] | never |
//! | `specs` | what remains, at least [`SPECS_MIN_BUDGET`] | whole elements, in order; `specs-omitted` counts the rest |
//!
//! JSON outputs stay valid JSON arrays: elements are whole, in the order given (the gate gives
//! required specs first, then failing ones, then the rest), and the first element that does not
//! fit ends the array, so what is listed is always a prefix of that order. Everything here is
//! pure; [`crate::outcome`] renders and redacts each element and [`crate::cmd::gate`] writes the result.

use crate::runner::DELIMITER_PREFIX;
use crate::verdict::Counts;

/// GitHub's limit on all outputs of a job together, in UTF-16 code units.
pub const GITHUB_OUTPUTS_LIMIT: usize = 1_000_000;

/// What the gate allows itself for all its outputs together, in UTF-16 code units of the
/// records it writes to the `GITHUB_OUTPUT` file (names and delimiters included): a tenth below [`GITHUB_OUTPUTS_LIMIT`], so that outputs of other steps of the job
/// still fit beside the gate's.
pub const OUTPUTS_BUDGET: usize = 900_000;

/// The share of `reasons`.
pub const REASONS_BUDGET: usize = 100_000;

/// The share of `evidence`.
pub const EVIDENCE_BUDGET: usize = 60_000;

/// The share of `findings`.
pub const FINDINGS_BUDGET: usize = 150_000;

/// Room kept for the outputs that are never cut: `result`, `passed`, `failed`, `flaky`,
/// `skipped`, `specs-omitted`, `findings-omitted`, and `commit-sha` and `commit-url` (each
/// written twice: empty first, then when the commit is made; a commit URL is a GitHub address of
/// about 100 characters).
pub const SMALL_OUTPUTS_RESERVE: usize = 4_000;

/// What one output adds to the `GITHUB_OUTPUT` file besides its name and value:
/// `name<<DELIMITER\nvalue\nDELIMITER\n` with a delimiter of `ghadelimiter_` and 32 hex digits.
pub const RECORD_OVERHEAD: usize = "<<".len() + 2 * (DELIMITER_PREFIX.len() + 32) + 3;

/// The least `specs` gets: the budget less every other share.
pub const SPECS_MIN_BUDGET: usize =
    OUTPUTS_BUDGET - REASONS_BUDGET - EVIDENCE_BUDGET - FINDINGS_BUDGET - SMALL_OUTPUTS_RESERVE;

/// Length of `text` in UTF-16 code units, as GitHub counts outputs: one per character of the
/// Basic Multilingual Plane, two for the others. Never more than the UTF-8 length in bytes.
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// What an output costs against the budget: its whole record in the `GITHUB_OUTPUT` file
/// (name, value and delimiters, see [`RECORD_OVERHEAD`]), which is more than GitHub keeps of it.
pub fn output_cost(name: &str, value: &str) -> usize {
    utf16_len(name) + utf16_len(value) + RECORD_OVERHEAD
}

/// Text cut to whole lines by [`whole_lines`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutText {
    /// The lines kept, joined by `\n`, then the line that says what was left out (if any).
    pub text: String,
    /// Lines left out.
    pub omitted: usize,
}

/// Joins `lines` with `\n` within `budget` UTF-16 units, keeping whole lines from the start.
///
/// When not all fit, the lines that fit are followed by the line `more(n)`, which says that `n`
/// lines were left out; room for it is kept. The result never exceeds `budget` when
/// `more(lines.len())` fits in it (otherwise it is empty). No line is ever cut inside.
pub fn whole_lines<S: AsRef<str>>(
    lines: &[S],
    budget: usize,
    more: impl Fn(usize) -> String,
) -> CutText {
    let total: usize =
        lines.iter().map(|l| utf16_len(l.as_ref())).sum::<usize>() + lines.len().saturating_sub(1);
    if total <= budget {
        return CutText {
            text: join_lines(lines.iter().map(AsRef::as_ref)),
            omitted: 0,
        };
    }
    // The note for the most lines left out is the longest; keep room for it and its line break.
    let room = budget.saturating_sub(utf16_len(&more(lines.len())) + 1);
    let mut used = 0;
    let mut kept = 0;
    for line in lines {
        let cost = utf16_len(line.as_ref()) + usize::from(kept > 0);
        if used + cost > room {
            break;
        }
        used += cost;
        kept += 1;
    }
    let omitted = lines.len() - kept;
    let note = more(omitted);
    if utf16_len(&note) > budget {
        return CutText {
            text: String::new(),
            omitted: lines.len(),
        };
    }
    let mut text = join_lines(lines[..kept].iter().map(AsRef::as_ref));
    if kept > 0 {
        text.push('\n');
    }
    text.push_str(&note);
    CutText { text, omitted }
}

fn join_lines<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, line) in lines.enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// A JSON array built by [`json_array`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonArray {
    /// `[` elements separated by `,` `]`: always a valid JSON array when the elements are
    /// valid JSON values.
    pub text: String,
    /// Elements in the array.
    pub listed: u64,
    /// Elements left out.
    pub omitted: u64,
}

/// Builds a JSON array of `items` within `budget` UTF-16 units (brackets and commas counted).
///
/// `render` gives one element's JSON text. Elements are taken in order until the first one
/// that does not fit; it and every later element are left out and counted, without being
/// rendered. A budget under 2 still yields `[]`.
pub fn json_array<T>(
    items: impl IntoIterator<Item = T>,
    budget: usize,
    mut render: impl FnMut(&T) -> String,
) -> JsonArray {
    let mut text = String::from("[");
    let mut used = 2; // the brackets
    let mut listed = 0u64;
    let mut items = items.into_iter();
    let mut omitted = 0u64;
    for item in items.by_ref() {
        let element = render(&item);
        let cost = utf16_len(&element) + usize::from(listed > 0);
        if used + cost > budget {
            omitted = 1;
            break;
        }
        if listed > 0 {
            text.push(',');
        }
        text.push_str(&element);
        used += cost;
        listed += 1;
    }
    omitted += items.count() as u64;
    text.push(']');
    JsonArray {
        text,
        listed,
        omitted,
    }
}

/// Everything the gate puts in its outputs, before budgeting. Texts are already redacted.
#[derive(Debug)]
pub struct OutputsInput<'a, S, F> {
    /// `PASS` or `FAIL`.
    pub result: &'a str,
    /// The gate's reasons, one line each.
    pub reasons: &'a [String],
    /// The evidence block.
    pub evidence: &'a str,
    /// Spec objects, in the order they should be listed (required, failing, the rest).
    pub specs: S,
    /// Log findings that were kept, in order.
    pub findings: F,
    /// Findings counted but not kept by the scanner (they count as left out of `findings`).
    pub findings_not_kept: u64,
    /// Tests passed, failed, flaky, skipped.
    pub totals: Counts,
}

/// The outputs to write, in order, and what was left out of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedOutputs {
    /// Output names and values, in the order to write them.
    pub values: Vec<(&'static str, String)>,
    /// Spec objects listed in `specs`.
    pub specs_listed: u64,
    /// Spec objects left out of `specs` (also the `specs-omitted` output).
    pub specs_omitted: u64,
    /// Findings listed in `findings`.
    pub findings_listed: u64,
    /// Findings left out of `findings` (also the `findings-omitted` output), including those the
    /// scanner counted without keeping.
    pub findings_omitted: u64,
    /// Only findings left out to stay within the budget (not those the scanner did not keep).
    pub findings_cut: u64,
    /// Reason lines left out of `reasons`.
    pub reasons_omitted: usize,
    /// Whether `evidence` was cut.
    pub evidence_cut: bool,
}

impl PlannedOutputs {
    /// The value planned for output `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether anything was left out to stay within the budget.
    pub fn anything_cut(&self) -> bool {
        self.specs_omitted > 0
            || self.findings_cut > 0
            || self.reasons_omitted > 0
            || self.evidence_cut
    }

    /// All outputs together, as [`output_cost`] counts them.
    pub fn cost(&self) -> usize {
        self.values.iter().map(|(n, v)| output_cost(n, v)).sum()
    }
}

/// Decides every output of the `gate` command within [`OUTPUTS_BUDGET`] (see the module
/// documentation for the shares). `render_spec` and `render_finding` give one element's JSON
/// text, already redacted; they are called only for elements that are considered for listing.
pub fn plan<S, F, TS, TF>(
    input: OutputsInput<'_, S, F>,
    render_spec: impl FnMut(&TS) -> String,
    render_finding: impl FnMut(&TF) -> String,
) -> PlannedOutputs
where
    S: IntoIterator<Item = TS>,
    F: IntoIterator<Item = TF>,
{
    let reasons = whole_lines(
        input.reasons,
        REASONS_BUDGET - output_cost("reasons", ""),
        |n| {
            format!(
                "… and {n} more reason{} (left out of this output to stay within GitHub's output limit; the step log and the job summary have them)",
                if n == 1 { "" } else { "s" }
            )
        },
    );
    let evidence_lines: Vec<&str> = input.evidence.lines().collect();
    let evidence = whole_lines(
        &evidence_lines,
        EVIDENCE_BUDGET - output_cost("evidence", ""),
        |_| {
            "- Cut: the rest of this block was left out to stay within GitHub's output limit; the step log has all of it".to_string()
        },
    );
    let evidence_text = if evidence.omitted == 0 {
        input.evidence.to_string()
    } else {
        evidence.text + "\n"
    };
    let findings = json_array(
        input.findings,
        FINDINGS_BUDGET - output_cost("findings", ""),
        render_finding,
    );
    let Counts {
        passed,
        failed,
        flaky,
        skipped,
        ..
    } = input.totals;
    let findings_omitted = findings.omitted + input.findings_not_kept;

    let used = output_cost("reasons", &reasons.text)
        + output_cost("evidence", &evidence_text)
        + output_cost("findings", &findings.text);
    let specs_budget =
        OUTPUTS_BUDGET.saturating_sub(used + SMALL_OUTPUTS_RESERVE + output_cost("specs", ""));
    let specs = json_array(input.specs, specs_budget, render_spec);

    PlannedOutputs {
        values: vec![
            ("result", input.result.to_string()),
            ("reasons", reasons.text),
            ("evidence", evidence_text),
            ("specs", specs.text),
            ("specs-omitted", specs.omitted.to_string()),
            ("passed", passed.to_string()),
            ("failed", failed.to_string()),
            ("flaky", flaky.to_string()),
            ("skipped", skipped.to_string()),
            ("findings", findings.text),
            ("findings-omitted", findings_omitted.to_string()),
        ],
        specs_listed: specs.listed,
        specs_omitted: specs.omitted,
        findings_listed: findings.listed,
        findings_omitted,
        findings_cut: findings.omitted,
        reasons_omitted: reasons.omitted,
        evidence_cut: evidence.omitted > 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `commit-sha` and `commit-url`, written empty and then with a commit.
    fn commit_outputs() -> usize {
        let url = format!("https://github.com/n8kahl/ITM-gd/commit/{}", "a".repeat(40));
        2 * output_cost("commit-sha", "")
            + 2 * output_cost("commit-url", "")
            + output_cost("commit-sha", &"a".repeat(40))
            + output_cost("commit-url", &url)
    }

    #[test]
    fn the_cost_of_an_output_is_its_record_in_the_output_file() {
        let delimiter = crate::runner::output_delimiter("specs", "[1,2]").unwrap();
        let record = crate::runner::format_output("specs", "[1,2]", &delimiter);
        assert_eq!(utf16_len(&record), output_cost("specs", "[1,2]"));
    }

    #[test]
    fn utf16_counts_astral_characters_twice() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é—✅"), 3); // 2-, 3- and 3-byte characters: one unit each
        assert_eq!(utf16_len("😀"), 2); // 4 bytes in UTF-8, a surrogate pair in UTF-16
        assert_eq!(utf16_len("a😀b𝄞"), 6);
        assert_eq!(utf16_len("a😀b𝄞"), "a😀b𝄞".encode_utf16().count());
    }

    #[test]
    fn lines_that_fit_are_joined_as_they_are() {
        let cut = whole_lines(&["one", "two"], 7, |n| format!("+{n}"));
        assert_eq!(
            cut,
            CutText {
                text: "one\ntwo".into(),
                omitted: 0
            }
        );
    }

    #[test]
    fn lines_are_cut_whole_with_a_note() {
        let lines = ["aaaa", "bbbb", "cccc", "dddd"];
        let cut = whole_lines(&lines, 12, |n| format!("+{n}"));
        // "aaaa\nbbbb" (9) + "\n+2" (3) = 12.
        assert_eq!(cut.text, "aaaa\nbbbb\n+2");
        assert_eq!(cut.omitted, 2);
        assert!(utf16_len(&cut.text) <= 12);
    }

    #[test]
    fn line_cutting_counts_utf16_not_bytes_or_chars() {
        // Each line is 2 characters but 4 UTF-16 units.
        let lines = ["😀😀", "😀😀", "😀😀"];
        let cut = whole_lines(&lines, 11, |n| format!("+{n}"));
        // "😀😀\n😀😀" is 9 units, plus "\n+1" = 12 > 11: only one line fits.
        assert_eq!(cut.text, "😀😀\n+2");
        assert!(utf16_len(&cut.text) <= 11);
    }

    #[test]
    fn nothing_when_not_even_the_note_fits() {
        let cut = whole_lines(&["a", "b"], 1, |n| format!("+{n} more"));
        assert_eq!(cut.text, "");
        assert_eq!(cut.omitted, 2);
    }

    #[test]
    fn json_array_is_a_valid_prefix() {
        let items = ["\"a\"", "\"bb\"", "\"c\"", "\"d\""];
        let array = json_array(items, 12, |s| s.to_string());
        // ["a","bb"] is 11; adding ,"c" would make 15.
        assert_eq!(array.text, r#"["a","bb"]"#);
        assert_eq!((array.listed, array.omitted), (2, 2));
        let parsed: Vec<String> = serde_json::from_str(&array.text).unwrap();
        assert_eq!(parsed, ["a", "bb"]);
    }

    #[test]
    fn json_array_stops_at_the_first_element_that_does_not_fit() {
        // A later, smaller element is not slipped in: the listing stays a prefix of the order.
        let items = ["\"a\"", "\"long element\"", "\"b\""];
        let mut rendered = 0;
        let array = json_array(items, 8, |s| {
            rendered += 1;
            s.to_string()
        });
        assert_eq!(array.text, r#"["a"]"#);
        assert_eq!((array.listed, array.omitted), (1, 2));
        assert_eq!(
            rendered, 2,
            "elements after the cut are counted, not rendered"
        );
    }

    #[test]
    fn json_array_counts_astral_characters_twice() {
        let items = ["\"😀\"", "\"😀\""];
        // ["😀"] is 1 + 4 + 1 = 6 units (5 characters, 8 bytes).
        assert_eq!(json_array(items, 6, |s| s.to_string()).listed, 1);
        assert_eq!(json_array(items, 11, |s| s.to_string()).listed, 2);
        assert_eq!(json_array(items, 10, |s| s.to_string()).listed, 1);
    }

    #[test]
    fn empty_and_tiny_budgets_give_an_empty_array() {
        let array = json_array(["1"], 0, |s| s.to_string());
        assert_eq!(array.text, "[]");
        assert_eq!((array.listed, array.omitted), (0, 1));
        let none: [&str; 0] = [];
        assert_eq!(json_array(none, 100, |s| s.to_string()).text, "[]");
    }

    fn input<'a>(
        reasons: &'a [String],
        specs: Vec<String>,
        findings: Vec<String>,
    ) -> OutputsInput<'a, Vec<String>, Vec<String>> {
        OutputsInput {
            result: "FAIL",
            reasons,
            evidence: "### Staging Live Gate Evidence\n- Result: FAIL\n",
            specs,
            findings,
            findings_not_kept: 3,
            totals: Counts {
                passed: 1,
                failed: 2,
                flaky: 3,
                skipped: 4,
                did_not_run: 0,
            },
        }
    }

    #[test]
    fn small_runs_are_not_cut() {
        let reasons = vec!["a".to_string(), "b".to_string()];
        let plan = plan(
            input(&reasons, vec!["{\"file\":\"x\"}".into()], vec!["{}".into()]),
            |s| s.clone(),
            |f| f.clone(),
        );
        assert_eq!(plan.get("reasons"), Some("a\nb"));
        assert_eq!(plan.get("specs"), Some("[{\"file\":\"x\"}]"));
        assert_eq!(plan.get("specs-omitted"), Some("0"));
        assert_eq!(plan.get("findings"), Some("[{}]"));
        assert_eq!(plan.get("findings-omitted"), Some("3"));
        assert_eq!(
            plan.get("evidence"),
            Some("### Staging Live Gate Evidence\n- Result: FAIL\n")
        );
        assert_eq!(plan.get("passed"), Some("1"));
        assert!(!plan.anything_cut());
    }

    #[test]
    fn huge_runs_stay_within_the_budget_with_valid_json() {
        // 100,000 specs of astral-heavy text, 10,000 reasons, 10,000 findings.
        let reasons: Vec<String> = (0..10_000)
            .map(|i| format!("spec e2e/😀/{i}.spec.ts is FAIL: test failed"))
            .collect();
        let specs: Vec<String> = (0..100_000)
            .map(|i| format!("{{\"file\":\"e2e/😀{i}.spec.ts\",\"verdict\":\"FAIL\"}}"))
            .collect();
        let findings: Vec<String> = (0..10_000)
            .map(|i| format!("{{\"rule\":\"r\",\"excerpt\":\"𝄞 {i}\"}}"))
            .collect();
        let plan = plan(
            input(&reasons, specs, findings),
            |s| s.clone(),
            |f| f.clone(),
        );
        assert!(
            plan.cost() + commit_outputs() <= OUTPUTS_BUDGET,
            "{}",
            plan.cost()
        );
        let specs: Vec<serde_json::Value> =
            serde_json::from_str(plan.get("specs").unwrap()).unwrap();
        assert_eq!(specs.len() as u64, plan.specs_listed);
        assert_eq!(specs[0]["file"], "e2e/😀0.spec.ts", "order is kept");
        assert_eq!(plan.specs_listed + plan.specs_omitted, 100_000);
        assert_eq!(
            plan.get("specs-omitted"),
            Some(plan.specs_omitted.to_string().as_str())
        );
        let findings: Vec<serde_json::Value> =
            serde_json::from_str(plan.get("findings").unwrap()).unwrap();
        assert_eq!(
            findings.len() as u64 + plan.findings_omitted,
            10_000 + 3,
            "left-out findings include the ones the scanner did not keep"
        );
        let reasons = plan.get("reasons").unwrap();
        assert!(
            output_cost("reasons", reasons) <= REASONS_BUDGET,
            "{} {}",
            output_cost("reasons", reasons),
            utf16_len(reasons)
        );
        assert!(reasons.lines().last().unwrap().starts_with("… and "));
        assert_eq!(
            reasons.lines().count() - 1 + plan.reasons_omitted,
            10_000,
            "every reason is either listed or counted"
        );
        assert!(plan.anything_cut());
    }

    #[test]
    fn specs_get_what_the_others_leave() {
        let reasons: Vec<String> = Vec::new();
        let specs: Vec<String> = (0..100_000).map(|i| format!("{i:09}")).collect();
        let plan = plan(
            input(&reasons, specs, Vec::new()),
            |s| s.clone(),
            |f| f.clone(),
        );
        let specs_cost = output_cost("specs", plan.get("specs").unwrap());
        assert!(specs_cost > SPECS_MIN_BUDGET, "unused shares go to specs");
        assert!(plan.cost() + commit_outputs() <= OUTPUTS_BUDGET);
    }

    #[test]
    fn a_long_evidence_block_is_cut_by_lines() {
        let evidence: String = (0..20_000)
            .map(|i| format!("  - e2e/specs/{i}.spec.ts: FAIL\n"))
            .collect();
        let reasons: Vec<String> = Vec::new();
        let mut inp = input(&reasons, Vec::new(), Vec::new());
        inp.evidence = &evidence;
        let plan = plan(inp, |s| s.clone(), |f| f.clone());
        let cut = plan.get("evidence").unwrap();
        assert!(plan.evidence_cut);
        assert!(output_cost("evidence", cut) <= EVIDENCE_BUDGET);
        assert!(cut.ends_with("the step log has all of it\n"));
        assert!(
            cut.lines()
                .all(|l| l.ends_with(": FAIL") || l.starts_with("- Cut"))
        );
    }
}
