//! The ManageSieve wire format (RFC 5804 §4), on bytes and nothing else, so every framing
//! rule is tested without a server: what the server sends is read line by line
//! ([`parse_line`]), what the client sends is written by [`encode`].
//!
//! A server line is either data (`"SIEVE" "fileinto vacation"`, `"carteiro" ACTIVE`, a script
//! as a literal) or a response that ends the answer: `OK`, `NO` or `BYE`, an optional
//! response code in parentheses (`(QUOTA/MAXSIZE)`, `(SASL "…")`) and an optional human text.
//! Strings are quoted (`"a \"b\""`) or literals (`{5}\r\nhello`), and may hold line breaks
//! only as literals.
//!
//! Everything is bounded, because the server's bytes are not Carteiro's to trust: a line's
//! bytes outside literals ([`MAX_LINE`]) and each literal ([`MAX_LITERAL`]) are refused as
//! soon as they are seen to be too long, before they are buffered. Incomplete input is not an
//! error: [`parse_line`] says how many bytes it needs at least, so a reader waiting for a
//! literal reads it whole before parsing again.

/// The most bytes of one server literal (a script is at most a few hundred KiB).
pub const MAX_LITERAL: usize = 1024 * 1024;
/// The most bytes of one server line outside its literals.
pub const MAX_LINE: usize = 64 * 1024;
/// Client strings up to this long are sent quoted (readable in a server's log); longer ones,
/// and any with a line break or NUL, go as literals.
const MAX_QUOTED: usize = 1024;

/// One element of a data line or of a response code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A bare word (`ACTIVE`, `QUOTA/MAXSIZE`, a referral URL).
    Atom(String),
    /// A quoted string or a literal, decoded (UTF-8).
    Str(String),
}

impl Item {
    /// The text of either kind.
    pub fn text(&self) -> &str {
        match self {
            Item::Atom(t) | Item::Str(t) => t,
        }
    }
}

/// How a response ends an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    No,
    /// The server is closing the connection.
    Bye,
}

/// A response code: `(QUOTA/MAXSIZE)` is `name` "QUOTA/MAXSIZE" (upper-cased), no args;
/// `(SASL "x")` has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    pub name: String,
    pub args: Vec<Item>,
}

/// The line that ends an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: Status,
    pub code: Option<Code>,
    /// The human text, when the server gave one.
    pub text: Option<String>,
}

impl Response {
    /// Whether the response code is `name` or a sub-code of it (`QUOTA` matches
    /// `QUOTA/MAXSIZE`), ignoring case.
    pub fn has_code(&self, name: &str) -> bool {
        self.code.as_ref().is_some_and(|c| {
            c.name.eq_ignore_ascii_case(name)
                || (c.name.as_bytes().get(name.len()) == Some(&b'/')
                    && c.name[..name.len()].eq_ignore_ascii_case(name))
        })
    }
}

/// One line from the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Data(Vec<Item>),
    Response(Response),
}

/// What [`parse_line`] made of the bytes so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole line, and how many bytes it took.
    Line(Line, usize),
    /// More bytes are needed: the buffer must hold at least this many before the next try.
    Incomplete(usize),
}

/// Why the server's bytes cannot be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// A line or literal longer than Carteiro accepts.
    #[error("line or literal over the size limit")]
    TooLong,
    /// Bytes that are not ManageSieve; the rule broken.
    #[error("malformed answer: {0}")]
    Malformed(&'static str),
    /// A string that is not UTF-8 (RFC 5804 strings and Sieve scripts are UTF-8).
    #[error("a string is not UTF-8")]
    NotUtf8,
}

/// Reads one line from the start of `buf`.
pub fn parse_line(buf: &[u8]) -> Result<Parsed, WireError> {
    let mut cursor = Cursor {
        buf,
        pos: 0,
        plain: 0,
    };
    match cursor.line() {
        Ok(line) => Ok(Parsed::Line(line, cursor.pos)),
        Err(Halt::More(need)) => Ok(Parsed::Incomplete(need)),
        Err(Halt::Bad(e)) => Err(e),
    }
}

/// Why parsing stopped before a whole line.
enum Halt {
    More(usize),
    Bad(WireError),
}

impl From<WireError> for Halt {
    fn from(e: WireError) -> Halt {
        Halt::Bad(e)
    }
}

fn malformed(rule: &'static str) -> Halt {
    Halt::Bad(WireError::Malformed(rule))
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Bytes of this line read outside literals.
    plain: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Result<u8, Halt> {
        self.buf
            .get(self.pos)
            .copied()
            .ok_or(Halt::More(self.pos + 1))
    }

    fn bump(&mut self) -> Result<u8, Halt> {
        let b = self.peek()?;
        self.pos += 1;
        self.plain += 1;
        if self.plain > MAX_LINE {
            return Err(Halt::Bad(WireError::TooLong));
        }
        Ok(b)
    }

    /// Consumes a line end (CRLF, or a bare LF from a lax server) if one is next.
    fn eol(&mut self) -> Result<bool, Halt> {
        match self.peek()? {
            b'\n' => {
                self.bump()?;
                Ok(true)
            }
            b'\r' => {
                self.bump()?;
                match self.bump()? {
                    b'\n' => Ok(true),
                    _ => Err(malformed("CR without LF")),
                }
            }
            _ => Ok(false),
        }
    }

    /// Consumes spaces; how many.
    fn spaces(&mut self) -> Result<usize, Halt> {
        let mut n = 0;
        while self.peek()? == b' ' {
            self.bump()?;
            n += 1;
        }
        Ok(n)
    }

    fn line(&mut self) -> Result<Line, Halt> {
        let first = match self.peek()? {
            b'"' | b'{' => self.item()?,
            _ => {
                let word = self.atom()?;
                let status = match word.to_ascii_uppercase().as_str() {
                    "OK" => Some(Status::Ok),
                    "NO" => Some(Status::No),
                    "BYE" => Some(Status::Bye),
                    _ => None,
                };
                if let Some(status) = status {
                    return self.response(status);
                }
                Item::Atom(word)
            }
        };
        let mut items = vec![first];
        loop {
            if self.eol()? {
                return Ok(Line::Data(items));
            }
            if self.spaces()? == 0 {
                return Err(malformed("items not separated by a space"));
            }
            if self.eol()? {
                return Ok(Line::Data(items));
            }
            items.push(self.item()?);
        }
    }

    /// The rest of a response line after its status word.
    fn response(&mut self, status: Status) -> Result<Line, Halt> {
        let mut response = Response {
            status,
            code: None,
            text: None,
        };
        loop {
            if self.eol()? {
                return Ok(Line::Response(response));
            }
            if self.spaces()? == 0 {
                return Err(malformed("response parts not separated by a space"));
            }
            if self.eol()? {
                return Ok(Line::Response(response));
            }
            if self.peek()? == b'(' {
                if response.code.is_some() || response.text.is_some() {
                    return Err(malformed("response code out of place"));
                }
                response.code = Some(self.code()?);
            } else if response.text.is_none() {
                response.text = Some(match self.item()? {
                    Item::Str(text) => text,
                    Item::Atom(_) => return Err(malformed("response text is not a string")),
                });
            } else {
                return Err(malformed("more than one response text"));
            }
        }
    }

    /// `(NAME [SP item]*)`.
    fn code(&mut self) -> Result<Code, Halt> {
        self.bump()?; // '('
        let name = self.atom()?.to_ascii_uppercase();
        let mut args = Vec::new();
        loop {
            if self.peek()? == b')' {
                self.bump()?;
                return Ok(Code { name, args });
            }
            if self.spaces()? == 0 {
                return Err(malformed("response code parts not separated by a space"));
            }
            if self.peek()? == b')' {
                continue;
            }
            args.push(self.item()?);
        }
    }

    fn item(&mut self) -> Result<Item, Halt> {
        match self.peek()? {
            b'"' => self.quoted().map(Item::Str),
            b'{' => self.literal().map(Item::Str),
            _ => self.atom().map(Item::Atom),
        }
    }

    fn atom(&mut self) -> Result<String, Halt> {
        let start = self.pos;
        while matches!(self.peek()?, b'!'..=b'~')
            && !matches!(self.peek()?, b'(' | b')' | b'"' | b'{' | b'\\')
        {
            self.bump()?;
        }
        if self.pos == start {
            return Err(malformed("expected a word or a string"));
        }
        // ASCII only, checked above.
        Ok(String::from_utf8_lossy(&self.buf[start..self.pos]).into_owned())
    }

    fn quoted(&mut self) -> Result<String, Halt> {
        self.bump()?; // '"'
        let mut bytes = Vec::new();
        loop {
            match self.bump()? {
                b'"' => break,
                b'\\' => match self.bump()? {
                    c @ (b'"' | b'\\') => bytes.push(c),
                    _ => return Err(malformed("unknown escape in a quoted string")),
                },
                b'\r' | b'\n' | 0 => return Err(malformed("line break or NUL in a quoted string")),
                c => bytes.push(c),
            }
        }
        String::from_utf8(bytes).map_err(|_| Halt::Bad(WireError::NotUtf8))
    }

    /// `{n}` or `{n+}`, CRLF, then n bytes.
    fn literal(&mut self) -> Result<String, Halt> {
        self.bump()?; // '{'
        let mut n: usize = 0;
        let mut digits = 0;
        while self.peek()?.is_ascii_digit() {
            let d = usize::from(self.bump()? - b'0');
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(d))
                .ok_or(Halt::Bad(WireError::TooLong))?;
            digits += 1;
            if n > MAX_LITERAL {
                return Err(Halt::Bad(WireError::TooLong));
            }
        }
        if digits == 0 {
            return Err(malformed("literal without a length"));
        }
        if self.peek()? == b'+' {
            self.bump()?;
        }
        if self.bump()? != b'}' {
            return Err(malformed("literal length not closed by }"));
        }
        if !self.eol()? {
            return Err(malformed("literal length not followed by a line break"));
        }
        let end = self.pos + n;
        if self.buf.len() < end {
            return Err(Halt::More(end));
        }
        let bytes = &self.buf[self.pos..end];
        self.pos = end;
        String::from_utf8(bytes.to_vec()).map_err(|_| Halt::Bad(WireError::NotUtf8))
    }
}

/// An argument of a client command.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    /// A name or other short string: quoted when it can be, a literal when it cannot.
    Str(&'a str),
    /// Always a literal: a script, sent byte for byte whatever it holds.
    Literal(&'a str),
    Number(u64),
}

/// The bytes of one command: `NAME arg arg\r\n`. Literals are non-synchronizing (`{n+}`),
/// the only kind RFC 5804 has a client send, so a command is written in one go.
pub fn encode(name: &str, args: &[Arg<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 2);
    out.extend_from_slice(name.as_bytes());
    for arg in args {
        out.push(b' ');
        match *arg {
            Arg::Str(text) if can_quote(text) => {
                out.push(b'"');
                for &b in text.as_bytes() {
                    if b == b'"' || b == b'\\' {
                        out.push(b'\\');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
            Arg::Str(text) | Arg::Literal(text) => {
                out.extend_from_slice(format!("{{{}+}}\r\n", text.len()).as_bytes());
                out.extend_from_slice(text.as_bytes());
            }
            Arg::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn can_quote(text: &str) -> bool {
    text.len() <= MAX_QUOTED && !text.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0))
}

#[cfg(test)]
mod tests;
