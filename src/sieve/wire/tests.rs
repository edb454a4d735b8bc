//! The framing rules on bytes: what real servers send (Dovecot's Pigeonhole answers are
//! copied as they come), what hostile ones could, and what Carteiro writes.

use super::*;

/// Parses a whole line; panics when it is incomplete or malformed.
fn line(bytes: &[u8]) -> Line {
    match parse_line(bytes) {
        Ok(Parsed::Line(line, used)) => {
            assert_eq!(used, bytes.len(), "the whole input is one line");
            line
        }
        other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bytes)),
    }
}

fn s(text: &str) -> Item {
    Item::Str(text.to_string())
}

fn response(status: Status, code: Option<(&str, Vec<Item>)>, text: Option<&str>) -> Line {
    Line::Response(Response {
        status,
        code: code.map(|(name, args)| Code {
            name: name.to_string(),
            args,
        }),
        text: text.map(str::to_string),
    })
}

#[test]
fn dovecots_greeting_lines_are_data_then_ok() {
    assert_eq!(
        line(b"\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n"),
        Line::Data(vec![s("IMPLEMENTATION"), s("Dovecot Pigeonhole")])
    );
    assert_eq!(line(b"\"STARTTLS\"\r\n"), Line::Data(vec![s("STARTTLS")]));
    assert_eq!(
        line(b"OK \"Dovecot (Carteiro test stack) ready.\"\r\n"),
        response(
            Status::Ok,
            None,
            Some("Dovecot (Carteiro test stack) ready.")
        )
    );
    assert_eq!(line(b"ok\r\n"), response(Status::Ok, None, None));
}

#[test]
fn listscripts_marks_the_active_script_with_an_atom() {
    assert_eq!(
        line(b"\"carteiro\" ACTIVE\r\n"),
        Line::Data(vec![s("carteiro"), Item::Atom("ACTIVE".into())])
    );
    assert_eq!(
        line("\"férias \\\"2024\\\"\"\r\n".as_bytes()),
        Line::Data(vec![s("férias \"2024\"")])
    );
}

#[test]
fn a_script_comes_as_a_literal_with_its_line_breaks_and_utf8_intact() {
    let script = "require \"fileinto\";\r\n# ação\r\nfileinto \"Lixo\";\r\n";
    let bytes = format!("{{{}}}\r\n{script}\r\n", script.len());
    assert_eq!(line(bytes.as_bytes()), Line::Data(vec![s(script)]));
    // A non-synchronizing length is read the same way, and an empty literal is a string.
    assert_eq!(line(b"{0+}\r\n\r\n"), Line::Data(vec![s("")]));
}

#[test]
fn response_codes_and_texts_in_every_form_are_read() {
    assert_eq!(
        line(b"NO (QUOTA/MAXSIZE) \"Script is too large.\"\r\n"),
        response(
            Status::No,
            Some(("QUOTA/MAXSIZE", vec![])),
            Some("Script is too large.")
        )
    );
    assert_eq!(
        line(b"NO (nonexistent) \"No such script.\"\r\n"),
        response(
            Status::No,
            Some(("NONEXISTENT", vec![])),
            Some("No such script.")
        )
    );
    assert_eq!(
        line(b"OK (SASL \"cnNwYXV0aD1lYTQwZjYwMzM1YzQyN2I1NTI3Yjg0ZGJhYmNkZmZmZA==\")\r\n"),
        response(
            Status::Ok,
            Some((
                "SASL",
                vec![s(
                    "cnNwYXV0aD1lYTQwZjYwMzM1YzQyN2I1NTI3Yjg0ZGJhYmNkZmZmZA=="
                )]
            )),
            None
        )
    );
    assert_eq!(
        line(b"BYE (REFERRAL sieve://other.example.com) \"Try there\"\r\n"),
        response(
            Status::Bye,
            Some((
                "REFERRAL",
                vec![Item::Atom("sieve://other.example.com".into())]
            )),
            Some("Try there")
        )
    );
    // Pigeonhole sends compiler errors as a literal, one error per line.
    let text = "line 2: error: unknown command 'fileinot'.\r\nerror: validation failed.";
    let bytes = format!("NO {{{}}}\r\n{text}\r\n", text.len());
    assert_eq!(
        line(bytes.as_bytes()),
        response(Status::No, None, Some(text))
    );
    let quota = Response {
        status: Status::No,
        code: Some(Code {
            name: "QUOTA/MAXSCRIPTS".into(),
            args: vec![],
        }),
        text: None,
    };
    assert!(quota.has_code("QUOTA") && quota.has_code("quota/maxscripts"));
    assert!(!quota.has_code("QUOTA/MAXSIZE") && !quota.has_code("QUO"));
}

#[test]
fn incomplete_input_says_how_much_more_is_needed() {
    assert_eq!(
        parse_line(b"\"IMPLEMENTATION\" \"Dove"),
        Ok(Parsed::Incomplete(23))
    );
    assert_eq!(parse_line(b"OK"), Ok(Parsed::Incomplete(3)));
    assert_eq!(parse_line(b""), Ok(Parsed::Incomplete(1)));
    // A literal's length is known from its header: the reader need not parse again before
    // the whole literal (and one byte of what follows) has arrived.
    assert_eq!(
        parse_line(b"{10}\r\nabc"),
        Ok(Parsed::Incomplete(16)),
        "6 header bytes and 10 literal bytes"
    );
    // Two lines in the buffer: the first is read, and its length says where the next starts.
    match parse_line(b"\"A\"\r\nOK\r\n") {
        Ok(Parsed::Line(Line::Data(items), 5)) => assert_eq!(items, vec![s("A")]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn oversized_answers_are_refused_before_they_are_buffered() {
    // A literal announced over the limit is refused at its header, not after 1 MiB arrives.
    let header = format!("{{{}}}\r\n", MAX_LITERAL + 1);
    assert_eq!(parse_line(header.as_bytes()), Err(WireError::TooLong));
    assert_eq!(
        parse_line(b"{99999999999999999999999999}\r\n"),
        Err(WireError::TooLong),
        "a length that overflows"
    );
    // Exactly the limit is fine.
    let at_limit = format!("{{{MAX_LITERAL}}}\r\n");
    assert_eq!(
        parse_line(at_limit.as_bytes()),
        Ok(Parsed::Incomplete(at_limit.len() + MAX_LITERAL))
    );
    // A line without an end, outside literals, stops at MAX_LINE.
    let endless = vec![b'A'; MAX_LINE + 10];
    assert_eq!(parse_line(&endless), Err(WireError::TooLong));
    let mut endless_quoted = b"\"".to_vec();
    endless_quoted.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
    assert_eq!(parse_line(&endless_quoted), Err(WireError::TooLong));
    // Below the limit it is merely incomplete.
    assert!(matches!(
        parse_line(&endless[..MAX_LINE - 1]),
        Ok(Parsed::Incomplete(_))
    ));
}

#[test]
fn hostile_and_broken_lines_are_malformed_not_misread() {
    for bad in [
        &b"\"a\" \"b\r\n"[..],         // line break inside a quoted string
        b"\"a\\nb\"\r\n",              // unknown escape
        b"\"a\x00b\"\r\n",             // NUL in a quoted string
        b"\"a\"\"b\"\r\n",             // no space between items
        b"{}\r\n",                     // literal without a length
        b"{3x}\r\nabc\r\n",            // junk in the length
        b"{3} abc\r\n",                // length not followed by a line break
        b"OK \"done\" \"again\"\r\n",  // two texts
        b"OK \"done\" (WARNINGS)\r\n", // code after the text
        b"NO QUOTA\r\n",               // text that is not a string
        b"OK\rX\n",                    // CR without LF
        b"(\r\n",                      // nothing a line can start with
        b"\"a\" \x01\r\n",             // control character where an item should be
    ] {
        assert!(
            matches!(parse_line(bad), Err(WireError::Malformed(_))),
            "{:?}: {:?}",
            String::from_utf8_lossy(bad),
            parse_line(bad)
        );
    }
    assert_eq!(parse_line(b"{2}\r\n\xc3\x28\r\n"), Err(WireError::NotUtf8));
    assert_eq!(parse_line(b"\"\xff\"\r\n"), Err(WireError::NotUtf8));
}

#[test]
fn lax_servers_bare_line_feeds_and_extra_spaces_are_tolerated() {
    assert_eq!(
        line(b"\"SIEVE\"  \"fileinto\" \n"),
        Line::Data(vec![s("SIEVE"), s("fileinto")])
    );
    assert_eq!(
        line(b"OK (WARNINGS)  \"line 3: warning: x\"\n"),
        response(
            Status::Ok,
            Some(("WARNINGS", vec![])),
            Some("line 3: warning: x")
        )
    );
}

#[test]
fn commands_quote_names_and_send_scripts_as_literals() {
    assert_eq!(encode("LISTSCRIPTS", &[]), b"LISTSCRIPTS\r\n");
    assert_eq!(
        encode("HAVESPACE", &[Arg::Str("férias"), Arg::Number(1234)]),
        "HAVESPACE \"férias\" 1234\r\n".as_bytes()
    );
    assert_eq!(
        encode("GETSCRIPT", &[Arg::Str("a \"quoted\" \\ name")]),
        b"GETSCRIPT \"a \\\"quoted\\\" \\\\ name\"\r\n"
    );
    // A script goes byte for byte, whatever it holds: nothing in it can end the command.
    let script = "keep;\r\nOK \"fake\"\r\n\"x\"";
    let mut want = format!("PUTSCRIPT \"s\" {{{}+}}\r\n", script.len()).into_bytes();
    want.extend_from_slice(script.as_bytes());
    want.extend_from_slice(b"\r\n");
    assert_eq!(
        encode("PUTSCRIPT", &[Arg::Str("s"), Arg::Literal(script)]),
        want
    );
    // A name that cannot be quoted (a line break) becomes a literal, not a broken line.
    assert_eq!(
        encode("DELETESCRIPT", &[Arg::Str("a\r\nLOGOUT")]),
        b"DELETESCRIPT {9+}\r\na\r\nLOGOUT\r\n"
    );
    assert_eq!(encode("SETACTIVE", &[Arg::Str("")]), b"SETACTIVE \"\"\r\n");
}

#[test]
fn what_carteiro_writes_the_parser_reads_back() {
    // Client literals have the same shape as server ones: a round trip checks both sides.
    for text in [
        "plain",
        "with \"quotes\" and \\",
        "multi\r\nline",
        "ação 😀",
        "",
    ] {
        let bytes = encode("X", &[Arg::Literal(text)]);
        let data = &bytes[2..];
        assert_eq!(line(data), Line::Data(vec![s(text)]), "{text:?}");
        let bytes = encode("X", &[Arg::Str(text)]);
        assert_eq!(line(&bytes[2..]), Line::Data(vec![s(text)]), "{text:?}");
    }
}
