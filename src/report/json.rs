//! A small streaming JSON pull parser, made for reading large Playwright reports fast.
//!
//! Reports are mostly strings that the gate never looks at (attachment bodies, steps, stacks).
//! This reader skips a string by searching the buffer for the next `"` or `\` with `memchr`,
//! so skipping runs at memory speed, and reads from a fixed-size buffer, so memory stays flat
//! whatever the size of the file. Values the gate needs are decoded on demand; long texts are
//! handed over in pieces of a few megabytes at most.

use std::io::Read;

/// Size of the read buffer.
const BUFFER: usize = 1 << 20;

/// Size from which [`JsonReader::read_text_pieces`] hands text over (a piece is at most twice it).
pub const TEXT_PIECE: usize = 1 << 20;

/// Longest string kept by [`JsonReader::read_string`]; the rest is skipped.
pub const MAX_STRING: usize = 64 * 1024;

/// What went wrong, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// The input ended inside a value.
    Eof,
    /// A byte that cannot stand there.
    Syntax {
        /// Byte offset of the problem.
        offset: u64,
        /// What was expected.
        expected: &'static str,
    },
    /// The value has the wrong type for a Playwright report.
    Shape {
        /// Byte offset of the value.
        offset: u64,
        /// What was expected and where.
        message: String,
    },
    /// Nested deeper than a report ever is.
    TooDeep {
        /// Byte offset where the limit was reached.
        offset: u64,
    },
    /// The file could not be read.
    Io(String),
}

/// The kind of the next value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{`
    Object,
    /// `[`
    Array,
    /// `"`
    String,
    /// `-` or a digit
    Number,
    /// `true` or `false`
    Bool,
    /// `null`
    Null,
}

/// A pull parser over any reader.
pub struct JsonReader<R> {
    reader: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    /// Bytes consumed before `buf[0]`.
    base: u64,
    eof: bool,
    /// Reused for strings with escapes or across buffer refills.
    scratch: Vec<u8>,
    /// While capturing: where the captured bytes start in `buf`.
    capture_from: Option<usize>,
    /// Bytes captured before the last refill.
    captured: Vec<u8>,
}

impl<R: Read> JsonReader<R> {
    /// A reader with a 1 MiB buffer.
    pub fn new(reader: R) -> Self {
        Self::with_buffer(reader, BUFFER)
    }

    /// A reader with a buffer of `size` bytes (at least 64).
    pub fn with_buffer(reader: R, size: usize) -> Self {
        JsonReader {
            reader,
            buf: vec![0; size.max(64)].into_boxed_slice(),
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            scratch: Vec::new(),
            capture_from: None,
            captured: Vec::new(),
        }
    }

    /// Byte offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn syntax(&self, expected: &'static str) -> JsonError {
        JsonError::Syntax {
            offset: self.offset(),
            expected,
        }
    }

    /// An error for a value of the wrong type.
    pub fn shape(&self, message: impl Into<String>) -> JsonError {
        JsonError::Shape {
            offset: self.offset(),
            message: message.into(),
        }
    }

    /// Refills the buffer; `false` at the end of the input.
    fn fill(&mut self) -> Result<bool, JsonError> {
        if self.eof {
            return Ok(false);
        }
        if let Some(from) = self.capture_from {
            self.captured.extend_from_slice(&self.buf[from..self.pos]);
            self.capture_from = Some(0);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        while self.end < self.buf.len() {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(JsonError::Io(e.to_string())),
            }
        }
        Ok(self.end > self.pos)
    }

    /// The next byte that is not white space, without consuming it.
    fn peek(&mut self) -> Result<Option<u8>, JsonError> {
        loop {
            while self.pos < self.end {
                match self.buf[self.pos] {
                    b' ' | b'\n' | b'\r' | b'\t' => {
                        self.pos += 1;
                        // Reports are indented: step over runs of spaces eight at a time.
                        while let Some(word) = self.buf.get(self.pos..self.pos + 8)
                            && self.pos + 8 <= self.end
                            && word == b"        "
                        {
                            self.pos += 8;
                        }
                    }
                    b => return Ok(Some(b)),
                }
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    fn peek_required(&mut self) -> Result<u8, JsonError> {
        self.peek()?.ok_or(JsonError::Eof)
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), JsonError> {
        if self.peek_required()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(expected))
        }
    }

    /// The kind of the next value.
    pub fn kind(&mut self) -> Result<Kind, JsonError> {
        match self.peek_required()? {
            b'{' => Ok(Kind::Object),
            b'[' => Ok(Kind::Array),
            b'"' => Ok(Kind::String),
            b'-' | b'0'..=b'9' => Ok(Kind::Number),
            b't' | b'f' => Ok(Kind::Bool),
            b'n' => Ok(Kind::Null),
            _ => Err(self.syntax("a JSON value")),
        }
    }

    /// Consumes `null` when it is next; `true` if it was.
    pub fn take_null(&mut self) -> Result<bool, JsonError> {
        if self.peek_required()? == b'n' {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), JsonError> {
        for &expected in word {
            if self.pos >= self.end && !self.fill()? {
                return Err(JsonError::Eof);
            }
            if self.buf[self.pos] != expected {
                return Err(self.syntax("true, false or null"));
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// Starts reading an object.
    pub fn begin_object(&mut self) -> Result<(), JsonError> {
        self.expect(b'{', "`{`")
    }

    /// The next key of the current object (its bytes, decoded, into `key`), or `false` at
    /// its end. Call after [`begin_object`](Self::begin_object) with `first` set, and after
    /// each value; keys after the first must follow a `,`.
    pub fn next_key(&mut self, key: &mut Vec<u8>, first: &mut bool) -> Result<bool, JsonError> {
        match self.peek_required()? {
            b'}' => {
                self.pos += 1;
                return Ok(false);
            }
            b',' if !*first => {
                self.pos += 1;
            }
            b'"' if *first => {}
            _ if *first => return Err(self.syntax("an object key or `}`")),
            _ => return Err(self.syntax("`,` or `}`")),
        }
        *first = false;
        if self.peek_required()? != b'"' {
            return Err(self.syntax("an object key"));
        }
        key.clear();
        self.pos += 1;
        // Keys are short and plain: take them straight from the buffer when they are whole.
        let window = &self.buf[self.pos..self.end];
        if let Some(i) = window.iter().position(|&b| b == b'"' || b == b'\\')
            && window[i] == b'"'
        {
            key.extend_from_slice(&window[..i]);
            self.pos += i + 1;
            return self.expect(b':', "`:`").map(|()| true);
        }
        while !self.string_chunk(key, MAX_STRING)? {}
        self.expect(b':', "`:`")?;
        Ok(true)
    }

    /// Starts reading an array.
    pub fn begin_array(&mut self) -> Result<(), JsonError> {
        self.expect(b'[', "`[`")
    }

    /// Whether the current array has another element (consumes the separator or the `]`).
    pub fn next_element(&mut self, first: &mut bool) -> Result<bool, JsonError> {
        match self.peek_required()? {
            b']' => {
                self.pos += 1;
                Ok(false)
            }
            b',' if !*first => {
                self.pos += 1;
                Ok(true)
            }
            _ if *first => {
                *first = false;
                Ok(true)
            }
            _ => Err(self.syntax("`,` or `]`")),
        }
    }

    /// Byte offset of the next value (white space skipped).
    pub fn next_offset(&mut self) -> Result<u64, JsonError> {
        self.peek_required()?;
        Ok(self.offset())
    }

    /// After an array element: `true` past a `,` (another element follows), `false` past the
    /// closing `]`.
    pub fn after_element(&mut self) -> Result<bool, JsonError> {
        match self.peek_required()? {
            b',' => {
                self.pos += 1;
                Ok(true)
            }
            b']' => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(self.syntax("`,` or `]`")),
        }
    }

    /// Reads a string, keeping at most [`MAX_STRING`] bytes of it.
    pub fn read_string(&mut self) -> Result<String, JsonError> {
        if self.peek_required()? != b'"' {
            return Err(self.shape("expected a string"));
        }
        let mut out = String::new();
        self.string_into(&mut out, MAX_STRING)?;
        Ok(out)
    }

    /// A string, or `None` for `null`.
    pub fn read_optional_string(&mut self) -> Result<Option<String>, JsonError> {
        if self.take_null()? {
            return Ok(None);
        }
        self.read_string().map(Some)
    }

    /// Reads a string and hands it over in pieces of at most twice [`TEXT_PIECE`] bytes, cut after
    /// a line break where there is one, so a text of any size is never held whole.
    pub fn read_text_pieces(&mut self, piece: &mut dyn FnMut(&str)) -> Result<(), JsonError> {
        if self.peek_required()? != b'"' {
            return Err(self.shape("expected a string"));
        }
        self.pos += 1;
        let mut text = Vec::new();
        loop {
            let done = self.string_chunk(&mut text, usize::MAX)?;
            if text.len() >= TEXT_PIECE || done {
                let cut = if done {
                    text.len()
                } else {
                    memchr::memrchr(b'\n', &text).map_or(text.len(), |i| i + 1)
                };
                let rest = text.split_off(cut);
                piece(&String::from_utf8_lossy(&text));
                text = rest;
            }
            if done {
                if !text.is_empty() {
                    piece(&String::from_utf8_lossy(&text));
                }
                return Ok(());
            }
        }
    }

    /// Decodes a whole string into `out` (after the opening quote is next), keeping at most
    /// `max` bytes.
    fn string_into(&mut self, out: &mut String, max: usize) -> Result<(), JsonError> {
        self.pos += 1; // the opening quote
        // Fast path: the whole string is buffered and has no escapes.
        let window = &self.buf[self.pos..self.end];
        let short = window
            .iter()
            .take(32)
            .position(|&b| b == b'"' || b == b'\\');
        let found = match short {
            Some(i) => Some(i),
            None if window.len() > 32 => {
                memchr::memchr2(b'"', b'\\', &window[32..]).map(|i| i + 32)
            }
            None => None,
        };
        if let Some(i) = found
            && window[i] == b'"'
        {
            let bytes = &window[..i.min(max)];
            match std::str::from_utf8(bytes) {
                Ok(text) => out.push_str(text),
                Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
            }
            self.pos += i + 1;
            return Ok(());
        }
        let mut bytes = std::mem::take(&mut self.scratch);
        bytes.clear();
        let done = loop {
            match self.string_chunk(&mut bytes, max) {
                Ok(true) => break Ok(()),
                Ok(false) => {}
                Err(err) => break Err(err),
            }
        };
        match std::str::from_utf8(&bytes) {
            Ok(text) => out.push_str(text),
            Err(_) => out.push_str(&String::from_utf8_lossy(&bytes)),
        }
        self.scratch = bytes;
        done
    }

    /// Decodes string bytes from the buffer into `out` (up to `max` bytes kept) until the
    /// closing quote (`true`) or the end of the buffered data (`false`).
    fn string_chunk(&mut self, out: &mut Vec<u8>, max: usize) -> Result<bool, JsonError> {
        loop {
            if self.pos >= self.end && !self.fill()? {
                return Err(JsonError::Eof);
            }
            let window = &self.buf[self.pos..self.end];
            match memchr::memchr2(b'"', b'\\', window) {
                None => {
                    keep(out, window, max);
                    self.pos = self.end;
                    if out.len() >= TEXT_PIECE {
                        return Ok(false);
                    }
                }
                Some(i) => {
                    keep(out, &window[..i], max);
                    let quote = window[i] == b'"';
                    self.pos += i + 1;
                    if quote {
                        return Ok(true);
                    }
                    self.escape(out, max)?;
                    if out.len() >= TEXT_PIECE {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Decodes one escape (after the backslash).
    fn escape(&mut self, out: &mut Vec<u8>, max: usize) -> Result<(), JsonError> {
        let byte = self.next_byte()?;
        let decoded: char = match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) {
                    // A surrogate pair: `\uD83D\uDE00`.
                    if self.next_byte()? != b'\\' || self.next_byte()? != b'u' {
                        return Err(self.syntax("the low half of a surrogate pair"));
                    }
                    let low = self.hex4()?;
                    let code =
                        0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                    char::from_u32(code).unwrap_or('\u{FFFD}')
                } else {
                    char::from_u32(high).unwrap_or('\u{FFFD}')
                }
            }
            _ => return Err(self.syntax("a valid escape sequence")),
        };
        let mut tmp = [0u8; 4];
        keep(out, decoded.encode_utf8(&mut tmp).as_bytes(), max);
        Ok(())
    }

    fn next_byte(&mut self) -> Result<u8, JsonError> {
        if self.pos >= self.end && !self.fill()? {
            return Err(JsonError::Eof);
        }
        let byte = self.buf[self.pos];
        self.pos += 1;
        Ok(byte)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = (self.next_byte()? as char)
                .to_digit(16)
                .ok_or_else(|| self.syntax("four hex digits"))?;
            value = value * 16 + digit;
        }
        Ok(value)
    }

    /// Reads a non-negative integer (a fraction is cut off), or `None` for `null`.
    pub fn read_u64(&mut self) -> Result<Option<u64>, JsonError> {
        if self.take_null()? {
            return Ok(None);
        }
        if self.kind()? != Kind::Number {
            return Err(self.shape("expected a number"));
        }
        let mut value: u64 = 0;
        let mut negative = false;
        let mut integer = true;
        let mut digits = 0;
        loop {
            if self.pos >= self.end && !self.fill()? {
                break;
            }
            match self.buf[self.pos] {
                b'-' if digits == 0 => negative = true,
                b @ b'0'..=b'9' => {
                    digits += 1;
                    if integer {
                        value = value.saturating_mul(10).saturating_add(u64::from(b - b'0'));
                    }
                }
                b'.' | b'e' | b'E' | b'+' => integer = false,
                b'-' => {}
                _ => break,
            }
            self.pos += 1;
        }
        if digits == 0 {
            return Err(self.syntax("a number"));
        }
        Ok(Some(if negative { 0 } else { value }))
    }

    /// Copies the next value's raw bytes into `into` without decoding it (decode it later with
    /// a reader over the bytes, only if it turns out to be needed).
    pub fn capture_value(&mut self, into: &mut Vec<u8>) -> Result<(), JsonError> {
        self.peek_required()?;
        self.captured.clear();
        self.capture_from = Some(self.pos);
        let skipped = self.skip_value();
        if let Some(from) = self.capture_from.take() {
            self.captured.extend_from_slice(&self.buf[from..self.pos]);
        }
        into.clear();
        into.append(&mut self.captured);
        skipped
    }

    /// Skips the next value, whatever it is, without storing anything.
    pub fn skip_value(&mut self) -> Result<(), JsonError> {
        match self.kind()? {
            Kind::String => {
                self.pos += 1;
                self.skip_string_rest()
            }
            Kind::Number => self.read_u64().map(drop),
            Kind::Bool => {
                if self.peek_required()? == b't' {
                    self.literal(b"true")
                } else {
                    self.literal(b"false")
                }
            }
            Kind::Null => self.literal(b"null"),
            Kind::Object | Kind::Array => self.skip_container(),
        }
    }

    /// Skips the rest of a string after its opening quote.
    fn skip_string_rest(&mut self) -> Result<(), JsonError> {
        // Most skipped strings are short: look at a few bytes before calling memchr.
        let window = &self.buf[self.pos..self.end];
        if let Some(i) = window
            .iter()
            .take(24)
            .position(|&b| b == b'"' || b == b'\\')
            && window[i] == b'"'
        {
            self.pos += i + 1;
            return Ok(());
        }
        loop {
            if self.pos >= self.end && !self.fill()? {
                return Err(JsonError::Eof);
            }
            match memchr::memchr2(b'"', b'\\', &self.buf[self.pos..self.end]) {
                None => self.pos = self.end,
                Some(i) => {
                    let quote = self.buf[self.pos + i] == b'"';
                    self.pos += i + 1;
                    if quote {
                        return Ok(());
                    }
                    self.next_byte()?; // the escaped byte
                }
            }
        }
    }

    /// Skips an object or array by counting brackets; iterative, so any depth is safe.
    fn skip_container(&mut self) -> Result<(), JsonError> {
        let mut depth = 0usize;
        loop {
            if self.pos >= self.end && !self.fill()? {
                return Err(JsonError::Eof);
            }
            // Step over eight bytes at a time while they hold no quote or bracket (the white
            // space and numbers between the strings of an indented report).
            while self.pos + 8 <= self.end {
                let word = u64::from_le_bytes(
                    self.buf[self.pos..self.pos + 8]
                        .try_into()
                        .expect("eight bytes"),
                );
                if has_structural_byte(word) {
                    break;
                }
                self.pos += 8;
            }
            if self.pos >= self.end {
                continue;
            }
            let byte = self.buf[self.pos];
            self.pos += 1;
            match byte {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                b'"' => self.skip_string_rest()?,
                _ => {}
            }
        }
    }

    /// Checks that nothing but white space follows the root value.
    pub fn end(&mut self) -> Result<(), JsonError> {
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(self.syntax("the end of the file after the report")),
        }
    }
}

/// Whether any byte of `word` is `"`, `{`, `}`, `[` or `]` (a bit trick: a byte equal to `b`
/// turns into zero after the XOR, and the subtraction borrows through it).
fn has_structural_byte(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |w: u64, b: u8| {
        let v = w ^ (ONES * u64::from(b));
        v.wrapping_sub(ONES) & !v & HIGHS != 0
    };
    // `[` and `]` differ from `{` and `}` only in bit 0x20.
    let folded = word | (ONES * 0x20);
    has(word, b'"') || has(folded, b'{') || has(folded, b'}')
}

impl<R: Read + std::io::Seek> JsonReader<R> {
    /// Continues reading at byte `offset` of the input, dropping what is buffered.
    pub fn seek_to(&mut self, offset: u64) -> Result<(), JsonError> {
        self.reader
            .seek(std::io::SeekFrom::Start(offset))
            .map_err(|e| JsonError::Io(e.to_string()))?;
        self.pos = 0;
        self.end = 0;
        self.base = offset;
        self.eof = false;
        self.capture_from = None;
        Ok(())
    }
}

/// Appends `bytes` to `out` while it holds fewer than `max` bytes.
fn keep(out: &mut Vec<u8>, bytes: &[u8], max: usize) {
    if out.len() < max {
        let room = max - out.len();
        out.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(text: &str) -> JsonReader<&[u8]> {
        JsonReader::new(text.as_bytes())
    }

    #[test]
    fn reads_objects_arrays_strings_and_numbers() {
        let mut r = reader(
            r#" { "a" : [1, 2.5, -3], "b\u00e9": "x\"y\\z\n\u263A\ud83d\ude00", "c": null } "#,
        );
        let mut key = Vec::new();
        let mut first_key = true;
        r.begin_object().unwrap();
        assert!(r.next_key(&mut key, &mut first_key).unwrap());
        assert_eq!(key, b"a");
        r.begin_array().unwrap();
        let mut first = true;
        let mut numbers = vec![];
        while r.next_element(&mut first).unwrap() {
            numbers.push(r.read_u64().unwrap());
        }
        assert_eq!(numbers, vec![Some(1), Some(2), Some(0)]);
        assert!(r.next_key(&mut key, &mut first_key).unwrap());
        assert_eq!(key, "bé".as_bytes());
        assert_eq!(r.read_string().unwrap(), "x\"y\\z\n☺😀");
        assert!(r.next_key(&mut key, &mut first_key).unwrap());
        assert_eq!(r.read_optional_string().unwrap(), None);
        assert!(!r.next_key(&mut key, &mut first_key).unwrap());
        r.end().unwrap();
    }

    #[test]
    fn skips_anything_at_any_depth() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let text = format!(r#"[{{"x": "a\"]}}", "y": [true, false, null, {{}}]}}, {deep}, 7]"#);
        let mut r = reader(&text);
        r.begin_array().unwrap();
        let mut first = true;
        let mut count = 0;
        while r.next_element(&mut first).unwrap() {
            r.skip_value().unwrap();
            count += 1;
        }
        assert_eq!(count, 3);
        r.end().unwrap();
    }

    #[test]
    fn truncation_is_eof_and_garbage_is_syntax() {
        let mut r = reader(r#"{"a": "unfinished"#);
        r.begin_object().unwrap();
        let mut key = Vec::new();
        let mut first_key = true;
        r.next_key(&mut key, &mut first_key).unwrap();
        assert_eq!(r.skip_value(), Err(JsonError::Eof));
        let mut r = reader("<html>");
        assert_eq!(
            r.kind(),
            Err(JsonError::Syntax {
                offset: 0,
                expected: "a JSON value"
            })
        );
        let mut r = reader("nope");
        assert!(matches!(
            r.skip_value(),
            Err(JsonError::Syntax { offset: 1, .. })
        ));
        let mut r = reader("{} {}");
        r.skip_value().unwrap();
        assert!(matches!(r.end(), Err(JsonError::Syntax { offset: 3, .. })));
    }

    #[test]
    fn long_texts_come_in_pieces_cut_at_line_breaks() {
        let line = "x".repeat(1000) + "\n";
        let text = line.repeat(3000); // ~3 MB
        let json = serde_json::to_string(&text).unwrap();
        let mut r = reader(&json);
        let mut pieces = vec![];
        r.read_text_pieces(&mut |p| pieces.push(p.to_string()))
            .unwrap();
        assert!(pieces.len() >= 3);
        assert!(pieces.iter().all(|p| p.len() <= 2 * TEXT_PIECE));
        assert!(pieces[..pieces.len() - 1].iter().all(|p| p.ends_with('\n')));
        assert_eq!(pieces.concat(), text);
    }

    #[test]
    fn strings_that_cross_buffer_refills_are_whole() {
        let big = "é".repeat(BUFFER); // 2 MiB of two-byte characters
        let json = format!(r#"["{big}", "after"]"#);
        let mut r = reader(&json);
        r.begin_array().unwrap();
        let mut first = true;
        assert!(r.next_element(&mut first).unwrap());
        r.skip_value().unwrap();
        assert!(r.next_element(&mut first).unwrap());
        assert_eq!(r.read_string().unwrap(), "after");
    }

    #[test]
    fn captured_values_are_byte_exact_across_refills() {
        let big = "x".repeat(3 * 64);
        let json = format!(r#"[{{"message": "a\u001b[31m{big}", "n": [1, {{}}]}}, 2]"#);
        let mut r = JsonReader::with_buffer(json.as_bytes(), 64);
        r.begin_array().unwrap();
        let mut first = true;
        assert!(r.next_element(&mut first).unwrap());
        let mut raw = Vec::new();
        r.capture_value(&mut raw).unwrap();
        let expected = json[1..json.rfind(", 2]").unwrap()].to_string();
        assert_eq!(String::from_utf8(raw).unwrap(), expected);
        assert!(r.next_element(&mut first).unwrap());
        assert_eq!(r.read_u64().unwrap(), Some(2));
    }

    #[test]
    fn structural_bytes_are_found_in_any_lane() {
        for (lane, byte) in [b'"', b'{', b'}', b'[', b']'].iter().enumerate() {
            for position in 0..8 {
                let mut bytes = *b"   12 , ";
                bytes[position] = *byte;
                assert!(
                    has_structural_byte(u64::from_le_bytes(bytes)),
                    "{lane} at {position}"
                );
            }
        }
        for quiet in [
            *b"        ",
            *b"12345678",
            *b"true,nul",
            *b"\n\t:-.eE+",
            *b"{{{{{{{{",
        ] {
            let expect = quiet.iter().any(|b| b"\"{}[]".contains(b));
            assert_eq!(has_structural_byte(u64::from_le_bytes(quiet)), expect);
        }
        // Bytes that fold onto a bracket only through 0x20 are brackets themselves.
        for b in 0u8..=255 {
            let word = u64::from_le_bytes([b, b' ', b' ', b' ', b' ', b' ', b' ', b' ']);
            assert_eq!(
                has_structural_byte(word),
                b"\"{}[]".contains(&b),
                "byte {b}"
            );
        }
    }

    #[test]
    fn separators_are_required_and_trailing_ones_refused() {
        for broken in [
            r#"{"a": 1 "b": 2}"#,
            r#"{"a": 1,}"#,
            r#"{,"a": 1}"#,
            r#"[1 2]"#,
            r#"[1,]"#,
            r#"[,1]"#,
        ] {
            let mut r = reader(broken);
            let outcome = (|| -> Result<(), JsonError> {
                if r.kind()? == Kind::Object {
                    r.begin_object()?;
                    let (mut key, mut first) = (Vec::new(), true);
                    while r.next_key(&mut key, &mut first)? {
                        r.skip_value()?;
                    }
                } else {
                    r.begin_array()?;
                    let mut first = true;
                    while r.next_element(&mut first)? {
                        r.skip_value()?;
                    }
                }
                Ok(())
            })();
            assert!(
                matches!(outcome, Err(JsonError::Syntax { .. })),
                "{broken}: {outcome:?}"
            );
        }
    }
}
