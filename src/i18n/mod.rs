//! Languages. Every text a person reads comes from the Fluent files under `locales/` (one
//! folder per language, compiled into the binary by `static_loader!`), looked up through a
//! [`Lang`]; numbers, sizes and dates are written the way that language writes them, from
//! the same file.
//!
//! Adding a language is adding `locales/<tag>/main.ftl` (see the README, "Languages").
//! English is the fallback: a message another language lacks shows in English (and the
//! parity test below fails), and a message missing everywhere shows as `⟦id⟧`, which the
//! page tests look for in both languages.
//!
//! Fluent rather than a key→string table: plurals (`1 message`, `2 messages`; Portuguese's
//! "one" also covers 0), grammatical variants and word order belong to the translation, not
//! to the code.

pub mod dates;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::FluentValue;
use fluent_langneg::{negotiate_languages, NegotiationStrategy};
use fluent_templates::Loader;
use intl_memoizer::concurrent::IntlLangMemoizer;
use intl_memoizer::Memoizable;
use unic_langid::LanguageIdentifier;

/// The language every other one falls back to; its folder must exist.
const FALLBACK: &str = "en";

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| {
            // Fluent wraps each placeable in invisible bidi isolation marks (U+2068, U+2069).
            // Both languages are written left to right, and the marks would end up in copied
            // text, `title` attributes and form values. A right-to-left language would bring
            // them back together with a `dir` attribute.
            bundle.set_use_isolating(false);
            bundle.set_formatter(Some(format_number));
        },
    };
}

/// Every language, the fallback first, then by tag.
static ALL: LazyLock<Vec<&'static LanguageIdentifier>> = LazyLock::new(|| {
    let mut all: Vec<&'static LanguageIdentifier> = LOCALES.locales().collect();
    all.sort_by_key(|l| (l.to_string() != FALLBACK, l.to_string()));
    all
});

/// How each language writes numbers, read once from its `number-*` messages.
static SEPARATORS: LazyLock<HashMap<&'static LanguageIdentifier, Separators>> =
    LazyLock::new(|| ALL.iter().map(|&l| (l, Separators::read(l))).collect());

/// What a page shows where a message is missing from every language file.
pub const MISSING_MARK: char = '⟦';

/// One of the languages Carteiro speaks.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lang(&'static LanguageIdentifier);

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.0)
    }
}

impl Default for Lang {
    /// English, the fallback.
    fn default() -> Lang {
        Lang(ALL[0])
    }
}

impl Lang {
    /// Every language there is a folder for under `locales/`, English first.
    pub fn all() -> Vec<Lang> {
        ALL.iter().map(|&l| Lang(l)).collect()
    }

    /// The language with exactly this tag (`pt-BR`, any letter case), if Carteiro has it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        ALL.iter()
            .find(|l| l.to_string().eq_ignore_ascii_case(tag.trim()))
            .map(|&l| Lang(l))
    }

    /// The best language for an `Accept-Language` header: ranges in order of their q-values
    /// (q=0 means "not this one"), each matched first exactly, then by language alone, so
    /// `pt` and `pt-PT` get `pt-BR`. English when nothing matches.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut ranges: Vec<(f32, usize, LanguageIdentifier)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let q = match parts.find_map(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").or_else(|| p.strip_prefix("Q="))
                }) {
                    Some(q) => q.trim().parse::<f32>().ok()?,
                    None => 1.0,
                };
                if q.is_nan() || q <= 0.0 || tag == "*" {
                    return None;
                }
                Some((q, i, tag.parse().ok()?))
            })
            .collect();
        // Highest q first; equal q-values keep the order the browser sent.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let requested: Vec<LanguageIdentifier> = ranges.into_iter().map(|r| r.2).collect();
        negotiate_languages(
            &requested,
            ALL.as_slice(),
            None,
            NegotiationStrategy::Filtering,
        )
        .first()
        .map(|&&l| Lang(l))
        .unwrap_or_default()
    }

    /// The BCP 47 tag, for `<html lang>` and the stored setting.
    pub fn tag(&self) -> String {
        self.0.to_string()
    }

    /// A message without arguments.
    pub fn t(&self, id: &str) -> String {
        self.lookup(id, None)
    }

    /// A message with its arguments.
    pub fn format(&self, msg: &Msg) -> String {
        if msg.args.is_empty() {
            return self.t(msg.id);
        }
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = msg
            .args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), value.to_fluent()))
            .collect();
        self.lookup(msg.id, Some(&args))
    }

    /// A whole number the way this language writes it: `10,000` or `10.000`.
    pub fn number(&self, n: u64) -> String {
        self.separators()
            .write(n as f64, &FluentNumberOptions::default())
    }

    /// A human size: `812 B`, `14 KB`, `3.2 MB` (`3,2 MB` in Portuguese).
    pub fn size(&self, bytes: u64) -> String {
        const KB: f64 = 1024.0;
        let b = bytes as f64;
        let (id, value, digits) = if b < KB {
            ("size-bytes", b, 0)
        } else if b < KB * KB {
            ("size-kb", (b / KB).max(1.0), 0)
        } else if b < KB * KB * KB {
            ("size-mb", b / KB / KB, 1)
        } else {
            ("size-gb", b / KB / KB / KB, 1)
        };
        let options = FluentNumberOptions {
            minimum_fraction_digits: Some(digits),
            maximum_fraction_digits: Some(digits),
            ..Default::default()
        };
        self.format(&Msg::new(id).arg("value", Arg::Fixed(value, options)))
    }

    fn separators(&self) -> &'static Separators {
        &SEPARATORS[self.0]
    }

    fn lookup(
        &self,
        id: &str,
        args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>,
    ) -> String {
        match LOCALES.lookup_single_language(self.0, id, args) {
            Ok(text) => text,
            Err(error) => {
                let fallback = Lang::default();
                if *self != fallback {
                    if let Ok(text) = LOCALES.lookup_single_language(fallback.0, id, args) {
                        tracing::warn!(lang = %self.0, id, %error, "message shown in English");
                        return text;
                    }
                }
                tracing::error!(lang = %self.0, id, %error, "message missing");
                format!("{MISSING_MARK}{id}⟧")
            }
        }
    }
}

/// A message to show later, in whatever language the page turns out to be in: errors are
/// raised in handlers but rendered by the error-page middleware.
#[derive(Clone, Debug, PartialEq)]
pub struct Msg {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(id: &'static str) -> Msg {
        Msg {
            id,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Msg {
        self.args.push((name, value.into()));
        self
    }
}

/// The value of a message argument. Numbers stay numbers, so Fluent picks the plural form
/// and writes them with the language's separators.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Text(String),
    Number(f64),
    /// A number with fixed fraction digits (sizes).
    Fixed(f64, FluentNumberOptions),
}

impl Arg {
    fn to_fluent(&self) -> FluentValue<'_> {
        match self {
            Arg::Text(s) => FluentValue::String(Cow::Borrowed(s)),
            Arg::Number(n) => FluentValue::Number(FluentNumber::new(*n, Default::default())),
            Arg::Fixed(n, options) => FluentValue::Number(FluentNumber::new(*n, options.clone())),
        }
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

// Templates pass their values by reference, loop variables by a second one.
impl From<&&String> for Arg {
    fn from(s: &&String) -> Arg {
        Arg::Text((*s).clone())
    }
}

impl From<&&str> for Arg {
    fn from(s: &&str) -> Arg {
        Arg::Text(s.to_string())
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Number(n as f64)
            }
        }
        impl From<&$t> for Arg {
            fn from(n: &$t) -> Arg {
                Arg::Number(*n as f64)
            }
        }
        impl From<&&$t> for Arg {
            fn from(n: &&$t) -> Arg {
                Arg::Number(**n as f64)
            }
        }
    )*};
}
number_args!(u16, u32, u64, usize, i32, i64);

/// A message bound to a language, written out where a template prints it (and escaped
/// there like any other text): `{{ ctx.t("list-range").arg("total", total) }}`.
pub struct Tr {
    lang: Lang,
    msg: Msg,
}

impl Tr {
    pub fn new(lang: Lang, id: &'static str) -> Tr {
        Tr {
            lang,
            msg: Msg::new(id),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Tr {
        self.msg = self.msg.arg(name, value);
        self
    }
}

impl fmt::Display for Tr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lang.format(&self.msg))
    }
}

/// The decimal and group separators of a language.
#[derive(Debug, Clone)]
struct Separators {
    decimal: String,
    group: String,
}

impl Separators {
    fn read(lang: &LanguageIdentifier) -> Separators {
        let get = |id: &str, default: &str| {
            LOCALES
                .lookup_single_language::<&str>(lang, id, None)
                .unwrap_or_else(|_| default.to_string())
        };
        Separators {
            decimal: get("number-decimal-separator", "."),
            group: get("number-group-separator", ","),
        }
    }

    /// Writes `value` with the fraction digits `options` ask for (none for whole numbers,
    /// else up to three) and groups of three digits in the whole part.
    fn write(&self, value: f64, options: &FluentNumberOptions) -> String {
        let min = options.minimum_fraction_digits.unwrap_or(0);
        let max = options.maximum_fraction_digits.unwrap_or(min.max(3));
        let fixed = format!("{:.*}", max, value.abs());
        let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
        let mut fraction = fraction.to_string();
        while fraction.len() > min && fraction.ends_with('0') {
            fraction.pop();
        }
        let mut out = String::new();
        if value < 0.0 && fixed.bytes().any(|b| matches!(b, b'1'..=b'9')) {
            out.push('-');
        }
        for (i, digit) in whole.chars().enumerate() {
            if options.use_grouping && i > 0 && (whole.len() - i) % 3 == 0 {
                out.push_str(&self.group);
            }
            out.push(digit);
        }
        if !fraction.is_empty() {
            out.push_str(&self.decimal);
            out.push_str(&fraction);
        }
        out
    }
}

/// Lets Fluent reach a language's separators from inside a bundle: the formatter hook gets
/// only the bundle's memoizer, which knows its language.
struct BundleSeparators(&'static Separators);

impl Memoizable for BundleSeparators {
    type Args = ();
    type Error = ();

    fn construct(lang: LanguageIdentifier, _: ()) -> Result<Self, ()> {
        ALL.iter()
            .find(|&&l| *l == lang)
            .map(|l| BundleSeparators(&SEPARATORS[l]))
            .ok_or(())
    }
}

/// Fluent's hook for numbers: writes them with the bundle's language's separators.
fn format_number(value: &FluentValue<'_>, intls: &IntlLangMemoizer) -> Option<String> {
    let FluentValue::Number(n) = value else {
        return None;
    };
    intls
        .with_try_get::<BundleSeparators, _, _>((), |s| s.0.write(n.value, &n.options))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    fn pt() -> Lang {
        Lang::from_tag("pt-BR").expect("Portuguese is there")
    }

    fn en() -> Lang {
        Lang::from_tag("en").expect("English is there")
    }

    #[test]
    fn english_is_the_default_and_both_languages_are_there() {
        assert_eq!(Lang::default(), en());
        let tags: Vec<String> = Lang::all().iter().map(Lang::tag).collect();
        assert_eq!(tags[0], "en");
        assert!(tags.contains(&"pt-BR".to_string()), "{tags:?}");
        assert_eq!(pt().t("language-name"), "Português (Brasil)");
    }

    #[test]
    fn accept_language_honours_q_values_and_matches_portuguese_by_language() {
        let pick = |h: &str| Lang::from_accept_language(h).tag();
        assert_eq!(pick("pt-BR,pt;q=0.9,en;q=0.8"), "pt-BR");
        assert_eq!(pick("pt"), "pt-BR");
        assert_eq!(pick("pt-PT"), "pt-BR");
        assert_eq!(pick("PT-br"), "pt-BR");
        assert_eq!(pick("en-US,en;q=0.9,pt-BR;q=0.8"), "en");
        assert_eq!(pick("en;q=0.2, pt-BR;q=0.9"), "pt-BR");
        assert_eq!(pick("fr-FR, fr;q=0.9, pt;q=0.5"), "pt-BR");
        assert_eq!(pick("pt;q=0, de"), "en");
        assert_eq!(pick("de-DE"), "en");
        assert_eq!(pick("*"), "en");
        assert_eq!(pick(""), "en");
        assert_eq!(pick(";;;,q=,%%%"), "en");
    }

    #[test]
    fn plurals_and_arguments_come_from_the_translation() {
        let notice = |lang: Lang, n: u32| lang.format(&Msg::new("notice-read").arg("count", n));
        assert_eq!(notice(en(), 1), "Marked 1 message as read.");
        assert_eq!(notice(en(), 2), "Marked 2 messages as read.");
        assert_eq!(notice(pt(), 1), "1 mensagem marcada como lida.");
        assert_eq!(notice(pt(), 2), "2 mensagens marcadas como lidas.");
        assert_eq!(notice(pt(), 0), "Nenhuma mensagem foi marcada como lida.");
    }

    #[test]
    fn numbers_and_sizes_use_the_languages_separators() {
        assert_eq!(en().number(10_000), "10,000");
        assert_eq!(pt().number(10_000), "10.000");
        assert_eq!(pt().number(999), "999");
        assert_eq!(en().size(812), "812 B");
        assert_eq!(en().size(14 * 1024 + 100), "14 KB");
        assert_eq!(en().size(3_355_443), "3.2 MB");
        assert_eq!(pt().size(3_355_443), "3,2 MB");
        assert_eq!(en().size(50 * 1024 * 1024), "50.0 MB");
        assert_eq!(pt().size(1536 * 1024 * 1024), "1,5 GB");
        let range = |lang: Lang| {
            lang.format(
                &Msg::new("list-range")
                    .arg("first", 1)
                    .arg("last", 50)
                    .arg("total", 12_345),
            )
        };
        assert_eq!(range(en()), "1–50 of 12,345");
        assert_eq!(range(pt()), "1–50 de 12.345");
    }

    #[test]
    fn a_missing_message_is_marked_and_arguments_are_not_markup() {
        assert_eq!(en().t("no-such-message"), "⟦no-such-message⟧");
        let text = en().format(&Msg::new("folders-created").arg("name", "<b>x</b>"));
        assert_eq!(
            text, "Folder “<b>x</b>” created.",
            "escaping is the template's job"
        );
    }

    /// The message ids of a language, each with the variables it uses, read from its files.
    fn messages_of(dir: &Path) -> BTreeMap<String, Vec<String>> {
        use fluent_syntax::ast;
        fn variables<S: AsRef<str>>(pattern: &ast::Pattern<S>, out: &mut Vec<String>) {
            for element in &pattern.elements {
                if let ast::PatternElement::Placeable { expression } = element {
                    expression_variables(expression, out);
                }
            }
        }
        fn expression_variables<S: AsRef<str>>(e: &ast::Expression<S>, out: &mut Vec<String>) {
            match e {
                ast::Expression::Select { selector, variants } => {
                    inline_variables(selector, out);
                    for v in variants {
                        variables(&v.value, out);
                    }
                }
                ast::Expression::Inline(inline) => inline_variables(inline, out),
            }
        }
        fn inline_variables<S: AsRef<str>>(e: &ast::InlineExpression<S>, out: &mut Vec<String>) {
            match e {
                ast::InlineExpression::VariableReference { id } => {
                    out.push(id.name.as_ref().to_string())
                }
                ast::InlineExpression::TermReference {
                    arguments: Some(args),
                    ..
                }
                | ast::InlineExpression::FunctionReference {
                    arguments: args, ..
                } => {
                    for a in &args.positional {
                        inline_variables(a, out);
                    }
                    for a in &args.named {
                        inline_variables(&a.value, out);
                    }
                }
                ast::InlineExpression::Placeable { expression } => {
                    expression_variables(expression, out)
                }
                _ => {}
            }
        }
        let mut out = BTreeMap::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("language folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable");
            let resource = fluent_syntax::parser::parse(text.as_str())
                .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", file.display()));
            for entry in resource.body {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = Vec::new();
                    if let Some(value) = &m.value {
                        variables(value, &mut vars);
                    }
                    vars.sort();
                    vars.dedup();
                    let id = m.id.name.to_string();
                    assert!(
                        out.insert(id.clone(), vars).is_none(),
                        "{}: {id} twice",
                        dir.display()
                    );
                }
            }
        }
        out
    }

    #[test]
    fn every_language_has_exactly_the_english_messages_with_known_variables() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let english = messages_of(&root.join(FALLBACK));
        let mut checked = 0;
        for lang in Lang::all() {
            let tag = lang.tag();
            let theirs = messages_of(&root.join(&tag));
            let missing: Vec<&String> = english
                .keys()
                .filter(|k| !theirs.contains_key(*k))
                .collect();
            let extra: Vec<&String> = theirs
                .keys()
                .filter(|k| !english.contains_key(*k))
                .collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{tag} has messages English lacks: {extra:?}"
            );
            for (id, vars) in &theirs {
                let mut known = english[id].clone();
                if id.starts_with("date-") {
                    known.extend(dates::DATE_ARGS.iter().map(|a| a.to_string()));
                }
                let unknown: Vec<&String> = vars.iter().filter(|v| !known.contains(v)).collect();
                assert!(
                    unknown.is_empty(),
                    "{tag}: {id} uses {unknown:?}, which the code never passes"
                );
            }
            checked += 1;
        }
        assert!(checked >= 2, "English and Portuguese at least");
    }

    #[test]
    fn every_message_the_code_and_templates_name_exists_in_english() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let english = messages_of(&root.join("locales").join(FALLBACK));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("src"), root.join("templates")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                    files.push(path);
                }
            }
        }
        let mut named = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable");
            // Message ids are only ever written as literals in these calls.
            for opener in [".t(\"", "Msg::new(\""] {
                for (at, _) in text.match_indices(opener) {
                    let rest = &text[at + opener.len()..];
                    let id = &rest[..rest.find('"').unwrap_or(0)];
                    if id.is_empty() || id == "no-such-message" {
                        continue;
                    }
                    named += 1;
                    assert!(
                        english.contains_key(id),
                        "{} names {id:?}, which locales/en/main.ftl lacks",
                        file.display()
                    );
                }
            }
        }
        assert!(named > 100, "found the calls ({named})");
    }
}
