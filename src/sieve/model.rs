//! The filters a person sets up, as data: the vacation reply, forwarding, and a list of rules
//! (conditions and actions), and what can be wrong with them.
//!
//! This is what the pages edit and what Carteiro's script is generated from
//! ([`crate::sieve::script`]); the script also carries it, as JSON, so it is read back from
//! the data rather than parsed out of Sieve. Everything here is plain data: no I/O, no
//! words a person reads (a [`Problem`] names a place and a kind, and the pages put those into
//! the person's language). The checks are in `validate.rs`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Most rules one script holds: far more than anyone keeps by hand, and a bound on the
/// script's size (servers limit it: Cyrus to 32 KiB by default, Dovecot to 1 MiB).
pub const MAX_RULES: usize = 200;
/// Most conditions in one rule.
pub const MAX_CONDITIONS: usize = 20;
/// Most actions in one rule.
pub const MAX_ACTIONS: usize = 20;
/// Longest rule name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest condition value, folder name or address, in characters.
pub const MAX_VALUE: usize = 1000;
/// Longest header name a condition tests (RFC 5322 asks lines of at most 998 octets; real
/// names are short).
pub const MAX_HEADER_NAME: usize = 200;
/// Longest vacation subject, in characters.
pub const MAX_SUBJECT: usize = 500;
/// Longest vacation message, in characters.
pub const MAX_BODY: usize = 20_000;
/// Most addresses the vacation reply answers for (one per identity, and identities are
/// bounded by [`crate::mail::identity::MAX_IDENTITIES`], well below this).
pub const MAX_ADDRESSES: usize = 50;
/// Shortest and longest "reply to the same sender once every N days" (RFC 5230 §4.1 lets a
/// server clamp it further; a year is the most that means anything).
pub const DAYS: std::ops::RangeInclusive<u32> = 1..=365;
/// Days between replies to the same sender, before the person says otherwise: a week, as
/// RFC 5230 suggests.
pub const DEFAULT_DAYS: u32 = 7;
/// Largest script the filters may grow into: well below what servers accept, so adding a
/// rule never fails for a reason the person cannot see.
pub const MAX_SCRIPT_BYTES: usize = 128 * 1024;

/// Everything a person's filters hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    pub vacation: Vacation,
    pub forward: Forward,
    /// Run in this order, each one only if enabled.
    pub rules: Vec<Rule>,
}

/// The out-of-office reply (RFC 5230).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vacation {
    pub enabled: bool,
    /// First day it answers, inclusive, by the server's clock (`currentdate`); `None`: now.
    pub start: Option<IsoDate>,
    /// Last day it answers, inclusive; `None`: until turned off.
    pub end: Option<IsoDate>,
    /// Empty: the server makes one up (Dovecot: "Auto: " and the message's subject).
    pub subject: String,
    pub body: String,
    /// The person's own addresses (`:addresses`): mail to any of them is answered, and no
    /// reply goes to mail that reached the person only through a list or a Bcc.
    pub addresses: Vec<String>,
    /// `:from`, e.g. `Ana Silva <ana@example.com>`; `None`: the server's choice.
    pub from: Option<String>,
    /// The same sender gets one reply at most every this many days (`:days`).
    pub days: u32,
}

impl Default for Vacation {
    fn default() -> Vacation {
        Vacation {
            enabled: false,
            start: None,
            end: None,
            subject: String::new(),
            body: String::new(),
            addresses: Vec::new(),
            from: None,
            days: DEFAULT_DAYS,
        }
    }
}

impl Vacation {
    /// Whether it answers only between dates (and so needs the `date` extension).
    pub fn is_dated(&self) -> bool {
        self.start.is_some() || self.end.is_some()
    }
}

/// Forwarding of all mail to another address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forward {
    pub enabled: bool,
    pub to: String,
    /// Keep a copy here too (`redirect :copy`); otherwise the message only goes on, and the
    /// rules below do not run.
    pub keep_copy: bool,
}

impl Default for Forward {
    /// Keeping a copy is the default: losing mail by accident is worse than a second copy.
    fn default() -> Forward {
        Forward {
            enabled: false,
            to: String::new(),
            keep_copy: true,
        }
    }
}

/// One rule: when its conditions hold, its actions run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    /// A disabled rule stays in the list (and in the script's data) but does not run.
    pub enabled: bool,
    /// All conditions must hold (`allof`); otherwise any one is enough (`anyof`).
    pub all: bool,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

/// One test of a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub field: Field,
    pub op: Op,
    /// Text to compare (any case of ASCII letters matches), a pattern with `*` and `?` for
    /// [`Op::Matches`], or a size (`500`, `10K`, `2M`) for [`Field::Size`].
    pub value: String,
}

/// What a condition looks at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    From,
    /// To or Cc.
    ToOrCc,
    Subject,
    ListId,
    /// Any header, by name (`X-Spam-Flag`).
    Header(String),
    /// The message's size: only with [`Op::Over`] and [`Op::Under`].
    Size,
}

/// How a condition compares.
///
/// On From and To/Cc, `Contains` looks at the whole header (name and address), while `Is`
/// and `Matches` look at the address alone: "from is ana@example.com" should hold for
/// `Ana <ana@example.com>` too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Contains,
    NotContains,
    Is,
    IsNot,
    /// A pattern: `*` any run of characters, `?` any one (`\*` and `\?` themselves).
    Matches,
    Over,
    Under,
}

impl Op {
    /// Whether this compares sizes (and so goes with [`Field::Size`] only).
    pub fn is_size(self) -> bool {
        matches!(self, Op::Over | Op::Under)
    }
}

/// What a rule does to a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Into this folder instead of the inbox (`fileinto`); the name as the folder list shows
    /// it, in UTF-8.
    MoveTo(String),
    /// Into this folder as well (`fileinto :copy`).
    CopyTo(String),
    MarkRead,
    Flag,
    /// A copy to this address (`redirect :copy`): the message is still kept, unless another
    /// action moves or discards it.
    Forward(String),
    /// Not kept (unless another action files it).
    Discard,
    /// No further rule runs.
    Stop,
}

impl Action {
    /// Sets a flag, and so is written before any action that files the message.
    pub fn is_flag(&self) -> bool {
        matches!(self, Action::MarkRead | Action::Flag)
    }

    /// The Sieve extensions this action needs.
    fn extensions(&self) -> &'static [&'static str] {
        match self {
            Action::MoveTo(_) => &["fileinto"],
            Action::CopyTo(_) => &["fileinto", "copy"],
            Action::MarkRead | Action::Flag => &["imap4flags"],
            Action::Forward(_) => &["copy"],
            Action::Discard | Action::Stop => &[],
        }
    }
}

impl Filters {
    /// The extensions the generated script lists in `require`, sorted: only those that the
    /// enabled parts use, so a server without `vacation` still takes a script of rules.
    pub fn required_extensions(&self) -> Vec<&'static str> {
        let mut set = BTreeSet::new();
        if self.vacation.enabled {
            set.insert("vacation");
            if self.vacation.is_dated() {
                // `currentdate` is in "date"; comparing with `:value "ge"` in "relational".
                set.extend(["date", "relational"]);
            }
        }
        if self.forward.enabled && self.forward.keep_copy {
            set.insert("copy");
        }
        for rule in self.rules.iter().filter(|r| r.enabled) {
            for action in &rule.actions {
                set.extend(action.extensions().iter().copied());
            }
        }
        set.into_iter().collect()
    }

    /// The most messages one delivery can redirect (forwarding, plus a forward in every
    /// enabled rule): servers cap it (Dovecot's `sieve_max_redirects`, which ManageSieve
    /// announces as `MAXREDIRECTS`), so the pages can compare before saving.
    pub fn most_redirects(&self) -> usize {
        let forward = usize::from(self.forward.enabled);
        let rules: usize = self
            .rules
            .iter()
            .filter(|r| r.enabled)
            .map(|r| {
                r.actions
                    .iter()
                    .filter(|a| matches!(a, Action::Forward(_)))
                    .count()
            })
            .sum();
        forward + rules
    }
}

/// A calendar day, written `YYYY-MM-DD` (as `currentdate :value … "date"` compares it, and
/// as an HTML date input sends it), with a four-digit year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate(NaiveDate);

impl IsoDate {
    /// The day, when its year has four digits (so the text compares as the dates do).
    pub fn new(date: NaiveDate) -> Option<IsoDate> {
        (1000..=9999)
            .contains(&date.year())
            .then_some(IsoDate(date))
    }

    /// `YYYY-MM-DD` exactly (no other separators, no missing zeros), a day that exists.
    pub fn parse(text: &str) -> Option<IsoDate> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            bytes[range].iter().try_fold(0u32, |n, b| {
                b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
            })
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year = i32::try_from(digits(0..4)?).ok()?;
        let date = NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)?;
        IsoDate::new(date)
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl FromStr for IsoDate {
    type Err = NotADate;

    fn from_str(text: &str) -> Result<IsoDate, NotADate> {
        IsoDate::parse(text).ok_or(NotADate)
    }
}

/// Text that is not a `YYYY-MM-DD` day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a YYYY-MM-DD date")]
pub struct NotADate;

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<IsoDate, D::Error> {
        let text = String::deserialize(deserializer)?;
        IsoDate::parse(&text).ok_or_else(|| serde::de::Error::custom(NotADate))
    }
}

/// A size condition's value as Sieve writes it (RFC 5228 §2.4.1): digits, and `K`, `M` or
/// `G` for KiB, MiB, GiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub number: u32,
    /// `K`, `M` or `G`, upper case; `None`: bytes.
    pub unit: Option<char>,
}

impl Size {
    /// Largest size, in bytes: the most RFC 5228 asks every server to count to (2³¹ − 1).
    pub const MAX_BYTES: u64 = (1 << 31) - 1;

    /// `500`, `10K`, `2m`, with spaces around forgiven; `None` for anything else and for
    /// sizes past [`Size::MAX_BYTES`].
    pub fn parse(text: &str) -> Option<Size> {
        let text = text.trim();
        let (digits, unit) = match text.char_indices().last()? {
            (at, c) if c.is_ascii_alphabetic() => (&text[..at], Some(c.to_ascii_uppercase())),
            _ => (text, None),
        };
        if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number: u32 = digits.parse().ok()?;
        let shift = match unit {
            None => 0,
            Some('K') => 10,
            Some('M') => 20,
            Some('G') => 30,
            Some(_) => return None,
        };
        (u64::from(number) << shift <= Size::MAX_BYTES).then_some(Size { number, unit })
    }
}

impl fmt::Display for Size {
    /// As Sieve reads it: `10K`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number)?;
        match self.unit {
            Some(unit) => write!(f, "{unit}"),
            None => Ok(()),
        }
    }
}

/// One thing wrong with the filters: where, and what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Problem {
    pub place: Place,
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    /// For logs and test failures; the pages say it in the person's language.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.place, self.kind.code())
    }
}

/// Where a problem is, so the page can show it beside the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The filters as a whole: too many rules, too large a script.
    Filters,
    Vacation(VacationField),
    /// The forwarding address.
    Forward,
    /// A rule, by its index in [`Filters::rules`].
    Rule {
        rule: usize,
        field: RuleField,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VacationField {
    Start,
    /// The end, or the two dates together (the end before the start).
    End,
    Subject,
    Body,
    Addresses,
    From,
    Days,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleField {
    Name,
    /// The list of conditions (none, or too many).
    Conditions,
    /// One condition, by index.
    Condition(usize),
    /// The list of actions (none, or too many).
    Actions,
    /// One action, by index.
    Action(usize),
}

/// What is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Required, and empty (or only spaces).
    Empty,
    /// Longer than `max` characters.
    TooLong { max: usize },
    /// More than `max` items.
    TooMany { max: usize },
    /// A control character (a line break where one line is expected, or NUL, ESC…).
    ControlCharacter,
    /// Not one plain address (`ana@example.com`).
    NotAnAddress,
    /// Not an address with an optional name (`Ana Silva <ana@example.com>`).
    NotAMailbox,
    /// Not a header name (printable ASCII, no spaces, no colon).
    NotAHeaderName,
    /// Not a size (`500`, `10K`, `2M`, at most 2 GiB).
    NotASize,
    /// An operator that does not go with the field: over/under for text, or a text
    /// comparison for the size.
    WrongOperator,
    /// Days between replies outside [`DAYS`].
    DaysOutOfRange,
    /// The vacation's end is before its start.
    EndBeforeStart,
    /// An action after "stop", which would never run.
    AfterStop,
    /// The script would grow past [`MAX_SCRIPT_BYTES`].
    TooLarge { max: usize },
}

impl ProblemKind {
    /// A stable name for the kind (`too-long`), for message ids and logs.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Empty => "empty",
            ProblemKind::TooLong { .. } => "too-long",
            ProblemKind::TooMany { .. } => "too-many",
            ProblemKind::ControlCharacter => "control-character",
            ProblemKind::NotAnAddress => "not-an-address",
            ProblemKind::NotAMailbox => "not-a-mailbox",
            ProblemKind::NotAHeaderName => "not-a-header-name",
            ProblemKind::NotASize => "not-a-size",
            ProblemKind::WrongOperator => "wrong-operator",
            ProblemKind::DaysOutOfRange => "days-out-of-range",
            ProblemKind::EndBeforeStart => "end-before-start",
            ProblemKind::AfterStop => "after-stop",
            ProblemKind::TooLarge { .. } => "too-large",
        }
    }
}
