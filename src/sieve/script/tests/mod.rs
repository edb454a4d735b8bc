//! Tests of Carteiro's script, by concern: what each part generates, reading back (and
//! refusing what is not Carteiro's), values that try to become commands, the checks, dates
//! and sizes, and (on request) the real Sieve compiler. This file holds what they share:
//! filters to start from, and a check that reads a generated script with the independent
//! reader of `parse.rs`.

mod generate;
mod inject;
mod parse;
mod read;
mod sievec;
mod validate;
mod values;

use super::{generate, read, Read};
use crate::sieve::model::{Action, Condition, Field, Filters, IsoDate, Op, Rule};

/// A rule named `name`, enabled, with "any" of its conditions.
fn rule(name: &str, conditions: Vec<Condition>, actions: Vec<Action>) -> Rule {
    Rule {
        name: name.to_string(),
        enabled: true,
        all: false,
        conditions,
        actions,
    }
}

fn when(field: Field, op: Op, value: &str) -> Condition {
    Condition {
        field,
        op,
        value: value.to_string(),
    }
}

fn date(text: &str) -> IsoDate {
    IsoDate::parse(text).unwrap()
}

/// Filters with only these rules.
fn with_rules(rules: Vec<Rule>) -> Filters {
    Filters {
        rules,
        ..Filters::default()
    }
}

/// Generates the script for `filters`, checks that it reads back as exactly these filters,
/// and returns the commands the independent reader finds in it, written as `parse::outline`
/// writes them, with the `require` line left out (the tests of extensions look at it).
fn commands(filters: &Filters) -> String {
    let script = generate(filters);
    assert_eq!(
        read(&script),
        Read::Ours(filters.clone()),
        "does not read back:\n{script}"
    );
    let nodes = parse::parse(&script).unwrap_or_else(|e| panic!("{e}:\n{script}"));
    let outline = parse::outline(&nodes);
    match outline.split_once('\n') {
        Some((first, rest)) if first.starts_with("require ") => rest.to_string(),
        _ => outline,
    }
}

/// The extensions in the script's `require`, as the independent reader finds them.
fn required(filters: &Filters) -> Vec<String> {
    let nodes = parse::parse(&generate(filters)).unwrap();
    match nodes.first() {
        Some(node) if node.name == "require" => match node.args.as_slice() {
            [parse::Arg::List(list)] => list.clone(),
            other => panic!("require with {other:?}"),
        },
        _ => Vec::new(),
    }
}
