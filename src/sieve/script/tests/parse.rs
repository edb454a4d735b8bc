//! A strict reader of Sieve (RFC 5228 §8 grammar), written apart from the generator, so the
//! tests see a script as a server does: which commands there are, and what each string
//! argument holds once its quoting is undone. A value that broke out of its literal shows
//! up as a command or argument nobody asked for.

/// One argument: `:tag`, a number, a string or a string list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Tag(String),
    Number(String),
    String(String),
    List(Vec<String>),
}

/// A test, or a command (which may also hold a block).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub args: Vec<Arg>,
    pub tests: Vec<Node>,
    pub block: Option<Vec<Node>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Identifier(String),
    Tag(String),
    Number(String),
    String(String),
    Punct(char),
}

/// The commands of `script`, or where it stops being Sieve.
pub fn parse(script: &str) -> Result<Vec<Node>, String> {
    let tokens = lex(script)?;
    let mut parser = Parser { tokens, at: 0 };
    let commands = parser.commands()?;
    match parser.peek() {
        None => Ok(commands),
        Some(t) => Err(format!("unexpected {t:?} at the top level")),
    }
}

fn lex(script: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = script.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let line_end =
        |i: usize| -> Option<usize> { (i..chars.len()).find(|&j| chars[j] == '\n').map(|j| j + 1) };
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, ' ' | '\t' | '\r' | '\n') {
            i += 1;
        } else if c == '#' {
            i = line_end(i).unwrap_or(chars.len());
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let end = (i + 2..chars.len().saturating_sub(1))
                .find(|&j| chars[j] == '*' && chars[j + 1] == '/')
                .ok_or("unterminated /* comment")?;
            i = end + 2;
        } else if c == '"' {
            let mut value = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated quoted string".into()),
                    Some('"') => break,
                    Some('\\') => {
                        value.push(*chars.get(i + 1).ok_or("backslash at the end")?);
                        i += 2;
                    }
                    Some(&c) => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
            i += 1;
            tokens.push(Token::String(value));
        } else if script_at(&chars, i, "text:") {
            // `text:` then spaces, an optional comment, the line's end; lines up to ".".
            let mut j = i + 5;
            while matches!(chars.get(j), Some(' ' | '\t')) {
                j += 1;
            }
            if !matches!(chars.get(j), Some('#' | '\r' | '\n')) {
                return Err("text: not followed by a line end".into());
            }
            j = line_end(j).ok_or("text: at the end of the script")?;
            let mut value = String::new();
            loop {
                let end = line_end(j).ok_or("text: without its closing dot")?;
                let line: String = chars[j..end].iter().collect();
                let line = line.trim_end_matches('\n').trim_end_matches('\r');
                j = end;
                if line == "." {
                    break;
                }
                value.push_str(line.strip_prefix('.').unwrap_or(line));
                value.push('\n');
            }
            i = j;
            tokens.push(Token::String(value));
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match word.strip_prefix(':') {
                Some("") => return Err("a lone colon".into()),
                Some(tag) => tokens.push(Token::Tag(tag.to_ascii_lowercase())),
                None => tokens.push(Token::Identifier(word.to_ascii_lowercase())),
            }
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if matches!(chars.get(i), Some('K' | 'M' | 'G' | 'k' | 'm' | 'g')) {
                i += 1;
            }
            if chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
                return Err("a number run into a word".into());
            }
            tokens.push(Token::Number(chars[start..i].iter().collect()));
        } else if "[](){},;".contains(c) {
            tokens.push(Token::Punct(c));
            i += 1;
        } else {
            return Err(format!("unexpected character {c:?}"));
        }
    }
    Ok(tokens)
}

fn script_at(chars: &[char], i: usize, word: &str) -> bool {
    let word: Vec<char> = word.chars().collect();
    chars.len() >= i + word.len()
        && chars[i..i + word.len()]
            .iter()
            .zip(&word)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn punct(&mut self, c: char) -> bool {
        if self.peek() == Some(&Token::Punct(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn commands(&mut self) -> Result<Vec<Node>, String> {
        let mut commands = Vec::new();
        while let Some(Token::Identifier(_)) = self.peek() {
            commands.push(self.command()?);
        }
        Ok(commands)
    }

    fn command(&mut self) -> Result<Node, String> {
        let mut node = self.test()?;
        if self.punct(';') {
            return Ok(node);
        }
        if !self.punct('{') {
            return Err(format!("{} not ended by ; or a block", node.name));
        }
        node.block = Some(self.commands()?);
        if !self.punct('}') {
            return Err(format!("block of {} not closed", node.name));
        }
        Ok(node)
    }

    /// An identifier with its arguments and tests: a test, or a command before its end.
    fn test(&mut self) -> Result<Node, String> {
        let name = match self.next() {
            Some(Token::Identifier(name)) => name,
            other => return Err(format!("expected a name, got {other:?}")),
        };
        let mut node = Node {
            name,
            args: Vec::new(),
            tests: Vec::new(),
            block: None,
        };
        loop {
            match self.peek().cloned() {
                Some(Token::Tag(t)) => node.args.push(Arg::Tag(t)),
                Some(Token::Number(n)) => node.args.push(Arg::Number(n)),
                Some(Token::String(s)) => node.args.push(Arg::String(s)),
                Some(Token::Punct('[')) => {
                    self.at += 1;
                    let mut list = Vec::new();
                    loop {
                        match self.next() {
                            Some(Token::String(s)) => list.push(s),
                            other => return Err(format!("expected a string, got {other:?}")),
                        }
                        if self.punct(']') {
                            break;
                        }
                        if !self.punct(',') {
                            return Err("string list without , or ]".into());
                        }
                    }
                    node.args.push(Arg::List(list));
                    continue;
                }
                _ => break,
            }
            self.at += 1;
        }
        if let Some(Token::Identifier(_)) = self.peek() {
            node.tests.push(self.test()?);
        } else if self.punct('(') {
            loop {
                node.tests.push(self.test()?);
                if self.punct(')') {
                    break;
                }
                if !self.punct(',') {
                    return Err("test list without , or )".into());
                }
            }
        }
        Ok(node)
    }
}

/// The commands written back one to a line, indented by block, strings as Rust writes
/// them (`"a\"b"`): what a test compares with what it expects.
pub fn outline(nodes: &[Node]) -> String {
    fn test(node: &Node) -> String {
        let mut out = node.name.clone();
        for arg in &node.args {
            out.push(' ');
            match arg {
                Arg::Tag(t) => out.push_str(&format!(":{t}")),
                Arg::Number(n) => out.push_str(n),
                Arg::String(s) => out.push_str(&format!("{s:?}")),
                Arg::List(l) => out.push_str(&format!("{l:?}")),
            }
        }
        match node.tests.as_slice() {
            [] => {}
            [one] if !matches!(node.name.as_str(), "allof" | "anyof") => {
                out.push(' ');
                out.push_str(&test(one));
            }
            many => {
                let many: Vec<String> = many.iter().map(test).collect();
                out.push_str(&format!(" ({})", many.join(", ")));
            }
        }
        out
    }
    fn walk(nodes: &[Node], depth: usize, out: &mut String) {
        for node in nodes {
            out.push_str(&"  ".repeat(depth));
            out.push_str(&test(node));
            match &node.block {
                None => out.push_str(";\n"),
                Some(block) => {
                    out.push_str(" {\n");
                    walk(block, depth + 1, out);
                    out.push_str(&"  ".repeat(depth));
                    out.push_str("}\n");
                }
            }
        }
    }
    let mut out = String::new();
    walk(nodes, 0, &mut out);
    out
}

#[test]
fn the_reader_reads_sieve_as_rfc_5228_writes_it() {
    let script = "require [\"fileinto\", \"vacation\"];\r\n\
        # a comment \"with quotes\n\
        /* a bracket comment\n discard; */\n\
        if anyof (header :contains \"Subject\" \"a\\\"b\\\\c\", not size :over 10k) {\n\
          fileinto \"x\";\n\
        } elsif true { keep; }\n\
        vacation :days 3 text: # comment\n..dot\nline\n.\n;\n";
    let nodes = parse(script).unwrap();
    assert_eq!(
        outline(&nodes),
        "require [\"fileinto\", \"vacation\"];\n\
         if anyof (header :contains \"Subject\" \"a\\\"b\\\\c\", not size :over 10k) {\n  \
           fileinto \"x\";\n\
         }\n\
         elsif true {\n  keep;\n}\n\
         vacation :days 3 \".dot\\nline\\n\";\n"
    );
    for broken in [
        "keep",
        "if true { keep;",
        "fileinto \"x;",
        "fileinto \"x\"; }",
        "vacation text:\nno end\n",
        "require [\"a\" \"b\"];",
        "if anyof (true, ) { keep; }",
        "if anyof (true { keep; }",
        "fileinto 'x';",
        ":tag;",
    ] {
        assert!(parse(broken).is_err(), "{broken:?} parsed");
    }
}
