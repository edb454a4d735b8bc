//! Recipient suggestions on an address book of 10,000 contacts with accented Brazilian
//! names: the time of one query answered from the cached index (keys folded once, when it is
//! built) against the raw lookup that keeps no index (every contact folded for every query,
//! which is what a search of the listed contacts costs), measured in the same run.
//!
//! Run: `cargo bench --bench suggest`. No server needed: both sides are CPU work on the
//! same contacts (reading them from CardDAV or IMAP would come on top of the raw side, and
//! the cache saves that too). Prints the median per query of each and the ratio raw/cached,
//! which is what to compare between machines and commits.

use std::hint::black_box;
use std::time::{Duration, Instant};

use carteiro::contacts::collected::CollectedAddress;
use carteiro::contacts::suggest::{SuggestionIndex, MAX_RESULTS};
use carteiro::contacts::Contact;

#[allow(dead_code)]
mod common;

use common::{median, ms};

const CONTACTS: usize = 10_000;
const COLLECTED: usize = 2_000;
/// Repetitions of each query on the cached index; the raw side is much slower and gets
/// fewer.
const CACHED_ROUNDS: usize = 200;
const RAW_ROUNDS: usize = 5;

const FIRST: &[&str] = &[
    "João",
    "José",
    "Antônio",
    "Francisco",
    "Conceição",
    "Maria",
    "Ana",
    "Luíza",
    "Sebastião",
    "Inês",
    "Fábio",
    "Márcia",
    "Cláudia",
    "Vinícius",
    "Lúcia",
    "Tânia",
    "Rogério",
    "Célia",
    "Élton",
    "Gonçalo",
    "Íris",
    "Otávio",
    "Patrícia",
    "Simão",
    "Valéria",
];
const LAST: &[&str] = &[
    "Silva",
    "Conceição",
    "Araújo",
    "Gonçalves",
    "Simões",
    "Magalhães",
    "Brandão",
    "Assunção",
    "Pereira",
    "Mendonça",
    "Guimarães",
    "Lourenço",
    "Falcão",
    "Damião",
    "Câmara",
    "Estêvão",
    "Nóbrega",
    "Sá",
    "Romão",
    "Peixoto",
];
const DOMAINS: &[&str] = &[
    "example.com.br",
    "correio.example",
    "empresa.example",
    "uol.example",
];

/// A small deterministic generator, so every run benches the same book.
struct Lcg(u64);

impl Lcg {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        from[(self.0 >> 33) as usize % from.len()]
    }
}

fn ascii(s: &str) -> String {
    carteiro::contacts::fold::fold(s).replace(' ', ".")
}

fn book() -> (Vec<Contact>, Vec<CollectedAddress>) {
    let mut rng = Lcg(15);
    let contacts: Vec<Contact> = (0..CONTACTS)
        .map(|i| {
            let name = format!("{} {} {}", rng.pick(FIRST), rng.pick(LAST), rng.pick(LAST));
            let domain = rng.pick(DOMAINS);
            Contact {
                emails: vec![format!("{}.{i}@{domain}", ascii(&name))],
                name,
                ..Default::default()
            }
        })
        .collect();
    let collected = (0..COLLECTED)
        .map(|i| {
            let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
            CollectedAddress {
                address: format!("{}.c{i}@{}", ascii(&name), rng.pick(DOMAINS)),
                name,
                count: (i % 7) as u32 + 1,
                last_uid: i as u32,
            }
        })
        .collect();
    (contacts, collected)
}

fn time(rounds: usize, mut run: impl FnMut()) -> Duration {
    let samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    median(samples)
}

fn main() {
    let (contacts, collected) = book();
    let built = Instant::now();
    let index = SuggestionIndex::build(&contacts, &collected);
    let build_time = built.elapsed();
    println!(
        "suggest: {} entries ({CONTACTS} contacts, {COLLECTED} collected), index built in {:.1} ms",
        index.len(),
        ms(build_time)
    );
    println!(
        "{:<14} {:>8} {:>12} {:>12} {:>8}",
        "query", "results", "cached ms", "raw ms", "raw/cached"
    );
    let mut ratios = Vec::new();
    for q in [
        "j",
        "joao",
        "simao",
        "conceicao si",
        "GONÇALVES",
        "empresa",
        "romao",
        "zzz",
    ] {
        let results = index.query(q, MAX_RESULTS).len();
        let cached = time(CACHED_ROUNDS, || {
            black_box(index.query(black_box(q), MAX_RESULTS));
        });
        let raw = time(RAW_ROUNDS, || {
            let fresh = SuggestionIndex::build(black_box(&contacts), black_box(&collected));
            black_box(fresh.query(black_box(q), MAX_RESULTS));
        });
        let ratio = raw.as_secs_f64() / cached.as_secs_f64().max(1e-9);
        ratios.push(ratio);
        println!(
            "{q:<14} {results:>8} {:>12.3} {:>12.3} {ratio:>8.0}x",
            ms(cached),
            ms(raw)
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!("median ratio raw/cached: {:.0}x", ratios[ratios.len() / 2]);
}
