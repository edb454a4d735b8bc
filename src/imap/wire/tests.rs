//! Byte fixtures for the framing of answers: literals that hold fake tagged lines, answers
//! that arrive a few bytes at a time, BYE, NO and BAD, oversize and unreadable answers.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::*;
use crate::imap::budget::AnswerBudget;

/// A server that sends `answer` at most `chunk` bytes per read, then closes, and keeps what
/// it was sent.
struct Server {
    answer: Vec<u8>,
    sent: usize,
    chunk: usize,
    received: Vec<u8>,
}

impl Server {
    fn new(answer: &[u8], chunk: usize) -> Server {
        Server {
            answer: answer.to_vec(),
            sent: 0,
            chunk,
            received: Vec::new(),
        }
    }
}

impl AsyncRead for Server {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self
            .chunk
            .min(self.answer.len() - self.sent)
            .min(buf.remaining());
        let from = self.sent;
        buf.put_slice(&self.answer[from..from + n]);
        self.sent += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Server {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.received.extend_from_slice(data);
        Poll::Ready(Ok(data.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A FETCH whose body literal holds what looks like the tagged end of the answer.
const FAKE_END: &[u8] = b"* 1 FETCH (UID 7 BODY[] {13}\r\nCR1 OK fake\r\n)\r\n\
* 2 FETCH (UID 8 BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1))\r\n\
CR1 OK Fetch completed.\r\n";

/// `exchange` on a fixture, with the bytes the server received.
async fn exchange_on(
    answer: &[u8],
    chunk: usize,
    limit: usize,
) -> (Result<Vec<u8>, ImapError>, Vec<u8>) {
    let mut server = Server::new(answer, chunk);
    let budget = AnswerBudget::default();
    let result = exchange(&mut server, "UID FETCH 7 (BODY[])", limit, &budget).await;
    let result = result.map(|answer| answer.to_vec());
    assert_eq!(
        budget.in_use(),
        0,
        "an answer read gives its memory back once dropped"
    );
    (result, server.received)
}

/// An answer of `size` bytes: one FETCH with a body literal.
fn answer_of(size: usize) -> Vec<u8> {
    let body = size - 40;
    let mut answer = format!("* 1 FETCH (UID 1 BODY[] {{{body}}}\r\n").into_bytes();
    answer.resize(answer.len() + body, b'a');
    answer.extend_from_slice(b")\r\nCR1 OK done\r\n");
    answer
}

/// The untagged responses `dispatch` hands over, as their Debug forms, and its outcome.
fn dispatched(answer: &[u8]) -> (Vec<String>, Dispatched) {
    let mut seen = Vec::new();
    let outcome = dispatch(answer, &mut |r| seen.push(format!("{r:?}")));
    (seen, outcome)
}

#[test]
fn an_answer_ends_at_its_tagged_line_whatever_the_literals_hold() {
    let answer = FAKE_END;
    // Whole, and byte by byte as a slow server would send it.
    assert_eq!(
        AnswerScan::default().advance(answer, b"CR1"),
        Some(answer.len())
    );
    let mut scan = AnswerScan::default();
    let ends: Vec<usize> = (1..=answer.len())
        .filter_map(|n| scan.advance(&answer[..n], b"CR1"))
        .collect();
    assert_eq!(ends, [answer.len()]);
    // Not finished while a literal or the tagged line is still arriving.
    assert_eq!(AnswerScan::default().advance(&answer[..40], b"CR1"), None);
    assert_eq!(
        AnswerScan::default().advance(&answer[..answer.len() - 1], b"CR1"),
        None
    );
    assert_eq!(
        literal_length(b"* 1 FETCH (BODY[] {1048576}"),
        Some(1_048_576)
    );
    assert_eq!(literal_length(b"\"{12}\" x"), None);
    assert_eq!(literal_length(b"* 1 FETCH (BODY[] {}"), None);
}

#[test]
fn a_line_that_only_starts_like_the_tag_does_not_end_the_answer() {
    let answer = b"* OK CR1 is not at the start\r\nCR12 OK another tag\r\nCR1 OK done\r\n";
    assert_eq!(
        AnswerScan::default().advance(answer, b"CR1"),
        Some(answer.len())
    );
    let (seen, outcome) = dispatched(answer);
    assert!(outcome.result.is_ok());
    assert_eq!(seen.len(), 3, "{seen:?}");
}

#[tokio::test]
async fn exchange_writes_the_tagged_command_and_reads_the_whole_answer_in_any_pieces() {
    for chunk in [1, 2, 3, 7, 13, 64, 4096] {
        let (answer, received) = exchange_on(FAKE_END, chunk, 1 << 20).await;
        assert_eq!(answer.unwrap(), FAKE_END, "read {chunk} bytes at a time");
        assert_eq!(received, b"CR1 UID FETCH 7 (BODY[])\r\n");
    }
}

#[test]
fn dispatch_hands_over_literals_whole_and_stops_at_the_real_tagged_line() {
    let mut bodies = Vec::new();
    let mut uids = Vec::new();
    let outcome = dispatch(FAKE_END, &mut |r| {
        if let Response::Fetch(_, attrs) = r {
            for a in attrs {
                match a {
                    AttributeValue::Uid(u) => uids.push(*u),
                    AttributeValue::BodySection { data, .. } => {
                        bodies.push(data.as_deref().unwrap_or_default().to_vec())
                    }
                    _ => {}
                }
            }
        }
    });
    assert!(outcome.result.is_ok());
    assert!(!outcome.bye);
    assert_eq!(uids, [7, 8]);
    assert_eq!(bodies, [b"CR1 OK fake\r\n".to_vec()]);
}

#[test]
fn no_and_bad_are_refusals_with_a_short_reason() {
    let (_, outcome) = dispatched(b"CR1 NO [TRYCREATE] No such folder\r\n");
    assert!(
        matches!(&outcome.result, Err(ImapError::Refused(r)) if r == "No such folder"),
        "{outcome:?}"
    );
    let long = format!("CR1 BAD {}\r\n", "x".repeat(1000));
    let (_, outcome) = dispatched(long.as_bytes());
    match outcome.result {
        Err(ImapError::Refused(reason)) => {
            assert_eq!(reason.chars().count(), 201);
            assert!(reason.ends_with('…'));
        }
        other => panic!("{other:?}"),
    }
    assert!(!ImapError::refused("x").breaks_connection());
}

#[test]
fn bye_is_reported_and_not_handed_over() {
    let (seen, outcome) = dispatched(b"* BYE Logging out\r\nCR1 OK Logout completed.\r\n");
    assert!(outcome.bye);
    assert!(outcome.result.is_ok());
    assert_eq!(seen.len(), 1, "only the tagged line: {seen:?}");
    let (_, outcome) = dispatched(b"* 1 EXISTS\r\nCR1 OK done\r\n");
    assert!(!outcome.bye);
}

#[tokio::test]
async fn a_server_that_says_bye_and_hangs_up_mid_answer_leaves_the_connection_unusable() {
    let (answer, _) = exchange_on(b"* BYE server shutting down\r\n", 5, 1 << 20).await;
    match answer {
        Err(e @ ImapError::Unavailable(_)) => {
            assert!(e.to_string().contains("closed during UID FETCH"), "{e}");
            assert!(e.breaks_connection());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_answer_over_the_limit_fails_instead_of_growing() {
    let mut big = b"* 1 FETCH (UID 1 BODY[] {3000000}\r\n".to_vec();
    big.extend(std::iter::repeat_n(b'a', 3_000_000));
    big.extend_from_slice(b")\r\nCR1 OK done\r\n");
    let (answer, _) = exchange_on(&big, 64 * 1024, 2 << 20).await;
    match answer {
        Err(e @ ImapError::Protocol(_)) => {
            assert!(e.to_string().contains("larger than 2 MiB"), "{e}");
            assert!(e.breaks_connection());
        }
        other => panic!("{other:?}"),
    }
    // The same answer within the limit is read whole.
    let (answer, _) = exchange_on(&big, 64 * 1024, 4 << 20).await;
    assert_eq!(answer.unwrap().len(), big.len());
}

#[tokio::test]
async fn answers_being_read_hold_their_share_of_the_budget_until_dropped() {
    let budget = AnswerBudget::with_wait(1 << 20, std::time::Duration::from_millis(20));
    let small = answer_of(200_000);
    let mut server = Server::new(&small, 64 * 1024);
    let answer = exchange(&mut server, "UID FETCH 1 (BODY[])", 8 << 20, &budget)
        .await
        .unwrap();
    assert_eq!(&answer[..], &small[..]);
    let held = budget.in_use();
    assert!(
        (small.len()..=2 * small.len() + 16 * 1024).contains(&held),
        "{held} bytes held for a {}-byte answer",
        small.len()
    );
    // Another answer finds what is left of the budget too small, waits, then fails.
    let mut server = Server::new(&answer_of(900_000), 64 * 1024);
    let err = exchange(&mut server, "UID FETCH 2 (BODY[])", 8 << 20, &budget)
        .await
        .unwrap_err();
    assert!(err.breaks_connection(), "{err:?}");
    assert!(err.to_string().contains("too many large answers"), "{err}");
    assert_eq!(
        budget.in_use(),
        held,
        "the failed answer gave its share back"
    );
    drop(answer);
    assert_eq!(budget.in_use(), 0);
    // With the first answer gone, the second fits.
    let mut server = Server::new(&answer_of(900_000), 64 * 1024);
    assert!(
        exchange(&mut server, "UID FETCH 2 (BODY[])", 8 << 20, &budget)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn bytes_after_the_tagged_line_are_a_protocol_error() {
    let (answer, _) = exchange_on(b"CR1 OK done\r\n* 1 EXISTS\r\n", 4096, 1 << 20).await;
    assert!(
        matches!(&answer, Err(ImapError::Protocol(m)) if m.contains("data after")),
        "{answer:?}"
    );
}

#[test]
fn unreadable_or_unfinished_answers_are_protocol_errors() {
    let (_, outcome) = dispatched(b"* 1 FETCH (UID 7\r\nCR1 OK done\r\n");
    assert!(
        matches!(&outcome.result, Err(ImapError::Protocol(m)) if m.contains("at byte 0 of")),
        "{outcome:?}"
    );
    let (_, outcome) = dispatched(b"* 1 EXISTS\r\n");
    assert!(
        matches!(&outcome.result, Err(ImapError::Protocol(m)) if m.contains("without its tagged")),
        "{outcome:?}"
    );
}

#[test]
fn step_follows_only_its_own_tag() {
    let mut handed = 0;
    let (_, other) = Response::parse(b"A7 OK not ours\r\n").unwrap();
    assert!(matches!(
        step(&other, "A8", &mut |_| handed += 1),
        Step::Data
    ));
    let (_, ours) = Response::parse(b"A8 OK ours\r\n").unwrap();
    assert!(matches!(
        step(&ours, "A8", &mut |_| handed += 1),
        Step::Done(Ok(()))
    ));
    let (_, bye) = Response::parse(b"* BYE going\r\n").unwrap();
    assert!(matches!(step(&bye, "A8", &mut |_| handed += 1), Step::Bye));
    assert_eq!(handed, 2);
}

#[test]
fn lines_hands_over_untagged_lines_and_reads_the_tagged_status() {
    let mut seen = Vec::new();
    let outcome = lines(
        b"* THREAD (2)(3 6 (4 23))\r\n* OK still here\r\nCR1 OK Thread completed.\r\n",
        |l| seen.push(l.to_string()),
    );
    assert!(outcome.result.is_ok());
    assert!(!outcome.bye);
    assert_eq!(seen, ["* THREAD (2)(3 6 (4 23))", "* OK still here"]);
    let outcome = lines(b"* BYE bye\r\nCR1 NO [LIMIT] Too many\r\n", |_| {});
    assert!(outcome.bye);
    assert!(
        matches!(&outcome.result, Err(ImapError::Refused(r)) if r == "NO [LIMIT] Too many"),
        "{outcome:?}"
    );
}

/// A search with two synchronizing literals, cut where the server must say `+`.
const LITERAL_PIECES: [&str; 3] = [
    "UID SEARCH CHARSET UTF-8 SUBJECT {2}\r\n",
    "é BODY {2}\r\n",
    "é",
];

#[tokio::test]
async fn synchronizing_literals_are_sent_piece_by_piece_and_data_before_a_plus_is_kept() {
    let answer = b"* 3 EXISTS\r\n+ go ahead\r\n+ go ahead\r\n* SEARCH 2 3\r\nCR1 OK done\r\n";
    for chunk in [1, 5, 4096] {
        let mut server = Server::new(answer, chunk);
        let budget = AnswerBudget::default();
        let got = exchange_literals(&mut server, &LITERAL_PIECES, 1 << 20, &budget)
            .await
            .expect("an answer");
        assert_eq!(
            server.received,
            "CR1 UID SEARCH CHARSET UTF-8 SUBJECT {2}\r\né BODY {2}\r\né\r\n".as_bytes()
        );
        let mut found = Vec::new();
        let mut exists = 0;
        let outcome = dispatch(&got, &mut |r| match r {
            Response::MailboxData(MailboxDatum::Search(list)) => found.extend_from_slice(list),
            Response::MailboxData(MailboxDatum::Exists(n)) => exists = *n,
            _ => {}
        });
        assert!(outcome.result.is_ok());
        assert_eq!(
            (found, exists),
            (vec![2, 3], 3),
            "read {chunk} bytes at a time"
        );
    }
}

#[tokio::test]
async fn a_literal_the_server_refuses_ends_the_command_without_sending_its_text() {
    let mut server = Server::new(b"CR1 BAD no literals here\r\n", 3);
    let budget = AnswerBudget::default();
    let got = exchange_literals(&mut server, &LITERAL_PIECES, 1 << 20, &budget)
        .await
        .expect("an answer");
    assert_eq!(
        server.received,
        b"CR1 UID SEARCH CHARSET UTF-8 SUBJECT {2}\r\n"
    );
    assert!(matches!(
        dispatch(&got, &mut |_| {}).result,
        Err(ImapError::Refused(_))
    ));
}
