//! `cargo bench --bench scan`: what `hirecast scan` does per reply (extraction, skill
//! matching, routing to the best of 10,000 open openings), against twitter-text's
//! `extract_entities_with_indices` alone, on the same seeded corpus in the same run. Also
//! extraction alone. Throughput is in replies per second ("elem/s").
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use hirecast::sourcing::extract::{corpus, extract_into, Extracted};
use hirecast::sourcing::{MatchScratch, OpeningIndex, SkillHit, Taxonomy};
use twitter_text::extractor::{Extract, Extractor};

#[path = "support/gen.rs"]
mod gen;

const N: usize = 5_000;

fn bench(c: &mut Criterion) {
    let tax = Taxonomy::builtin();
    let mut rng = gen::Rng(0x9E37_79B9_7F4A_7C15);
    let index = OpeningIndex::new(gen::openings(&tax, 10_000, &mut rng));
    // Realistic replies (French and English, links, emails, phones, emoji) with skills in them.
    let mut replies = corpus::replies(N, 0x5eed_2024);
    let skills = gen::replies(&tax, N, &mut rng);
    for (r, s) in replies.iter_mut().zip(&skills) {
        r.push(' ');
        r.push_str(s);
    }
    let bytes: usize = replies.iter().map(String::len).sum();
    eprintln!("corpus: {} replies, mean {} bytes; {} open openings", replies.len(), bytes / replies.len(), index.len());

    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Elements(replies.len() as u64));
    g.sample_size(20);
    let mut found = Extracted::default();
    let mut hits: Vec<SkillHit> = Vec::new();
    let mut scratch = MatchScratch::default();
    let mut matches = Vec::new();
    g.bench_function("hirecast_scan_extract_skills_match_10000_openings", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for t in &replies {
                extract_into(black_box(t), &mut found);
                tax.find_into(t, &mut hits);
                index.matches_with(&mut scratch, &hits, 5, &mut matches);
                n += found.urls.len() + matches.len();
            }
            n
        })
    });
    g.bench_function("hirecast_extract_into", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for t in &replies {
                extract_into(black_box(t), &mut found);
                n += found.urls.len() + found.hashtags.len() + found.mentions.len();
            }
            n
        })
    });
    g.bench_function("hirecast_skills_find_into", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for t in &replies {
                tax.find_into(black_box(t), &mut hits);
                n += hits.len();
            }
            n
        })
    });
    let all_hits: Vec<Vec<SkillHit>> = replies.iter().map(|t| tax.find(t)).collect();
    let per: f64 = all_hits.iter().map(Vec::len).sum::<usize>() as f64 / N as f64;
    eprintln!("skills per reply: {per:.2}");
    g.bench_function("hirecast_route_10000_openings", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for h in &all_hits {
                index.matches_with(&mut scratch, black_box(h), 5, &mut matches);
                n += matches.len();
            }
            n
        })
    });
    // A floor, not a feature: the least any word-boundary matcher does, one pass over the
    // bytes hashing each word (no table, no rule, no output). What this costs per reply bounds
    // from below what extraction plus skill matching can cost.
    g.bench_function("floor_word_walk_and_hash", |b| {
        b.iter(|| {
            let mut n = 0u64;
            for t in &replies {
                let mut h = 0xcbf2_9ce4_8422_2325u64;
                for &c in black_box(t).as_bytes() {
                    if c.is_ascii_alphanumeric() || c >= 0x80 {
                        h = (h ^ c as u64).wrapping_mul(0x0000_0100_0000_01b3);
                    } else {
                        n = n.wrapping_add(h >> 63);
                        h = 0xcbf2_9ce4_8422_2325;
                    }
                }
                n = n.wrapping_add(h >> 63);
            }
            n
        })
    });
    let ex = Extractor::new();
    g.bench_function("twitter_text_extract_entities_with_indices", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for t in &replies {
                n += ex.extract_entities_with_indices(black_box(t)).len();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(scan_benches, bench);
criterion_main!(scan_benches);
