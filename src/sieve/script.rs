//! Carteiro's own Sieve script: generated from [`Filters`], and read back.
//!
//! The script is Sieve a server runs and a person can read, followed by a data block: the
//! filters as JSON, in base64, in comment lines:
//!
//! ```text
//! # carteiro-data v1
//! # eyJ2IjoxLCJmaWx0ZXJzIjp7InZhY2F0aW9uIjp7ImVuYWJsZWQiOmZhbHNlLCJzdGFydCI6bnVsbCwiZW5k
//! # …
//! ```
//!
//! Reading never parses Sieve: it decodes the data, generates the script again and calls it
//! Carteiro's only when that is the very same text (line ends aside). A script that was
//! edited by hand, even by one character, or written by another tool, is [`Read::Foreign`]:
//! the pages then offer it in the expert editor and keep a copy before replacing it, rather
//! than guess what the edit meant and lose it. (Parsing the Sieve back into rules was the
//! alternative; it would take a hand edit Carteiro cannot express and silently drop it.)

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::{Action, Condition, Field, Filters, Forward, Op, Rule, Size, Vacation};
use super::quote;

/// The one script Carteiro writes on the server.
pub const SCRIPT_NAME: &str = "carteiro";

/// The line that starts the data block; a later layout gets a new number.
const DATA_MARK: &str = "# carteiro-data v1";
/// The layout of the JSON in the data block (written in it, too).
const DATA_VERSION: u32 = 1;
/// Base64 characters per data line (as MIME writes base64).
const DATA_COLUMNS: usize = 76;

/// What a script on the server is to Carteiro.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    /// Carteiro wrote it, and nobody has changed it since: these are its filters.
    Ours(Filters),
    /// Written or changed by someone else: shown as text, never rewritten unasked.
    Foreign,
}

/// The JSON in the data block.
#[derive(Serialize)]
struct Data<'a> {
    v: u32,
    /// [`checksum`] of the filters: a hand edit of the base64 that still decodes to filters
    /// (say, the name of a disabled rule, which the Sieve does not show) is found out too.
    sum: String,
    filters: &'a Filters,
}

/// The JSON read from a data block (its `v` checked before).
#[derive(Deserialize)]
struct ReadData {
    sum: String,
    filters: Filters,
}

/// The first 8 bytes of the SHA-256 of the filters' JSON, in hex. Not a seal (anyone can
/// compute it again), a check against edits that were not meant as Carteiro's.
fn checksum(filters: &Filters) -> String {
    let json = serde_json::to_vec(filters).unwrap_or_default();
    hex::encode(&Sha256::digest(json)[..8])
}

/// The script for `filters`: the same text for the same filters, every time (reading back
/// depends on it). Disabled parts are left out of the Sieve but kept in the data.
pub fn generate(filters: &Filters) -> String {
    let mut out = String::new();
    out.push_str("# Carteiro's filters and vacation reply, written from the data at the end.\n");
    out.push_str("# Changed by hand, it is no longer read as rules: Carteiro shows it as text.\n");
    let extensions = filters.required_extensions();
    if !extensions.is_empty() {
        // An empty `require []` is not Sieve: a string list has one string at least.
        out.push_str(&format!("require {};\n", quote::list(extensions)));
    }
    if filters.vacation.enabled {
        vacation(&mut out, &filters.vacation);
    }
    if filters.forward.enabled {
        forward(&mut out, &filters.forward);
    }
    for (index, rule) in filters.rules.iter().enumerate() {
        if rule.enabled {
            self::rule(&mut out, index, rule);
        }
    }
    out.push('\n');
    data(&mut out, filters);
    out
}

/// `vacation …;`, inside `if` when it answers only between dates.
fn vacation(out: &mut String, vacation: &Vacation) {
    out.push_str("\n# Vacation reply\n");
    let mut dates = Vec::new();
    if let Some(start) = vacation.start {
        dates.push(format!(
            "currentdate :value \"ge\" \"date\" {}",
            quote::string(&start.to_string())
        ));
    }
    if let Some(end) = vacation.end {
        dates.push(format!(
            "currentdate :value \"le\" \"date\" {}",
            quote::string(&end.to_string())
        ));
    }
    let indent = if dates.is_empty() {
        ""
    } else {
        out.push_str(&format!("if allof ({}) {{\n", dates.join(", ")));
        "    "
    };
    out.push_str(&format!("{indent}vacation :days {}", vacation.days));
    if !vacation.subject.is_empty() {
        out.push_str(&format!(" :subject {}", quote::string(&vacation.subject)));
    }
    if let Some(from) = vacation.from.as_deref().filter(|f| !f.is_empty()) {
        out.push_str(&format!(" :from {}", quote::string(from)));
    }
    if !vacation.addresses.is_empty() {
        let addresses = vacation.addresses.iter().map(String::as_str);
        out.push_str(&format!(" :addresses {}", quote::list(addresses)));
    }
    // The message always as `text:`: it is usually several lines, and one form is simpler
    // to check than two.
    out.push(' ');
    out.push_str(&quote::text(&vacation.body));
    out.push_str(indent);
    out.push_str(";\n");
    if !dates.is_empty() {
        out.push_str("}\n");
    }
}

/// `redirect`: with `:copy` when a copy stays; without, the message goes on and nothing
/// below runs (`stop`), so no rule files it as well.
fn forward(out: &mut String, forward: &Forward) {
    out.push_str("\n# Forwarding\n");
    let to = quote::string(&forward.to);
    if forward.keep_copy {
        out.push_str(&format!("redirect :copy {to};\n"));
    } else {
        out.push_str(&format!("redirect {to};\nstop;\n"));
    }
}

/// `if <conditions> { <actions> }`.
fn rule(out: &mut String, index: usize, rule: &Rule) {
    let name = quote::comment(&rule.name);
    if name.is_empty() {
        out.push_str(&format!("\n# Rule {}\n", index + 1));
    } else {
        out.push_str(&format!("\n# Rule {}: {name}\n", index + 1));
    }
    let tests: Vec<String> = rule.conditions.iter().map(condition).collect();
    let test = match tests.as_slice() {
        // Checked away by `validate`; should it come, the rule never runs (the safe side:
        // `true` would apply a discard to every message).
        [] => "false".to_string(),
        [one] => one.clone(),
        many => {
            let all = if rule.all { "allof" } else { "anyof" };
            format!("{all} ({})", many.join(",\n        "))
        }
    };
    out.push_str(&format!("if {test} {{\n"));
    // Flags first: `fileinto` files the message with the flags set so far.
    let flags = rule.actions.iter().filter(|a| a.is_flag());
    let others = rule.actions.iter().filter(|a| !a.is_flag());
    for action in flags.chain(others) {
        out.push_str("    ");
        out.push_str(&self::action(action));
        out.push('\n');
    }
    out.push_str("}\n");
}

/// One test. Comparisons use Sieve's default comparator, `i;ascii-casemap`: ASCII letters
/// in any case.
fn condition(condition: &Condition) -> String {
    let (negated, match_type) = match condition.op {
        Op::Contains => (false, ":contains"),
        Op::NotContains => (true, ":contains"),
        Op::Is => (false, ":is"),
        Op::IsNot => (true, ":is"),
        Op::Matches => (false, ":matches"),
        Op::Over | Op::Under => return size(condition),
    };
    let value = quote::string(&condition.value);
    let by_address = matches!(condition.op, Op::Is | Op::IsNot | Op::Matches);
    let test = match &condition.field {
        Field::From | Field::ToOrCc => {
            let headers = if condition.field == Field::From {
                quote::string("from")
            } else {
                quote::list(["to", "cc"])
            };
            // `address` compares the address alone, `header` the whole header text.
            let test = if by_address { "address" } else { "header" };
            format!("{test} {match_type} {headers} {value}")
        }
        Field::Subject => format!("header {match_type} \"subject\" {value}"),
        Field::ListId => format!("header {match_type} \"list-id\" {value}"),
        Field::Header(name) => format!("header {match_type} {} {value}", quote::string(name)),
        // A text comparison of the size: checked away by `validate`; never matches here.
        Field::Size => return "false".to_string(),
    };
    if negated {
        format!("not {test}")
    } else {
        test
    }
}

/// `size :over 10K`. The number is written from its parsed form, never from the text.
fn size(condition: &Condition) -> String {
    let over = condition.op == Op::Over;
    match (&condition.field, Size::parse(&condition.value)) {
        (Field::Size, Some(size)) => {
            format!("size {} {size}", if over { ":over" } else { ":under" })
        }
        // Not a size, or a size compared with a header: checked away by `validate`.
        _ => "false".to_string(),
    }
}

fn action(action: &Action) -> String {
    match action {
        Action::MoveTo(folder) => format!("fileinto {};", quote::string(folder)),
        Action::CopyTo(folder) => format!("fileinto :copy {};", quote::string(folder)),
        Action::MarkRead => "addflag \"\\\\Seen\";".to_string(),
        Action::Flag => "addflag \"\\\\Flagged\";".to_string(),
        Action::Forward(to) => format!("redirect :copy {};", quote::string(to)),
        Action::Discard => "discard;".to_string(),
        Action::Stop => "stop;".to_string(),
    }
}

/// The data block: the mark, then the JSON in base64, [`DATA_COLUMNS`] to a line.
fn data(out: &mut String, filters: &Filters) {
    let json = serde_json::to_vec(&Data {
        v: DATA_VERSION,
        sum: checksum(filters),
        filters,
    })
    // Serializing plain structs of strings into memory cannot fail.
    .unwrap_or_default();
    let encoded = base64::engine::general_purpose::STANDARD.encode(json);
    out.push_str(DATA_MARK);
    out.push('\n');
    // Base64 is ASCII, so byte chunks are whole characters.
    for line in encoded.as_bytes().chunks(DATA_COLUMNS) {
        out.push_str("# ");
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
}

/// What `script` is to Carteiro: [`Read::Ours`] only when it is exactly the script its own
/// data block generates (CRLF or LF line ends alike); anything else is [`Read::Foreign`].
pub fn read(script: &str) -> Read {
    let script = script.replace("\r\n", "\n");
    match data_of(&script) {
        // Both sides alike: a value may hold a CRLF of its own (not one that `validate`
        // lets through, but reading must not depend on it).
        Some(filters) if generate(&filters).replace("\r\n", "\n") == script => Read::Ours(filters),
        _ => Read::Foreign,
    }
}

/// The filters in the data block that ends `script`, if it has one that decodes.
fn data_of(script: &str) -> Option<Filters> {
    // The last mark: what follows it is base64, which cannot hold another; a mark higher
    // up is a hand edit, which regenerating finds out.
    let at = script.rfind(&format!("\n{DATA_MARK}\n"))?;
    let block = &script[at + DATA_MARK.len() + 2..];
    let mut encoded = String::with_capacity(block.len());
    for line in block.split_terminator('\n') {
        encoded.push_str(line.strip_prefix("# ")?);
    }
    let json = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    // The version first: a newer layout may not even read as this one.
    #[derive(Deserialize)]
    struct Version {
        v: u32,
    }
    let version: Version = serde_json::from_slice(&json).ok()?;
    if version.v != DATA_VERSION {
        return None;
    }
    let data: ReadData = serde_json::from_slice(&json).ok()?;
    (data.sum == checksum(&data.filters)).then_some(data.filters)
}

#[cfg(test)]
mod tests;
