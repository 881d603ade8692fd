//! A small streaming JSON pull parser, made for reading large Playwright reports fast.
//!
//! Reports are mostly strings that the gate never looks at (attachment bodies, steps, stacks).
//! This reader skips a string by searching the buffer for the next `"` or `\` with `memchr`,
//! so skipping runs at memory speed, and reads from a fixed-size buffer, so memory stays flat
//! whatever the size of the file. Values the gate needs are decoded on demand; long texts are
//! handed over in pieces of a few megabytes at most.
//!
//! The reader validates everything it passes, also the values it skips: it accepts exactly the
//! inputs `serde_json` accepts (bracket kinds, commas and colons, literals, the number grammar
//! and range, string escapes with paired surrogates, no raw control characters, UTF-8, nesting
//! at most [`MAX_DEPTH`] deep, nothing after the root value). Skipping is a small state machine
//! over the bytes that allocates nothing and never recurses.

use std::io::Read;

/// Size of the read buffer.
const BUFFER: usize = 1 << 20;

/// Size from which [`JsonReader::read_text_pieces`] hands text over (a piece is at most twice it).
pub const TEXT_PIECE: usize = 1 << 20;

/// Longest string kept by [`JsonReader::read_string`]; the rest is skipped.
pub const MAX_STRING: usize = 64 * 1024;

/// Deepest nesting of objects and arrays accepted, as `serde_json` (whose limit of 128
/// refuses the 128th level).
pub const MAX_DEPTH: usize = 127;

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
    /// Objects and arrays open at the read position.
    depth: usize,
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
            depth: 0,
        }
    }

    /// Objects and arrays open at the read position.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Sets how many objects and arrays are open, for a reader that starts inside a value
    /// (after [`seek_to`](JsonReader::seek_to)).
    pub fn set_depth(&mut self, depth: usize) {
        self.depth = depth;
    }

    /// Opens a container at the read position (its bracket is next).
    fn enter(&mut self) -> Result<(), JsonError> {
        if self.depth >= MAX_DEPTH {
            return Err(JsonError::TooDeep {
                offset: self.offset(),
            });
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    /// Closes a container (its bracket is next).
    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.pos += 1;
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
        if self.peek_required()? != b'{' {
            return Err(self.syntax("`{`"));
        }
        self.enter()
    }

    /// The next key of the current object (its bytes, decoded, into `key`), or `false` at
    /// its end. Call after [`begin_object`](Self::begin_object) with `first` set, and after
    /// each value; keys after the first must follow a `,`.
    pub fn next_key(&mut self, key: &mut Vec<u8>, first: &mut bool) -> Result<bool, JsonError> {
        match self.peek_required()? {
            b'}' => {
                self.leave();
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
        if let Some(i) = plain_string(window) {
            key.extend_from_slice(&window[..i]);
            self.pos += i + 1;
            return self.expect(b':', "`:`").map(|()| true);
        }
        while !self.string_chunk(Some(key), MAX_STRING)? {}
        self.expect(b':', "`:`")?;
        Ok(true)
    }

    /// Starts reading an array.
    pub fn begin_array(&mut self) -> Result<(), JsonError> {
        if self.peek_required()? != b'[' {
            return Err(self.syntax("`[`"));
        }
        self.enter()
    }

    /// Whether the current array has another element (consumes the separator or the `]`).
    pub fn next_element(&mut self, first: &mut bool) -> Result<bool, JsonError> {
        match self.peek_required()? {
            b']' => {
                self.leave();
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

    /// Leaves the array whose closing `]` another reader consumed (see
    /// [`seek_to`](JsonReader::seek_to)).
    pub fn left_array(&mut self) {
        self.depth = self.depth.saturating_sub(1);
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
                self.leave();
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
            let done = self.string_chunk(Some(&mut text), usize::MAX)?;
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
        let found = match plain_string(&window[..window.len().min(32)]) {
            Some(i) => Some(i),
            None => memchr::memchr2(b'"', b'\\', window)
                .filter(|&i| window[i] == b'"' && check_text(&window[..i]) == Ok(i)),
        };
        if let Some(i) = found {
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
            match self.string_chunk(Some(&mut bytes), max) {
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

    /// Checks string bytes from the buffer, and decodes them into `out` when there is one (up
    /// to `max` bytes kept), until the closing quote (`true`) or until `out` holds a piece of
    /// [`TEXT_PIECE`] bytes (`false`).
    fn string_chunk(
        &mut self,
        mut out: Option<&mut Vec<u8>>,
        max: usize,
    ) -> Result<bool, JsonError> {
        loop {
            if self.pos >= self.end && !self.fill()? {
                return Err(JsonError::Eof);
            }
            let window = &self.buf[self.pos..self.end];
            let stop = memchr::memchr2(b'"', b'\\', window);
            let text = &window[..stop.unwrap_or(window.len())];
            let good = match check_text(text) {
                Ok(good) => good,
                Err(bad) => {
                    self.pos += bad;
                    return Err(self.syntax("string text: UTF-8 without raw control characters"));
                }
            };
            if let Some(out) = out.as_deref_mut() {
                keep(out, &text[..good], max);
            }
            self.pos += good;
            match stop {
                Some(i) if good == i => {
                    let quote = window[i] == b'"';
                    self.pos += 1;
                    if quote {
                        return Ok(true);
                    }
                    // Common escapes, whole in the buffer, without a call per byte.
                    if let Some((length, decoded)) = quick_escape(&self.buf[self.pos..self.end]) {
                        self.pos += length;
                        if let Some(out) = out.as_deref_mut() {
                            let mut tmp = [0u8; 4];
                            keep(out, decoded.encode_utf8(&mut tmp).as_bytes(), max);
                        }
                    } else {
                        self.escape(out.as_deref_mut(), max)?;
                    }
                }
                Some(_) => {
                    return Err(self.syntax("string text: UTF-8 without raw control characters"));
                }
                // A character cut by the end of the buffer: read on from its first byte.
                None if good < text.len() && !self.fill()? => return Err(JsonError::Eof),
                None => {}
            }
            if out.as_ref().is_some_and(|out| out.len() >= TEXT_PIECE) {
                return Ok(false);
            }
        }
    }

    /// Decodes one escape (after the backslash). Surrogates must come in pairs, high then
    /// low, as `serde_json` requires.
    fn escape(&mut self, out: Option<&mut Vec<u8>>, max: usize) -> Result<(), JsonError> {
        let byte = self.next_byte()?;
        let decoded: char = match byte {
            b'u' => {
                let high = self.hex4()?;
                if (0xDC00..0xE000).contains(&high) {
                    return Err(self.syntax("a high surrogate before a low one"));
                }
                if (0xD800..0xDC00).contains(&high) {
                    // A surrogate pair: `\uD83D\uDE00`.
                    if self.next_byte()? != b'\\' || self.next_byte()? != b'u' {
                        return Err(self.syntax("the low half of a surrogate pair"));
                    }
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.syntax("the low half of a surrogate pair"));
                    }
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    char::from_u32(code).unwrap_or('\u{FFFD}')
                } else {
                    char::from_u32(high).unwrap_or('\u{FFFD}')
                }
            }
            _ => match one_letter_escape(byte) {
                Some(decoded) => decoded,
                None => return Err(self.syntax("a valid escape sequence")),
            },
        };
        if let Some(out) = out {
            let mut tmp = [0u8; 4];
            keep(out, decoded.encode_utf8(&mut tmp).as_bytes(), max);
        }
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

    /// The next byte, white space included, without consuming it; `None` at the end.
    fn next_raw(&mut self) -> Result<Option<u8>, JsonError> {
        if self.pos >= self.end && !self.fill()? {
            return Ok(None);
        }
        Ok(Some(self.buf[self.pos]))
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

    /// Reads a non-negative integer (a fraction or exponent is cut off, a negative number is
    /// 0), or `None` for `null`.
    pub fn read_u64(&mut self) -> Result<Option<u64>, JsonError> {
        if self.take_null()? {
            return Ok(None);
        }
        if self.kind()? != Kind::Number {
            return Err(self.shape("expected a number"));
        }
        self.number().map(Some)
    }

    /// Reads a number by the JSON grammar (`-`, then `0` or digits without a leading zero, an
    /// optional fraction and exponent) and within the range `serde_json` reads (a finite
    /// 64-bit float); returns its integer part, 0 when negative.
    fn number(&mut self) -> Result<u64, JsonError> {
        const DIGITS: &str = "a digit";
        // Fast path: a plain integer of at most 19 digits, whole in the buffer (durations,
        // lines, columns, indexes: nearly every number of a report).
        let window = &self.buf[self.pos..self.end];
        let negative = window.first() == Some(&b'-');
        let start = usize::from(negative);
        let digits = window[start..]
            .iter()
            .take(20)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let after = start + digits;
        if (1..=19).contains(&digits)
            && after < window.len()
            && !matches!(window[after], b'.' | b'e' | b'E')
            && (digits == 1 || window[start] != b'0')
        {
            let value = window[start..after]
                .iter()
                .fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
            self.pos += after;
            return Ok(if negative { 0 } else { value });
        }
        let mut token = std::mem::take(&mut self.scratch);
        token.clear();
        let mut value: u64 = 0;
        let mut int_digits = 0usize;
        let mut plain = true;
        let mut part = 0u8; // 0 integer, 1 fraction, 2 exponent
        let mut need_digit = true;
        let mut negative = false;
        let outcome = loop {
            let byte = match self.next_raw() {
                Ok(Some(byte)) => byte,
                Ok(None) if need_digit => break Err(JsonError::Eof),
                Ok(None) => break Ok(()),
                Err(err) => break Err(err),
            };
            match byte {
                b'-' if token.is_empty() => negative = true,
                b'0'..=b'9' => {
                    if part == 0 {
                        // No leading zeros: `0` must stand alone.
                        if int_digits == 1 && value == 0 && token.last() == Some(&b'0') {
                            break Err(self.syntax("no digit after a leading 0"));
                        }
                        int_digits += 1;
                        value = value
                            .saturating_mul(10)
                            .saturating_add(u64::from(byte - b'0'));
                    }
                    need_digit = false;
                }
                b'.' if part == 0 && !need_digit => {
                    part = 1;
                    plain = false;
                    need_digit = true;
                }
                b'e' | b'E' if part < 2 && !need_digit => {
                    part = 2;
                    plain = false;
                    need_digit = true;
                    token.push(byte);
                    self.pos += 1;
                    if let Ok(Some(sign @ (b'+' | b'-'))) = self.next_raw() {
                        token.push(sign);
                        self.pos += 1;
                    }
                    continue;
                }
                _ if need_digit => break Err(self.syntax(DIGITS)),
                _ => break Ok(()),
            }
            token.push(byte);
            self.pos += 1;
        };
        // Fractions, exponents and long integers: the range is `serde_json`'s own, exactly.
        let outcome = outcome.and_then(|()| {
            if (plain && int_digits <= 19)
                || serde_json::from_slice::<serde_json::Number>(&token).is_ok()
            {
                Ok(())
            } else {
                Err(self.syntax("a number within the range of a 64-bit float"))
            }
        });
        self.scratch = token;
        outcome.map(|()| if negative { 0 } else { value })
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

    /// Skips the next value, whatever it is, checking it all the way and storing nothing: a
    /// loop over the bytes with the open containers as bits (no recursion, no allocation).
    pub fn skip_value(&mut self) -> Result<(), JsonError> {
        // Bit i set: the container i levels above the innermost is an object.
        let mut objects: u128 = 0;
        let mut open = 0usize;
        loop {
            // A value is next.
            match self.peek_required()? {
                b'"' => {
                    self.pos += 1;
                    self.skip_string_rest()?;
                }
                b'{' => {
                    self.enter()?;
                    match self.peek_required()? {
                        b'}' => self.leave(),
                        b'"' => {
                            objects = objects << 1 | 1;
                            open += 1;
                            self.pos += 1;
                            self.skip_string_rest()?;
                            self.expect(b':', "`:`")?;
                            continue;
                        }
                        _ => return Err(self.syntax("an object key or `}`")),
                    }
                }
                b'[' => {
                    self.enter()?;
                    if self.peek_required()? == b']' {
                        self.leave();
                    } else {
                        objects <<= 1;
                        open += 1;
                        continue;
                    }
                }
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return Err(self.syntax("a JSON value")),
            }
            // A value ended: close what closes, then find the next value.
            loop {
                if open == 0 {
                    return Ok(());
                }
                let in_object = objects & 1 == 1;
                match self.peek_required()? {
                    b',' => {
                        self.pos += 1;
                        if in_object {
                            if self.peek_required()? != b'"' {
                                return Err(self.syntax("an object key"));
                            }
                            self.pos += 1;
                            self.skip_string_rest()?;
                            self.expect(b':', "`:`")?;
                        }
                        break;
                    }
                    b'}' if in_object => {}
                    b']' if !in_object => {}
                    _ if in_object => return Err(self.syntax("`,` or `}`")),
                    _ => return Err(self.syntax("`,` or `]`")),
                }
                self.leave();
                objects >>= 1;
                open -= 1;
            }
        }
    }

    /// Skips the rest of a string after its opening quote, checking it.
    fn skip_string_rest(&mut self) -> Result<(), JsonError> {
        // Most skipped strings are short: look at a few bytes before calling memchr.
        let window = &self.buf[self.pos..self.end];
        if let Some(i) = plain_string(&window[..window.len().min(32)]) {
            self.pos += i + 1;
            return Ok(());
        }
        while !self.string_chunk(None, 0)? {}
        Ok(())
    }

    /// Checks that nothing but white space follows the root value.
    pub fn end(&mut self) -> Result<(), JsonError> {
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(self.syntax("the end of the file after the report")),
        }
    }
}

/// The value of each hex digit; 255 for bytes that are not one.
const HEX: [u8; 256] = {
    let mut table = [255u8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// The length of a string's text when it ends (at a `"`) within `window` and is plain:
/// printable ASCII without escapes. Anything else is for the full check.
#[inline]
fn plain_string(window: &[u8]) -> Option<usize> {
    let i = window
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b))?;
    (window[i] == b'"').then_some(i)
}

/// An escape (after its backslash) that needs no further checks: a one-letter escape, or
/// `\u` with four hex digits outside the surrogates; its length and character.
#[inline]
fn quick_escape(bytes: &[u8]) -> Option<(usize, char)> {
    match *bytes.first()? {
        b'u' => {
            let digits = bytes.get(1..5)?;
            let mut code = 0u32;
            for &d in digits {
                let digit = HEX[usize::from(d)];
                if digit > 15 {
                    return None;
                }
                code = code << 4 | u32::from(digit);
            }
            char::from_u32(code).map(|c| (5, c))
        }
        byte => one_letter_escape(byte).map(|c| (1, c)),
    }
}

/// The character of a one-letter escape (`\n`, `\"`, …).
#[inline]
fn one_letter_escape(byte: u8) -> Option<char> {
    Some(match byte {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

/// Checks the raw bytes of a string between escapes: `Ok(n)` when the first `n` bytes are
/// UTF-8 text without control characters and the rest (at most three bytes) is the start of
/// a character cut by the end of `text`; `Err(i)` when byte `i` cannot stand in a string.
#[inline]
fn check_text(text: &[u8]) -> Result<usize, usize> {
    let (mut any, mut control) = (0u8, false);
    for &b in text {
        any |= b;
        control |= b < 0x20;
    }
    if !control && any < 0x80 {
        return Ok(text.len());
    }
    let limit = if control {
        text.iter().position(|&b| b < 0x20).unwrap_or(text.len())
    } else {
        text.len()
    };
    match std::str::from_utf8(&text[..limit]) {
        Ok(_) if control => Err(limit),
        Ok(_) => Ok(limit),
        Err(e) if e.error_len().is_none() && !control => Ok(e.valid_up_to()),
        Err(e) => Err(e.valid_up_to()),
    }
}

impl<R: Read + std::io::Seek> JsonReader<R> {
    /// Continues reading at byte `offset` of the input (the depth stays as it is).
    pub fn seek_to(&mut self, offset: u64) -> Result<(), JsonError> {
        // Within the buffer: just move.
        if offset >= self.base
            && offset <= self.base + self.end as u64
            && self.capture_from.is_none()
        {
            self.pos = (offset - self.base) as usize;
            return Ok(());
        }
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
        let deep = format!("{}{}", "[".repeat(126), "]".repeat(126));
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

    /// Skips the whole input as one value, as the gate skips values it does not need.
    fn skip_all(bytes: &[u8], buffer: usize) -> Result<(), JsonError> {
        let mut r = JsonReader::with_buffer(bytes, buffer);
        r.skip_value()?;
        r.end()
    }

    /// Issue 10: skipped values were only bracket-counted, so `[1 2 }` or `tru` passed.
    #[test]
    fn skipping_accepts_exactly_what_serde_json_accepts() {
        let cases: &[&[u8]] = &[
            br#"{"bogus": [1 2 }}"#,
            br#"{"a": tru}"#,
            br#"{"a": [1, 2}"#,
            br#"{"a" 1}"#,
            br#"{"a": 1,}"#,
            br#"{"a": 1 "b": 2}"#,
            br#"[1,,2]"#,
            br#"[1 2]"#,
            br#"[truex]"#,
            br#"[nul]"#,
            br#"[fals]"#,
            br#"[01]"#,
            br#"[-0]"#,
            br#"[-01]"#,
            br#"[1.]"#,
            br#"[.5]"#,
            br#"[+1]"#,
            br#"[-]"#,
            br#"[1e]"#,
            br#"[1e+]"#,
            br#"[1E-7]"#,
            br#"[1.5e308]"#,
            br#"[1e309]"#,
            br#"[-1e400]"#,
            br#"[1e-400]"#,
            br#"[123456789012345678901234567890]"#,
            br#"[0.000000000000000000000000000000000001e-300]"#,
            br#"["\x"]"#,
            br#"["\u12"]"#,
            br#"["\u12G4"]"#,
            br#"["\ud83d\ude00"]"#,
            br#"["\ud83d"]"#,
            br#"["\ud83dx"]"#,
            br#"["\ud83d\n"]"#,
            br#"["\ud83d\u0041"]"#,
            br#"["\ude00"]"#,
            br#"["\ud83d\ud83d\ude00"]"#,
            b"[\"tab\there\"]",
            b"[\"nul\x00\"]",
            b"[\"del\x7f\"]",
            b"[\"\xc3\xa9\"]",
            b"[\"\xc3\"]",
            b"[\"\xff\"]",
            b"[\"\xed\xa0\x80\"]",
            b"[\"\xf4\x90\x80\x80\"]",
            b"[\"\xe2\x82\"]",
            b"{\"k\xff\": 1}",
            b"[1] x",
            b"[1] ",
            b"\xef\xbb\xbf[1]",
            b"{}",
            b"[]",
            b"[{}, [], {\"a\": {\"b\": [null, true, false, -1.5e-3, \"\\/\"]}}]",
            b"{\"a\": 1, \"a\": 2}",
            b"[1}",
            b"{\"a\": 1]",
            b"{1: 2}",
            b"{\"a\": }",
            b" ",
            b"",
            b"[\x0c1]",
        ];
        for &case in cases {
            let serde = serde_json::from_slice::<serde_json::Value>(case).is_ok();
            for buffer in [64, 1 << 20] {
                let mine = skip_all(case, buffer);
                assert_eq!(
                    mine.is_ok(),
                    serde,
                    "{} (buffer {buffer}): {mine:?}",
                    String::from_utf8_lossy(case)
                );
            }
        }
    }

    /// Characters, escapes and numbers cut by the end of the buffer are read whole.
    #[test]
    fn validation_holds_across_buffer_refills() {
        for shift in 0..70 {
            let pad = "x".repeat(shift);
            for tail in ["é€😀", "\\ud83d\\ude00", "\\u00e9", "12345.678e-9"] {
                let json = if tail.starts_with('1') {
                    format!(r#"["{pad}", {tail}, "{pad}"]"#)
                } else {
                    format!(r#"["{pad}{tail}{pad}"]"#)
                };
                assert_eq!(skip_all(json.as_bytes(), 64), Ok(()), "{json}");
                let mut r = JsonReader::with_buffer(json.as_bytes(), 64);
                if !tail.starts_with('1') {
                    r.begin_array().unwrap();
                    let mut first = true;
                    assert!(r.next_element(&mut first).unwrap());
                    let text = r.read_string().unwrap();
                    let expected: String =
                        serde_json::from_str::<Vec<String>>(&json).unwrap()[0].clone();
                    assert_eq!(text, expected);
                }
            }
        }
    }

    /// Depth is bounded for every nesting, as `serde_json` bounds it, without recursion.
    #[test]
    fn depth_is_bounded_like_serde_json() {
        for depth in [126, 127, 128, 129, 1_000_000] {
            for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
                let json = format!("{}1{}", open.repeat(depth), close.repeat(depth));
                let serde = serde_json::from_str::<serde_json::Value>(&json).is_ok();
                let mine = skip_all(json.as_bytes(), 1 << 20);
                assert_eq!(mine.is_ok(), serde, "{depth} {open}: {mine:?}");
                if !serde {
                    assert!(matches!(mine, Err(JsonError::TooDeep { .. })), "{mine:?}");
                }
            }
        }
    }
}
