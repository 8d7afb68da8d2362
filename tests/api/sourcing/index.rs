use hirecast::sourcing::score::{nice_points, required_points};
use hirecast::sourcing::skills::NameRule;
use hirecast::sourcing::{score, CandidateFacts, Evidence, OpeningCriteria, OpeningIndex, Remote, SkillHit, SkillId, Source, Taxonomy};
use proptest::prelude::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn criteria(required: Vec<SkillId>, nice: Vec<SkillId>) -> OpeningCriteria {
    OpeningCriteria { required, nice, language: "fr", city: None, country: None, remote: Remote::Remote, min_years: None }
}

/// Reference ranking: openings sharing a skill with the hits, by (skills points desc, index asc).
fn brute(openings: &[(Vec<u32>, Vec<u32>)], hits: &[u32], top: usize) -> Vec<(u32, u8)> {
    let mut all: Vec<(u32, u8)> = Vec::new();
    for (i, (req, nice)) in openings.iter().enumerate() {
        let mut r: Vec<u32> = Vec::new();
        for s in req {
            if !r.contains(s) {
                r.push(*s);
            }
        }
        let mut n: Vec<u32> = Vec::new();
        for s in nice {
            if !r.contains(s) && !n.contains(s) {
                n.push(*s);
            }
        }
        let rf = r.iter().filter(|s| hits.contains(s)).count();
        let nf = n.iter().filter(|s| hits.contains(s)).count();
        if rf + nf == 0 {
            continue;
        }
        all.push((i as u32, required_points(rf, r.len()) + nice_points(nf, n.len())));
    }
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(top);
    all
}

fn build(openings: &[(Vec<u32>, Vec<u32>)]) -> OpeningIndex {
    OpeningIndex::new(
        openings
            .iter()
            .enumerate()
            .map(|(i, (r, n))| {
                (format!("op-{i}"), criteria(r.iter().map(|&s| SkillId(s)).collect(), n.iter().map(|&s| SkillId(s)).collect()))
            })
            .collect(),
    )
}

fn hits_of(ids: &[u32]) -> Vec<SkillHit> {
    ids.iter().enumerate().map(|(i, &s)| SkillHit { skill: SkillId(s), start: i, end: i + 1 }).collect()
}

#[test]
fn index_agrees_with_full_scoring_on_random_texts() {
    let t = Taxonomy::shared();
    // Skills with a strong name, so a text can mention them.
    let pool: Vec<(SkillId, String)> = t
        .skills()
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.names().into_iter().find(|(n, r)| *r == NameRule::Strong && n.len() > 3).map(|(n, _)| (SkillId(i as u32), n.to_string()))
        })
        .take(80)
        .collect();
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let facts = CandidateFacts::default();
    for round in 0..40 {
        let n_open = [1, 5, 63, 64, 65, 200, 700][round % 7];
        let span = [6, 20, 80][round % 3];
        let openings: Vec<OpeningCriteria> = (0..n_open)
            .map(|_| {
                let req = (0..rng.below(7)).map(|_| pool[rng.below(span)].0).collect();
                let nice = (0..rng.below(5)).map(|_| pool[rng.below(span)].0).collect();
                criteria(req, nice)
            })
            .collect();
        let index = OpeningIndex::new(openings.iter().cloned().enumerate().map(|(i, c)| (format!("o{i}"), c)).collect());
        let mut out = Vec::new();
        for _ in 0..30 {
            let words: Vec<&str> = (0..rng.below(6)).map(|_| pool[rng.below(span)].1.as_str()).collect();
            let text = format!("Bonjour, compétences : {}. Merci", words.join(", "));
            let hits = t.find(&text);
            let top = 1 + rng.below(12);
            index.matches(&hits, top, &mut out);
            // Brute force with the full scorer: skills points only, openings sharing a skill.
            let ev = [Evidence { source: Source::Reply, text: &text }];
            let mut expect: Vec<(u32, u8)> = openings
                .iter()
                .enumerate()
                .filter_map(|(i, o)| {
                    let s = score(&t, o, &ev, &facts);
                    if s.matched.is_empty() {
                        return None;
                    }
                    Some((i as u32, s.criteria[0].points + s.criteria[1].points))
                })
                .collect();
            expect.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            expect.truncate(top);
            assert_eq!(out, expect, "round {round}, text {text:?}, top {top}");
            if let Some(&(best, _)) = out.first() {
                assert_eq!(index.opening_id(best), format!("o{best}"));
            }
        }
    }
}

#[test]
fn edge_cases() {
    let openings = vec![(vec![1, 2], vec![3]), (vec![], vec![]), (vec![], vec![2]), (vec![2, 2, 2], vec![2, 5])];
    let index = build(&openings);
    let mut out = vec![(9, 9)];
    index.matches(&[], 5, &mut out);
    assert!(out.is_empty());
    index.matches(&hits_of(&[2]), 0, &mut out);
    assert!(out.is_empty());
    index.matches(&hits_of(&[999_999, 2, 2, 2]), 10, &mut out);
    assert_eq!(out, brute(&openings, &[2], 10));
    assert_eq!(out[0], (2, 65), "no required skill and the only nice one found: full points");
    assert!(!out.iter().any(|&(o, _)| o == 1), "an opening listing no skill is never returned");
    let empty = build(&[]);
    empty.matches(&hits_of(&[1]), 3, &mut out);
    assert!(out.is_empty());
    assert_eq!(index.len(), 4);
    assert_eq!(index.opening_id(3), "op-3");
}

#[test]
fn scratch_is_reused_without_leaking_state() {
    let mut rng = Rng(42);
    let openings: Vec<(Vec<u32>, Vec<u32>)> =
        (0..500).map(|_| ((0..1 + rng.below(6)).map(|_| rng.below(30) as u32).collect(), (0..rng.below(4)).map(|_| rng.below(30) as u32).collect())).collect();
    let index = build(&openings);
    let mut scratch = hirecast::sourcing::MatchScratch::default();
    let mut out = Vec::new();
    for _ in 0..300 {
        let hits: Vec<u32> = (0..rng.below(5)).map(|_| rng.below(32) as u32).collect();
        let top = 1 + rng.below(20);
        index.matches_with(&mut scratch, &hits_of(&hits), top, &mut out);
        assert_eq!(out, brute(&openings, &hits, top));
        index.matches(&hits_of(&hits), top, &mut out);
        assert_eq!(out, brute(&openings, &hits, top));
    }
}

fn opening_strategy(skills: u32) -> impl Strategy<Value = (Vec<u32>, Vec<u32>)> {
    (proptest::collection::vec(0..skills, 0..8), proptest::collection::vec(0..skills, 0..5))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn index_equals_brute_force(
        skills in prop_oneof![Just(8u32), Just(40u32), Just(600u32)],
        seed in any::<u64>(),
        n in 0usize..400,
        hits in proptest::collection::vec(0u32..620, 0..7),
        top in 1usize..15,
    ) {
        // Openings drawn from a seeded generator (proptest shrinks the sizes, the seed varies the content).
        let mut rng = Rng(seed | 1);
        let openings: Vec<(Vec<u32>, Vec<u32>)> = (0..n)
            .map(|_| {
                let r = (0..rng.below(8)).map(|_| rng.below(skills as usize) as u32).collect();
                let m = (0..rng.below(5)).map(|_| rng.below(skills as usize) as u32).collect();
                (r, m)
            })
            .collect();
        let hits: Vec<u32> = hits.into_iter().map(|h| h % (skills + 2)).collect();
        let index = build(&openings);
        let mut out = Vec::new();
        index.matches(&hits_of(&hits), top, &mut out);
        prop_assert_eq!(out, brute(&openings, &hits, top));
    }

    #[test]
    fn index_equals_brute_force_small_lists(openings in proptest::collection::vec(opening_strategy(12), 0..90),
        hits in proptest::collection::vec(0u32..14, 0..6), top in 1usize..12) {
        let index = build(&openings);
        let mut out = Vec::new();
        index.matches(&hits_of(&hits), top, &mut out);
        prop_assert_eq!(out, brute(&openings, &hits, top));
    }
}
