//! A small reader for the messages the SMTP sink stores: MIME parts (multipart, quoted-printable,
//! base64, RFC 2047 encoded words) and the JSON envelope beside each message. Written for the
//! tests' needs only.

#![allow(dead_code)]

pub struct Entity<'a> {
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

impl<'a> Entity<'a> {
    /// Headers up to the first empty line, then the body.
    pub fn parse(bytes: &'a [u8]) -> Entity<'a> {
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut pos = 0;
        while pos < bytes.len() {
            let end = bytes[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| pos + i + 1);
            let line = trim_eol(&bytes[pos..end]);
            pos = end;
            if line.is_empty() {
                break;
            }
            let line = String::from_utf8_lossy(line);
            if line.starts_with([' ', '\t']) {
                // Unfolding removes only the line break.
                if let Some((_, value)) = headers.last_mut() {
                    value.push_str(&line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim_start().to_owned()));
            }
        }
        for (_, value) in &mut headers {
            let trimmed = value.trim_end().len();
            value.truncate(trimmed);
        }
        Entity {
            headers,
            body: &bytes[pos..],
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[derive(Default)]
pub struct Found {
    pub text: Option<String>,
    pub html: Option<String>,
}

/// Collects the first inline text/plain and text/html parts, depth first.
pub fn walk(entity: &Entity, depth: usize, found: &mut Found) {
    let (mime_type, params) = match entity.header("Content-Type") {
        Some(value) => parse_value(value),
        None => ("text/plain".to_owned(), Vec::new()),
    };
    if mime_type.starts_with("multipart/") {
        let Some(boundary) = param(&params, "boundary") else {
            return;
        };
        if depth >= 16 {
            return;
        }
        for part in split_multipart(entity.body, boundary) {
            walk(&Entity::parse(part), depth + 1, found);
        }
        return;
    }
    let attachment = entity
        .header("Content-Disposition")
        .is_some_and(|d| parse_value(d).0 == "attachment");
    let slot = match mime_type.as_str() {
        "text/plain" => &mut found.text,
        "text/html" => &mut found.html,
        _ => return,
    };
    if attachment || slot.is_some() {
        return;
    }
    let encoding = entity
        .header("Content-Transfer-Encoding")
        .unwrap_or("7bit")
        .trim()
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "quoted-printable" => quoted_printable(entity.body),
        "base64" => base64(entity.body),
        _ => entity.body.to_vec(),
    };
    let text = charset_decode(param(&params, "charset").unwrap_or("utf-8"), &bytes);
    *slot = Some(text.replace("\r\n", "\n"));
}

/// `type/subtype; name=value; name="quoted value"` as the lower-cased type and parameters
/// (names lower-cased).
pub fn parse_value(value: &str) -> (String, Vec<(String, String)>) {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut chars = value.chars();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => current.extend(chars.next()),
            ';' if !quoted => pieces.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    pieces.push(current);
    let mut pieces = pieces.into_iter();
    let kind = pieces
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let params = pieces
        .filter_map(|p| {
            let (name, value) = p.split_once('=')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect();
    (kind, params)
}

fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The parts between `--boundary` lines, each without the line break that precedes the
/// next delimiter; stops at `--boundary--`.
pub fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut parts = Vec::new();
    let mut part_start: Option<usize> = None;
    let mut pos = 0;
    while pos < body.len() {
        let line_end = body[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |i| pos + i + 1);
        let line = trim_eol(&body[pos..line_end]);
        if let Some(rest) = line.strip_prefix(delimiter) {
            let closing = rest.starts_with(b"--");
            let rest = if closing { &rest[2..] } else { rest };
            if rest.iter().all(|b| *b == b' ' || *b == b'\t') {
                if let Some(start) = part_start {
                    let mut end = pos;
                    if body[..end].ends_with(b"\n") {
                        end -= 1;
                        if body[..end].ends_with(b"\r") {
                            end -= 1;
                        }
                    }
                    parts.push(&body[start..end.max(start)]);
                }
                if closing {
                    return parts;
                }
                part_start = Some(line_end);
            }
        }
        pos = line_end;
    }
    if let Some(start) = part_start {
        parts.push(&body[start..]);
    }
    parts
}

pub fn quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        // A soft line break: "=", maybe trailing blanks, then the line end (or the end).
        let mut j = i + 1;
        while j < input.len() && (input[j] == b' ' || input[j] == b'\t') {
            j += 1;
        }
        if j == input.len() {
            break;
        }
        if input[j] == b'\n' {
            i = j + 1;
            continue;
        }
        if input[j] == b'\r' && input.get(j + 1) == Some(&b'\n') {
            i = j + 2;
            continue;
        }
        match (
            input.get(i + 1).and_then(hex),
            input.get(i + 2).and_then(hex),
        ) {
            (Some(hi), Some(lo)) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            _ => {
                out.push(b'=');
                i += 1;
            }
        }
    }
    out
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).map(|d| d as u8)
}

/// Standard base64; whatever is not in the alphabet (line breaks) is skipped, `=` ends it.
pub fn base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in input {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = acc << 6 | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

pub fn charset_decode(charset: &str, bytes: &[u8]) -> String {
    match charset.trim().to_ascii_lowercase().as_str() {
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" => {
            bytes.iter().map(|&b| b as char).collect()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Decodes RFC 2047 encoded words (`=?charset?B|Q?text?=`); blanks between two encoded
/// words are dropped, and adjacent words in the same charset are decoded together (so a
/// UTF-8 character split across two words survives).
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_charset = String::new();
    let mut after_word = false;
    let mut rest = value;
    let flush = |out: &mut String, pending: &mut Vec<u8>, charset: &str| {
        if !pending.is_empty() {
            out.push_str(&charset_decode(charset, pending));
            pending.clear();
        }
    };
    while let Some((start, end, charset, bytes)) = next_word(rest) {
        let before = &rest[..start];
        // Only blanks since the previous encoded word: they go.
        let joined = after_word && before.chars().all(|c| c.is_ascii_whitespace());
        if !(joined && charset.eq_ignore_ascii_case(&pending_charset)) {
            flush(&mut out, &mut pending, &pending_charset);
        }
        if !joined {
            out.push_str(before);
        }
        pending.extend(bytes);
        pending_charset = charset;
        after_word = true;
        rest = &rest[end..];
    }
    flush(&mut out, &mut pending, &pending_charset);
    out.push_str(rest);
    out
}

/// The first well-formed encoded word in `s`: its byte range, charset and decoded bytes.
fn next_word(s: &str) -> Option<(usize, usize, String, Vec<u8>)> {
    let mut from = 0;
    while let Some(i) = s[from..].find("=?") {
        let start = from + i;
        if let Some((len, charset, bytes)) = parse_word(&s[start..]) {
            return Some((start, start + len, charset, bytes));
        }
        from = start + 2;
    }
    None
}

fn parse_word(s: &str) -> Option<(usize, String, Vec<u8>)> {
    let body = s.strip_prefix("=?")?;
    let (charset, body) = body.split_once('?')?;
    let (encoding, body) = body.split_once('?')?;
    let text_len = body.find("?=")?;
    let text = &body[..text_len];
    let invalid = |c: char| c.is_ascii_whitespace() || c == '?';
    if charset.is_empty() || charset.contains(invalid) || text.contains(invalid) {
        return None;
    }
    // RFC 2231 allows a language after the charset: utf-8*en.
    let charset = charset.split('*').next().unwrap_or(charset).to_owned();
    let bytes = match encoding {
        "B" | "b" => base64(text.as_bytes()),
        "Q" | "q" => {
            let spaced: Vec<u8> = text
                .bytes()
                .map(|b| if b == b'_' { b' ' } else { b })
                .collect();
            quoted_printable(&spaced)
        }
        _ => return None,
    };
    // Everything up to the text, the text, and "?=".
    let len = s.len() - body.len() + text_len + 2;
    Some((len, charset, bytes))
}

/// The envelope sidecars are JSON; a tiny reader keeps the tests free of more crates.
pub mod json {
    #[derive(Debug)]
    pub enum Value {
        Null,
        Bool(bool),
        Number(f64),
        String(String),
        Array(Vec<Value>),
        Object(Vec<(String, Value)>),
    }

    impl Value {
        pub fn get(&self, key: &str) -> Option<&Value> {
            match self {
                Value::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
                _ => None,
            }
        }

        pub fn as_str(&self) -> Option<&str> {
            match self {
                Value::String(s) => Some(s),
                _ => None,
            }
        }
    }

    pub fn parse(text: &str) -> Result<Value, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let value = p.value()?;
        p.blanks();
        if p.i != p.s.len() {
            return Err(format!("trailing characters at {}", p.i));
        }
        Ok(value)
    }

    struct Parser<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn blanks(&mut self) {
            while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
        }

        fn eat(&mut self, b: u8) -> Result<(), String> {
            self.blanks();
            if self.s.get(self.i) == Some(&b) {
                self.i += 1;
                Ok(())
            } else {
                Err(format!("expected {:?} at {}", b as char, self.i))
            }
        }

        fn value(&mut self) -> Result<Value, String> {
            self.blanks();
            let rest = &self.s[self.i..];
            for (word, value) in [
                ("null", Value::Null),
                ("true", Value::Bool(true)),
                ("false", Value::Bool(false)),
            ] {
                if rest.starts_with(word.as_bytes()) {
                    self.i += word.len();
                    return Ok(value);
                }
            }
            match rest.first() {
                Some(b'"') => Ok(Value::String(self.string()?)),
                Some(b'[') => {
                    self.i += 1;
                    let mut items = Vec::new();
                    self.blanks();
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Value::Array(items));
                    }
                    loop {
                        items.push(self.value()?);
                        self.blanks();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                return Ok(Value::Array(items));
                            }
                            _ => return Err(format!("expected , or ] at {}", self.i)),
                        }
                    }
                }
                Some(b'{') => {
                    self.i += 1;
                    let mut fields = Vec::new();
                    self.blanks();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Ok(Value::Object(fields));
                    }
                    loop {
                        self.blanks();
                        let key = self.string()?;
                        self.eat(b':')?;
                        fields.push((key, self.value()?));
                        self.blanks();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                return Ok(Value::Object(fields));
                            }
                            _ => return Err(format!("expected , or }} at {}", self.i)),
                        }
                    }
                }
                Some(b'-' | b'0'..=b'9') => {
                    let start = self.i;
                    while self.i < self.s.len()
                        && matches!(
                            self.s[self.i],
                            b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                        )
                    {
                        self.i += 1;
                    }
                    let number = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                    number
                        .parse()
                        .map(Value::Number)
                        .map_err(|_| format!("bad number at {start}"))
                }
                _ => Err(format!("unexpected character at {}", self.i)),
            }
        }

        fn string(&mut self) -> Result<String, String> {
            self.eat(b'"')?;
            let mut out: Vec<u16> = Vec::new(); // \u escapes are UTF-16 code units
            let mut text = String::new();
            loop {
                let Some(&b) = self.s.get(self.i) else {
                    return Err("unterminated string".to_owned());
                };
                self.i += 1;
                if b == b'\\' {
                    let Some(&e) = self.s.get(self.i) else {
                        return Err("unterminated string".to_owned());
                    };
                    self.i += 1;
                    if e == b'u' {
                        let hex = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
                        let hex = std::str::from_utf8(hex).map_err(|e| e.to_string())?;
                        out.push(u16::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
                        self.i += 4;
                        continue;
                    }
                    text.push_str(&String::from_utf16_lossy(&std::mem::take(&mut out)));
                    text.push(match e {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        other => other as char, // \" \\ \/
                    });
                    continue;
                }
                text.push_str(&String::from_utf16_lossy(&std::mem::take(&mut out)));
                if b == b'"' {
                    return Ok(text);
                }
                // Raw UTF-8: copy the whole character.
                let start = self.i - 1;
                let mut end = self.i;
                while end < self.s.len() && (self.s[end] & 0xC0) == 0x80 {
                    end += 1;
                }
                text.push_str(&String::from_utf8_lossy(&self.s[start..end]));
                self.i = end;
            }
        }
    }
}
