//! The schema walk: one pass over a report's JSON ([`json::JsonReader`]) that hands each
//! test, top-level error and text to a [`ReportSink`] as soon as it is complete, and checks
//! the report's shape (DESIGN.md section 3: the keys and types Playwright writes).

use super::*;

/// Reads one Playwright JSON report, streaming its parts into `sink`.
pub fn read_report(path: &Path, sink: &mut dyn ReportSink) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = crate::paths::open_regular(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size == 0 {
        return Err(ReportError::Empty {
            path: path.to_path_buf(),
        });
    }
    read_from(file, sink).map_err(|problem| problem.into_error(path, size))
}

/// Reads a report held in memory as [`read_report`] reads a file (used by the differential
/// tests); `path` only names it in errors.
pub fn read_report_bytes(
    path: &Path,
    bytes: &[u8],
    sink: &mut dyn ReportSink,
) -> Result<(), ReportError> {
    if bytes.is_empty() {
        return Err(ReportError::Empty {
            path: path.to_path_buf(),
        });
    }
    read_from(std::io::Cursor::new(bytes), sink).map_err(|problem| {
        problem.into_error_at(path, bytes.len() as u64, |offset| {
            Some(line_and_column_in(bytes, offset))
        })
    })
}

/// Reads a report from any reader (used by tests and by [`read_report`]).
pub(super) fn read_from<R: Read + Seek>(
    reader: R,
    sink: &mut dyn ReportSink,
) -> Result<(), Problem> {
    let mut json = JsonReader::new(reader);
    let shape = read_root(&mut json, sink, &mut |_| Ok(false)).map_err(Problem::Json)?;
    json.end().map_err(Problem::Json)?;
    shape.check()
}

/// Which top-level keys a report had, to tell a Playwright report from other JSON.
#[derive(Default)]
pub(super) struct Shape {
    has_config: bool,
    has_suites: bool,
    foreign_keys: Vec<String>,
}

impl Shape {
    pub(super) fn check(self) -> Result<(), Problem> {
        if self.has_config && self.has_suites {
            return Ok(());
        }
        let missing = match (self.has_config, self.has_suites) {
            (false, false) => "it has neither `config` nor `suites`",
            (false, true) => "it has no `config`",
            _ => "it has no `suites`",
        };
        let hint = if self
            .foreign_keys
            .iter()
            .any(|k| k == "testResults" || k == "numTotalTests")
        {
            " (it looks like a Jest report)"
        } else {
            ""
        };
        let keys = if self.foreign_keys.is_empty() {
            String::new()
        } else {
            let shown: Vec<&str> = self
                .foreign_keys
                .iter()
                .take(5)
                .map(String::as_str)
                .collect();
            format!("; top-level keys: {}", shown.join(", "))
        };
        Err(Problem::Shape(format!("{missing}{hint}{keys}")))
    }
}

pub(super) type Json<R> = JsonReader<R>;

/// Calls `each` for every key of the object that comes next; `null` counts as empty. Each of
/// the `known` keys (the ones the gate reads) may appear once: a second one would make the
/// report mean two things.
pub(super) fn object<R: Read>(
    json: &mut Json<R>,
    what: &str,
    known: &[&[u8]],
    mut each: impl FnMut(&mut Json<R>, &[u8]) -> Result<(), JsonError>,
) -> Result<(), JsonError> {
    if json.take_null()? {
        return Ok(());
    }
    if json.kind()? != Kind::Object {
        return Err(json.shape(format!("expected {what} to be an object")));
    }
    json.begin_object()?;
    let (mut key, mut first) = (Vec::new(), true);
    let mut seen = 0u64;
    while json.next_key(&mut key, &mut first)? {
        if let Some(index) = known.iter().position(|k| *k == key.as_slice()) {
            if seen & (1 << index) != 0 {
                return Err(json.shape(format!(
                    "the key `{}` appears twice in {what}",
                    String::from_utf8_lossy(&key)
                )));
            }
            seen |= 1 << index;
        }
        each(json, &key)?;
    }
    Ok(())
}

/// Values read after their object ended, because a key they depend on came later (key order
/// never matters): the offsets of those values, read again in file order once the object is
/// whole. Only reports written in an unusual key order pay for the second read.
#[derive(Default)]
pub(super) struct Later {
    offsets: [Option<(u64, u8)>; 2],
}

impl Later {
    /// Skips (and checks) the value that comes next, to read it again later as `what`.
    fn defer<R: Read>(&mut self, json: &mut Json<R>, what: u8) -> Result<(), JsonError> {
        let offset = json.next_offset()?;
        if let Some(slot) = self.offsets.iter_mut().find(|slot| slot.is_none()) {
            *slot = Some((offset, what));
        }
        json.skip_value()
    }

    /// Reads each deferred value again, as if still inside its object, then returns to where
    /// the reader was.
    fn replay<R: Read + Seek>(
        mut self,
        json: &mut Json<R>,
        mut read: impl FnMut(&mut Json<R>, u8) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        if self.offsets[0].is_none() {
            return Ok(());
        }
        self.offsets
            .sort_by_key(|slot| slot.map_or(u64::MAX, |(offset, _)| offset));
        let end = json.offset();
        json.set_depth(json.depth() + 1);
        for (offset, what) in self.offsets.into_iter().flatten() {
            json.seek_to(offset)?;
            read(json, what)?;
        }
        json.set_depth(json.depth() - 1);
        json.seek_to(end)
    }
}

/// Calls `each` for every element of the array that comes next; `null` counts as empty.
pub(super) fn array<R: Read>(
    json: &mut Json<R>,
    what: &str,
    mut each: impl FnMut(&mut Json<R>) -> Result<(), JsonError>,
) -> Result<(), JsonError> {
    if json.take_null()? {
        return Ok(());
    }
    if json.kind()? != Kind::Array {
        return Err(json.shape(format!("expected {what} to be an array")));
    }
    json.begin_array()?;
    let mut first = true;
    while json.next_element(&mut first)? {
        each(json)?;
    }
    Ok(())
}

/// Reads the root object. `at_suite` is asked before each top-level suite whether another
/// reader already read from there to the end of `suites` (it then moves `json` past the `]`).
pub(super) fn read_root<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    at_suite: &mut dyn FnMut(&mut Json<R>) -> Result<bool, JsonError>,
) -> Result<Shape, JsonError> {
    match json.kind()? {
        Kind::Object => {}
        Kind::Array => {
            let wrong = json.shape(
                "the top-level JSON value is an array, expected an object with `config` and `suites`",
            );
            // Broken JSON is told as such, before the shape.
            json.skip_value()?;
            return Err(wrong);
        }
        _ => {
            // A bare value: a syntax error if it is not even JSON.
            json.skip_value()?;
            return Err(json.shape("the top-level JSON value is not an object"));
        }
    }
    let mut shape = Shape::default();
    // Tests and top-level errors are read after the config, which says where paths are from.
    let mut later = Later::default();
    object(json, "the report", ROOT_KEYS, |json, key| {
        match key {
            b"config" => {
                sink.config(read_config(json)?);
                shape.has_config = true;
            }
            b"suites" => {
                if !shape.has_config {
                    later.defer(json, SUITES)?;
                } else {
                    read_top_suites(json, sink, at_suite)?;
                }
                shape.has_suites = true;
            }
            b"errors" if !shape.has_config => later.defer(json, ERRORS)?,
            b"errors" => read_top_errors(json, sink)?,
            b"stats" => sink.stats(read_stats(json)?),
            _ => {
                if shape.foreign_keys.len() < 20 {
                    shape
                        .foreign_keys
                        .push(String::from_utf8_lossy(key).into_owned());
                }
                json.skip_value()?;
            }
        }
        Ok(())
    })?;
    if shape.has_config {
        later.replay(json, |json, what| match what {
            SUITES => read_top_suites(json, sink, &mut |_| Ok(false)),
            _ => read_top_errors(json, sink),
        })?;
    }
    Ok(shape)
}

/// The keys of the root object the gate reads.
pub(super) const ROOT_KEYS: &[&[u8]] = &[b"config", b"suites", b"errors", b"stats"];
/// What a deferred value is.
pub(super) const SUITES: u8 = 0;
pub(super) const ERRORS: u8 = 1;
pub(super) const SPECS: u8 = 2;
pub(super) const TESTS: u8 = 3;
pub(super) const RESULTS: u8 = 4;

/// The top-level `suites` array. `at_suite` is asked before each suite whether another reader
/// already read from there to the end of the array.
pub(super) fn read_top_suites<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    at_suite: &mut dyn FnMut(&mut Json<R>) -> Result<bool, JsonError>,
) -> Result<(), JsonError> {
    let mut titles = Vec::new();
    if json.take_null()? {
        return Ok(());
    }
    if json.kind()? != Kind::Array {
        return Err(json.shape("expected `suites` to be an array"));
    }
    json.begin_array()?;
    let mut first = true;
    while json.next_element(&mut first)? {
        if at_suite(json)? {
            // Another reader read the rest; `json` is past the `]`.
            json.left_array();
            break;
        }
        read_suite(json, sink, &mut titles, None)?;
    }
    Ok(())
}

/// The top-level `errors` array.
pub(super) fn read_top_errors<R: Read>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
) -> Result<(), JsonError> {
    array(json, "`errors`", |json| {
        let origin = TextOrigin {
            file: None,
            title_path: &[],
            project: "",
            attempt: None,
            kind: TextKind::TopLevelError,
        };
        let (message, location) = read_error(json, &mut |piece, last| {
            hand_text(sink, origin, piece, last)
        })?;
        sink.top_level_error(TopLevelError { message, location });
        Ok(())
    })
}

pub(super) fn read_config<R: Read>(json: &mut Json<R>) -> Result<ReportConfig, JsonError> {
    let mut config = ReportConfig::default();
    object(
        json,
        "`config`",
        &[b"rootDir", b"version", b"shard"],
        |json, key| {
            match key {
                b"rootDir" => config.root_dir = json.read_optional_string()?,
                b"version" => config.version = json.read_optional_string()?,
                b"shard" => config.shard = read_shard(json)?,
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    Ok(config)
}

/// `config.shard`: `{"current": i, "total": n}`, or `null` when the run was not sharded.
pub(super) fn read_shard<R: Read>(json: &mut Json<R>) -> Result<Option<Shard>, JsonError> {
    let (mut current, mut total) = (None, None);
    let mut present = false;
    object(
        json,
        "`config.shard`",
        &[b"current", b"total"],
        |json, key| {
            present = true;
            match key {
                b"current" => current = json.read_u64()?,
                b"total" => total = json.read_u64()?,
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    if !present {
        return Ok(None);
    }
    // A shard object without its numbers is kept as shard 0 of 0, which the gate refuses.
    Ok(Some(Shard {
        current: clamp(current),
        total: clamp(total),
    }))
}

pub(super) fn read_stats<R: Read>(json: &mut Json<R>) -> Result<Stats, JsonError> {
    let mut stats = Stats::default();
    object(
        json,
        "`stats`",
        &[
            b"startTime",
            b"expected",
            b"unexpected",
            b"flaky",
            b"skipped",
        ],
        |json, key| {
            match key {
                b"startTime" => stats.start_time = json.read_optional_string()?,
                b"expected" => stats.expected = json.read_u64()?,
                b"unexpected" => stats.unexpected = json.read_u64()?,
                b"flaky" => stats.flaky = json.read_u64()?,
                b"skipped" => stats.skipped = json.read_u64()?,
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    Ok(stats)
}

/// A top-level or attempt error: only the message and location are kept, the message capped
/// at [`MAX_MESSAGE_CHARS`] for display. The whole message (and `value`, for a thrown
/// non-Error) goes to `text` first, piece by piece (`last` marks its final piece), so that
/// scanning sees all of it, however long.
pub(super) fn read_error<R: Read>(
    json: &mut Json<R>,
    text: &mut dyn FnMut(&str, bool),
) -> Result<(String, Option<Location>), JsonError> {
    let mut message = None;
    let mut value = None;
    let mut location = None;
    object(
        json,
        "an error",
        &[b"message", b"value", b"location"],
        |json, key| {
            match key {
                b"message" => message = read_scanned_string(json, text)?,
                b"value" => value = read_scanned_string(json, text)?,
                b"location" => location = read_location(json)?,
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    let text = message
        .or(value)
        .unwrap_or_else(|| "(error without a message)".to_string());
    let text = match truncate_chars(&text, MAX_MESSAGE_CHARS) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(short) => short,
    };
    Ok((text, location))
}

/// A string (or `null`) handed whole to `text`, piece by piece; returns its start, at least
/// [`MAX_MESSAGE_CHARS`] + 1 characters of it (enough to cap it and tell that it was longer).
pub(super) fn read_scanned_string<R: Read>(
    json: &mut Json<R>,
    text: &mut dyn FnMut(&str, bool),
) -> Result<Option<String>, JsonError> {
    // A character is at most 4 bytes: this many bytes hold more than the cap.
    const KEEP_BYTES: usize = (MAX_MESSAGE_CHARS + 1) * 4;
    if json.take_null()? {
        return Ok(None);
    }
    if json.kind()? != Kind::String {
        return Err(json.shape("expected a string"));
    }
    let mut kept = String::new();
    read_whole_text(json, &mut |piece, last| {
        if kept.len() < KEEP_BYTES {
            let mut end = piece.len().min(KEEP_BYTES - kept.len());
            while !piece.is_char_boundary(end) {
                end -= 1;
            }
            kept.push_str(&piece[..end]);
        }
        text(piece, last);
    })?;
    Ok(Some(kept))
}

/// Reads a string in pieces ([`JsonReader::read_text_pieces`]), telling `each` which piece is
/// the last (an empty string is one empty last piece).
pub(super) fn read_whole_text<R: Read>(
    json: &mut Json<R>,
    each: &mut dyn FnMut(&str, bool),
) -> Result<(), JsonError> {
    // Each piece is held until the next one shows it was not the last.
    let mut held = String::new();
    let mut holding = false;
    json.read_text_pieces(&mut |piece| {
        if holding {
            each(&held, false);
        }
        held.clear();
        held.push_str(piece);
        holding = true;
    })?;
    each(&held, true);
    Ok(())
}

/// Hands one piece of a report text to the sink: [`ReportSink::text_piece`] unless it is the
/// last.
pub(super) fn hand_text(
    sink: &mut dyn ReportSink,
    origin: TextOrigin<'_>,
    piece: &str,
    last: bool,
) {
    if last {
        sink.text(origin, piece);
    } else {
        sink.text_piece(origin, piece);
    }
}

pub(super) fn read_location<R: Read>(json: &mut Json<R>) -> Result<Option<Location>, JsonError> {
    if json.take_null()? {
        return Ok(None);
    }
    let mut location = Location {
        file: String::new(),
        line: 0,
        column: 0,
    };
    object(
        json,
        "a location",
        &[b"file", b"line", b"column"],
        |json, key| {
            match key {
                b"file" => location.file = json.read_optional_string()?.unwrap_or_default(),
                b"line" => location.line = clamp(json.read_u64()?),
                b"column" => location.column = clamp(json.read_u64()?),
                _ => json.skip_value()?,
            }
            Ok(())
        },
    )?;
    Ok(Some(location))
}

pub(super) fn clamp(value: Option<u64>) -> u32 {
    value.map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX))
}

pub(super) fn read_annotations<R: Read>(
    json: &mut Json<R>,
    into: &mut Vec<TestAnnotation>,
) -> Result<(), JsonError> {
    array(json, "`annotations`", |json| {
        let mut annotation = TestAnnotation {
            kind: String::new(),
            description: None,
        };
        object(
            json,
            "an annotation",
            &[b"type", b"description"],
            |json, key| {
                match key {
                    b"type" => annotation.kind = json.read_optional_string()?.unwrap_or_default(),
                    b"description" => annotation.description = json.read_optional_string()?,
                    _ => json.skip_value()?,
                }
                Ok(())
            },
        )?;
        if !into.contains(&annotation) {
            into.push(annotation);
        }
        Ok(())
    })
}

/// A suite's `specs` (`what` = [`SPECS`]) or nested `suites` array; `titles` holds the
/// describe titles of the enclosing suites, `file` the suite's file. The recursion through
/// nested suites is bounded by the reader's depth limit ([`json::MAX_DEPTH`]: a suite is two
/// levels, its array and its object).
pub(super) fn read_children<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &mut Vec<String>,
    file: Option<&str>,
    what: u8,
) -> Result<(), JsonError> {
    if what == SPECS {
        array(json, "`specs`", |json| read_spec(json, sink, titles, file))
    } else {
        let parent = Some(file.unwrap_or(""));
        array(json, "`suites`", |json| {
            read_suite(json, sink, titles, parent)
        })
    }
}

/// The keys of a suite the gate reads.
pub(super) const SUITE_KEYS: &[&[u8]] = &[b"title", b"file", b"specs", b"suites"];

/// One suite: a file (at the top level) or a describe block (nested).
pub(super) fn read_suite<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &mut Vec<String>,
    parent_file: Option<&str>,
) -> Result<(), JsonError> {
    // A top-level suite is a file: its title is the file name, not a describe title.
    let is_file_suite = parent_file.is_none();
    let depth = titles.len();
    let mut file: Option<String> = parent_file.map(str::to_string);
    let (mut has_title, mut has_file) = (false, false);
    // Specs and nested suites need the suite's title and file: read them once both are known.
    let mut later = Later::default();
    object(json, "a suite", SUITE_KEYS, |json, key| {
        match key {
            b"title" => {
                let title = json.read_optional_string()?.unwrap_or_default();
                if !is_file_suite && !title.is_empty() {
                    titles.push(title);
                }
                has_title = true;
            }
            b"file" => {
                if let Some(value) = json.read_optional_string()? {
                    file = Some(value);
                }
                has_file = true;
            }
            b"specs" | b"suites" => {
                let what = if key == b"specs" { SPECS } else { SUITES };
                if has_title && has_file {
                    read_children(json, sink, titles, file.as_deref(), what)?
                } else {
                    later.defer(json, what)?
                }
            }
            _ => json.skip_value()?,
        }
        Ok(())
    })?;
    later.replay(json, |json, what| {
        read_children(json, sink, titles, file.as_deref(), what)
    })?;
    titles.truncate(depth);
    Ok(())
}

/// The keys of a spec the gate reads.
pub(super) const SPEC_KEYS: &[&[u8]] = &[b"title", b"tests", b"file", b"line"];

/// One spec (a `test(...)` call): its tests, one per project, are complete when the spec ends,
/// because `file` and `line` come after `tests` in Playwright's output.
pub(super) fn read_spec<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &mut Vec<String>,
    suite_file: Option<&str>,
) -> Result<(), JsonError> {
    let depth = titles.len();
    let mut titled = false;
    let mut file: Option<String> = None;
    let mut line = 0u32;
    let mut tests: Vec<PartialTest> = Vec::new();
    // The tests' texts are named by the spec's title: read them once it is known.
    let mut later = Later::default();
    object(json, "a spec", SPEC_KEYS, |json, key| {
        match key {
            b"title" => {
                titles.push(json.read_optional_string()?.unwrap_or_default());
                titled = true;
            }
            b"tests" if !titled => later.defer(json, TESTS)?,
            b"tests" => read_tests(json, sink, titles, suite_file, &mut tests)?,
            b"file" => file = json.read_optional_string()?,
            b"line" => line = clamp(json.read_u64()?),
            _ => json.skip_value()?,
        }
        Ok(())
    })?;
    later.replay(json, |json, _| {
        read_tests(json, sink, titles, suite_file, &mut tests)
    })?;
    let title_path = titles.clone();
    titles.truncate(depth);
    let file = file
        .or_else(|| suite_file.map(str::to_string))
        .unwrap_or_default();
    let count = tests.len();
    let (mut file, mut title_path) = (Some(file), Some(title_path));
    for (index, test) in tests.into_iter().enumerate() {
        // The last test of the spec takes the file and titles; the others get copies.
        let last = index + 1 == count;
        sink.test(TestCase {
            file: take_or_clone(&mut file, last),
            line,
            title_path: take_or_clone(&mut title_path, last),
            project: test.project,
            expected_status: test.expected_status,
            status: test.status,
            attempts: test.attempts,
            annotations: test.annotations,
        });
    }
    Ok(())
}

/// The value itself for the last user, a copy for the others.
pub(super) fn take_or_clone<T: Clone + Default>(slot: &mut Option<T>, last: bool) -> T {
    if last {
        slot.take().unwrap_or_default()
    } else {
        slot.clone().unwrap_or_default()
    }
}

/// A test before its spec's file and line are known.
pub(super) struct PartialTest {
    project: String,
    expected_status: Status,
    status: Option<Outcome>,
    attempts: Vec<Attempt>,
    annotations: Vec<TestAnnotation>,
}

/// The keys of a test the gate reads.
pub(super) const TEST_KEYS: &[&[u8]] = &[
    b"projectName",
    b"projectId",
    b"expectedStatus",
    b"status",
    b"annotations",
    b"results",
];

/// The tests of a spec, one per project.
pub(super) fn read_tests<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &[String],
    file: Option<&str>,
    tests: &mut Vec<PartialTest>,
) -> Result<(), JsonError> {
    array(json, "`tests`", |json| {
        tests.push(read_test(json, sink, titles, file)?);
        Ok(())
    })
}

pub(super) fn read_test<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &[String],
    file: Option<&str>,
) -> Result<PartialTest, JsonError> {
    let mut project_name: Option<String> = None;
    let mut project_id: Option<String> = None;
    let mut test = PartialTest {
        project: String::new(),
        expected_status: Status::Passed,
        status: None,
        attempts: Vec::new(),
        annotations: Vec::new(),
    };
    // The attempts' texts are named by the project: read them once it is known.
    let mut later = Later::default();
    let project = |name: &Option<String>, id: &Option<String>| -> String {
        name.as_deref().or(id.as_deref()).unwrap_or("").to_string()
    };
    let mut results = |json: &mut Json<R>, test: &mut PartialTest, project: String| {
        read_results(json, sink, titles, file, &project, test)
    };
    object(json, "a test", TEST_KEYS, |json, key| {
        match key {
            b"projectName" => project_name = json.read_optional_string()?,
            b"projectId" => project_id = json.read_optional_string()?,
            b"expectedStatus" => {
                let word = json.read_string()?;
                test.expected_status = Status::parse(&word).ok_or_else(|| {
                    json.shape(format!("unknown `expectedStatus` `{word}` of a test"))
                })?;
            }
            b"status" => {
                test.status = json
                    .read_optional_string()?
                    .as_deref()
                    .and_then(Outcome::parse)
            }
            b"annotations" => read_annotations(json, &mut test.annotations)?,
            b"results" if project_name.is_none() => later.defer(json, RESULTS)?,
            b"results" => results(json, &mut test, project(&project_name, &project_id))?,
            _ => json.skip_value()?,
        }
        Ok(())
    })?;
    later.replay(json, |json, _| {
        results(json, &mut test, project(&project_name, &project_id))
    })?;
    test.project = project_name.or(project_id).unwrap_or_default();
    Ok(test)
}

/// A test's `results` array: its attempts, in order.
pub(super) fn read_results<R: Read>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    titles: &[String],
    file: Option<&str>,
    project: &str,
    test: &mut PartialTest,
) -> Result<(), JsonError> {
    let mut index = 0u32;
    array(json, "`results`", |json| {
        let origin = |kind| TextOrigin {
            file,
            title_path: titles,
            project,
            attempt: Some(index),
            kind,
        };
        let attempt = read_result(json, sink, &origin, index, &mut test.annotations)?;
        test.attempts.push(attempt);
        index += 1;
        Ok(())
    })
}

/// The keys of a result the gate reads.
pub(super) const RESULT_KEYS: &[&[u8]] = &[
    b"status",
    b"retry",
    b"error",
    b"errors",
    b"stdout",
    b"stderr",
    b"annotations",
];

/// One result (attempt): stdout, stderr and error messages go to the sink as they are read.
pub(super) fn read_result<'o, R: Read>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    origin: &dyn Fn(TextKind) -> TextOrigin<'o>,
    index: u32,
    annotations: &mut Vec<TestAnnotation>,
) -> Result<Attempt, JsonError> {
    let mut attempt = Attempt {
        status: None,
        retry: index,
        errors: Vec::new(),
        error_location: None,
    };
    // `error` repeats `errors[0]` in every report that has `errors`: keep its raw bytes and
    // decode them only for reports without `errors` (before 1.22).
    let mut raw_error: Option<Vec<u8>> = None;
    object(json, "a result", RESULT_KEYS, |json, key| {
        match key {
            b"status" => {
                attempt.status = json
                    .read_optional_string()?
                    .as_deref()
                    .and_then(Status::parse)
            }
            b"retry" => attempt.retry = json.read_u64()?.map_or(index, |r| clamp(Some(r))),
            b"error" => {
                if !json.take_null()? {
                    let mut raw = Vec::new();
                    json.capture_value(&mut raw)?;
                    raw_error = Some(raw);
                }
            }
            b"errors" => array(json, "`errors`", |json| {
                let error_origin = origin(TextKind::Error);
                let (message, location) = read_error(json, &mut |piece, last| {
                    hand_text(sink, error_origin, piece, last)
                })?;
                if attempt.error_location.is_none() {
                    attempt.error_location = location;
                }
                attempt.errors.push(message);
                Ok(())
            })?,
            b"stdout" | b"stderr" => {
                let kind = if key == b"stdout" {
                    TextKind::Stdout
                } else {
                    TextKind::Stderr
                };
                let origin = origin(kind);
                array(json, "`stdout`", |json| {
                    read_stdio_entry(json, sink, origin)
                })?;
            }
            b"annotations" => read_annotations(json, annotations)?,
            _ => json.skip_value()?,
        }
        Ok(())
    })?;
    // Reports before `errors` existed carry only `error`.
    if let Some(raw) = raw_error
        && attempt.errors.is_empty()
    {
        let mut inner = JsonReader::with_buffer(raw.as_slice(), raw.len());
        let error_origin = origin(TextKind::Error);
        let (message, location) = read_error(&mut inner, &mut |piece, last| {
            hand_text(sink, error_origin, piece, last)
        })?;
        attempt.errors.push(message);
        if attempt.error_location.is_none() {
            attempt.error_location = location;
        }
    }
    Ok(attempt)
}

/// One stdout/stderr entry: `{ "text": … }`, `{ "buffer": <base64> }` or a bare string.
pub(super) fn read_stdio_entry<R: Read>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
    origin: TextOrigin<'_>,
) -> Result<(), JsonError> {
    match json.kind()? {
        Kind::String => read_whole_text(json, &mut |piece, last| {
            hand_text(sink, origin, piece, last)
        }),
        Kind::Object => object(
            json,
            "a stdout entry",
            &[b"text", b"buffer"],
            |json, key| {
                match key {
                    b"text" if json.kind()? == Kind::String => {
                        read_whole_text(json, &mut |piece, last| {
                            hand_text(sink, origin, piece, last)
                        })?
                    }
                    b"buffer" if json.kind()? == Kind::String => {
                        use base64::Engine as _;
                        let mut encoded = Vec::new();
                        json.read_text_pieces(&mut |piece| {
                            encoded.extend_from_slice(piece.as_bytes())
                        })?;
                        if let Ok(bytes) =
                            base64::engine::general_purpose::STANDARD.decode(&encoded)
                        {
                            let count = bytes.len().div_ceil(TEXT_PIECE);
                            for (index, piece) in bytes.chunks(TEXT_PIECE).enumerate() {
                                let piece = String::from_utf8_lossy(piece);
                                hand_text(sink, origin, &piece, index + 1 == count);
                            }
                        }
                    }
                    _ => json.skip_value()?,
                }
                Ok(())
            },
        ),
        _ => json.skip_value(),
    }
}
