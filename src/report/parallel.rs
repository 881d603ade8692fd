//! The two-reader path: a report of at least [`TWO_READERS_FROM`] bytes, indented as
//! Playwright writes it, is read by two threads, the second starting at a top-level suite near
//! the middle ([`read_report_in_two`]). Every test is still read exactly once.
//!
//! The threshold can be changed with the `ITM_GATE_TWO_READERS_FROM` environment variable (a
//! byte count; `1` forces the path for every report, `18446744073709551615` turns it off), used
//! by the tests and the benchmarks ([`two_readers_from_env`]).

use super::*;

/// Reports from this size on are read by two threads (see [`read_report_in_two`]).
pub const TWO_READERS_FROM: u64 = 32 * 1024 * 1024;

/// What a report's second reader read: everything it gave its sink is to be kept only when
/// this says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondHalf {
    /// The report was read by one reader; the second sink received nothing.
    NotUsed,
    /// The second reader read the top-level suites from the split to the end of `suites`, and
    /// the first reader stopped exactly there: the second sink's tests belong to the report.
    Used,
    /// The second reader started, but its part was not confirmed (or it failed): the first
    /// reader read the whole report itself. Drop what the second sink received.
    Discarded,
}

/// Reads one report, using a second thread for the second half of the top-level suites when
/// the report is at least `min_size` bytes and is indented as Playwright writes it.
///
/// The first reader reads the report from the start as [`read_report`] does. The second
/// starts at a top-level suite near the middle of the file (found by its indentation: a line
/// holding only `{` at four spaces, followed by `"title"`, which no string can contain since
/// JSON strings hold no raw line breaks) and reads suites up to the end of the `suites` array.
/// Its part counts only if the first reader, element by element, arrives exactly at the
/// second reader's first byte; otherwise the first reader goes on alone. Either way every test
/// is read exactly once.
pub fn read_report_in_two<S: ReportSink + Send>(
    path: &Path,
    first: &mut S,
    second: &mut S,
    min_size: u64,
) -> Result<SecondHalf, ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    let split = if size >= min_size.max(1) {
        find_split(path, size).ok().flatten()
    } else {
        None
    };
    let Some((start, config)) = split else {
        return read_report(path, first).map(|()| SecondHalf::NotUsed);
    };
    let second_file = crate::paths::open_regular(path).map_err(io)?;
    let first_file = crate::paths::open_regular(path).map_err(io)?;
    second.config(config);
    std::thread::scope(|scope| {
        let helper = scope.spawn(move || -> Result<u64, JsonError> {
            let mut json = JsonReader::new(second_file);
            json.seek_to(start)?;
            // It starts inside the root object and its `suites` array.
            json.set_depth(2);
            read_suites_tail(&mut json, second)
        });
        let mut helper = Some(helper);
        let mut outcome = SecondHalf::Discarded;
        let mut json = JsonReader::new(first_file);
        let read = read_root(&mut json, first, &mut |json| {
            if json.next_offset()? != start {
                return Ok(false);
            }
            let joined = helper.take().map(|h| h.join());
            match joined {
                Some(Ok(Ok(end))) => {
                    json.seek_to(end)?;
                    outcome = SecondHalf::Used;
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
        .map_err(Problem::Json)
        .and_then(|shape| {
            json.end().map_err(Problem::Json)?;
            shape.check()
        });
        if let Some(helper) = helper.take() {
            let _ = helper.join();
        }
        read.map(|()| outcome)
            .map_err(|problem| problem.into_error(path, size))
    })
}

/// Finds where a second reader can start: the offset of a top-level suite near the middle,
/// and the report's config (read from the start).
pub(super) fn find_split(path: &Path, size: u64) -> Result<Option<(u64, ReportConfig)>, JsonError> {
    use std::io::{Seek, SeekFrom};
    const MARK: &[u8] = b"\n    {\n      \"title\": ";
    // The config comes first in every report Playwright writes.
    let file = crate::paths::open_regular(path).map_err(|e| JsonError::Io(e.to_string()))?;
    let mut json = JsonReader::with_buffer(file, 64 * 1024);
    if json.kind()? != Kind::Object {
        return Ok(None);
    }
    json.begin_object()?;
    let (mut key, mut first) = (Vec::new(), true);
    if !json.next_key(&mut key, &mut first)? || key != b"config" {
        return Ok(None);
    }
    let config = read_config(&mut json)?;
    let after_config = json.offset();
    // Look for a suite start in the 4 MiB after the middle.
    let mut file = crate::paths::open_regular(path).map_err(|e| JsonError::Io(e.to_string()))?;
    let middle = (size / 2).max(after_config);
    file.seek(SeekFrom::Start(middle))
        .map_err(|e| JsonError::Io(e.to_string()))?;
    let mut window = Vec::new();
    file.take(4 * 1024 * 1024)
        .read_to_end(&mut window)
        .map_err(|e| JsonError::Io(e.to_string()))?;
    Ok(memchr::memmem::find(&window, MARK).map(|at| (middle + at as u64 + 5, config)))
}

/// The second reader: top-level suites from its start to the end of the `suites` array;
/// returns the offset just past the closing `]`.
pub(super) fn read_suites_tail<R: Read + Seek>(
    json: &mut Json<R>,
    sink: &mut dyn ReportSink,
) -> Result<u64, JsonError> {
    let mut titles = Vec::new();
    loop {
        if json.kind()? != Kind::Object {
            return Err(json.shape("expected a suite"));
        }
        read_suite(json, sink, &mut titles, None)?;
        if !json.after_element()? {
            return Ok(json.offset());
        }
    }
}

/// The size from which reports are read by two readers: `ITM_GATE_TWO_READERS_FROM` when it
/// is a byte count, else [`TWO_READERS_FROM`].
pub fn two_readers_from_env() -> u64 {
    crate::runner::env_value("ITM_GATE_TWO_READERS_FROM")
        .and_then(|v| v.parse().ok())
        .unwrap_or(TWO_READERS_FROM)
}
