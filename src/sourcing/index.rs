//! Routing many replies to many openings: an inverted index skill → openings.
//!
//! [`OpeningIndex::matches`] ranks openings by a skills-only quick score: the same required (50) and
//! nice-to-have (15) points as [`crate::score::score`] (so 0..=65, with full points for an empty list),
//! computed exactly through precomputed tables. Only openings sharing at least one skill with the reply are
//! candidates (an opening listing no skill is never returned). Ties go to the lower opening index.
//!
//! The cost does not grow with the length of popular skills' posting lists:
//! * an opening listing exactly one of the reply's skills scores a value known in advance, so each
//!   skill's posting list is stored sorted by that value and only its head is read;
//! * openings listing two or more of them are enumerated either by probing the entries of the shorter
//!   lists in the other skills' bitmaps, or by a word-wise pass over the bitmaps, whichever is cheaper.
//!   Openings are numbered internally by decreasing best possible score, so the word-wise pass stops as
//!   soon as no later opening can enter the top list;
//! * the `top` best are kept by insertion into `out`.
//!
//! Nothing is allocated once the scratch buffers and `out` have grown (per thread for
//! [`OpeningIndex::matches`], caller-owned with [`OpeningIndex::matches_with`]).
use std::cell::RefCell;

use super::score::{nice_points, required_points, OpeningCriteria};
use super::skills::{SkillHit, SkillId};

/// Skills counted per opening and per list; more are ignored (hirecast allows 50).
pub const MAX_SKILLS_PER_LIST: usize = 255;
/// Early stop of the word-wise pass is precomputed for replies with up to this many distinct skills.
const BOUND_K: usize = 4;

/// Inverted index over open openings.
#[derive(Debug, Clone)]
pub struct OpeningIndex {
    ids: Vec<String>,
    /// Internal number → index given at construction.
    orig: Vec<u32>,
    /// Per internal opening: table row offsets (listed count × stride).
    req_row: Vec<u16>,
    nice_row: Vec<u16>,
    req_table: Vec<u8>,
    nice_table: Vec<u8>,
    stride: usize,
    /// Posting list of skill `s`: `post[off[s]..off[s + 1]]` (internal numbers), sorted by
    /// (single-match score desc, original index asc); `single` holds those scores.
    off: Vec<u32>,
    post: Vec<u32>,
    /// `post` as original indices.
    post_orig: Vec<u32>,
    single: Vec<u8>,
    /// Two bitmaps over internal numbers per skill: listed (`bitmaps[2 * s * words..][..words]`) and
    /// listed as required (`bitmaps[(2 * s + 1) * words..][..words]`).
    words: usize,
    bitmaps: Vec<u64>,
    /// Posting lists again, sorted by internal number (same offsets).
    post_int: Vec<u32>,
    /// `tight[i * (BOUND_K - 1) + kk - 2]`: best score internal opening `i` can reach with `kk` of its
    /// skills matched (kk in 2..=BOUND_K).
    tight: Vec<u8>,
    /// `suffix_bound[(kk - 2) * words + w]`: the best `tight` bound in words `w..`.
    suffix_bound: Vec<u8>,
}

/// Reusable buffers for [`OpeningIndex::matches_with`].
#[derive(Debug, Default, Clone)]
pub struct MatchScratch {
    seen: Vec<u64>,
    uniq: Vec<u32>,
    heads: Vec<(u32, u32)>,
    twos: Vec<u64>,
    ones: Vec<u64>,
}

thread_local! {
    static SCRATCH: RefCell<MatchScratch> = RefCell::new(MatchScratch::default());
}

impl OpeningIndex {
    pub fn new(openings: Vec<(String, OpeningCriteria)>) -> OpeningIndex {
        assert!(openings.len() < u32::MAX as usize, "too many openings");
        let n = openings.len();
        let mut ids = Vec::with_capacity(n);
        let mut lists: Vec<(Vec<u32>, Vec<u32>)> = Vec::with_capacity(n);
        let mut n_skills = 0usize;
        for (id, c) in openings {
            let mut req: Vec<u32> = Vec::new();
            for &SkillId(s) in &c.required {
                if !req.contains(&s) && req.len() < MAX_SKILLS_PER_LIST {
                    req.push(s);
                }
            }
            let mut nice: Vec<u32> = Vec::new();
            for &SkillId(s) in &c.nice {
                if !req.contains(&s) && !nice.contains(&s) && nice.len() < MAX_SKILLS_PER_LIST {
                    nice.push(s);
                }
            }
            for &s in req.iter().chain(&nice) {
                n_skills = n_skills.max(s as usize + 1);
            }
            ids.push(id);
            lists.push((req, nice));
        }
        let max_len = lists.iter().map(|(r, m)| r.len().max(m.len())).max().unwrap_or(0);
        let stride = max_len.max(BOUND_K) + 1;
        let mut req_table = vec![0u8; stride * stride];
        let mut nice_table = vec![0u8; stride * stride];
        for listed in 0..stride {
            for found in 0..stride {
                req_table[listed * stride + found] = required_points(found.min(listed), listed);
                nice_table[listed * stride + found] = nice_points(found.min(listed), listed);
            }
        }
        // Best score with at most `kk` matched skills split between the two lists.
        let bound = |o: usize, kk: usize| -> u8 {
            let (rl, nl) = (lists[o].0.len(), lists[o].1.len());
            (0..=kk.min(rl))
                .map(|r| req_table[rl * stride + r] + nice_table[nl * stride + (kk - r).min(nl)])
                .max()
                .unwrap_or(0)
        };
        // Internal numbering: best possible score with two matched skills first.
        let mut orig: Vec<u32> = (0..n as u32).collect();
        orig.sort_by(|&a, &b| {
            (bound(b as usize, 2), bound(b as usize, 3)).cmp(&(bound(a as usize, 2), bound(a as usize, 3))).then(a.cmp(&b))
        });
        let mut internal = vec![0u32; n];
        for (i, &o) in orig.iter().enumerate() {
            internal[o as usize] = i as u32;
        }
        // stride ≤ 256, so rows ≤ 255 × 256 fit u16.
        let req_row: Vec<u16> = orig.iter().map(|&o| (lists[o as usize].0.len() * stride) as u16).collect();
        let nice_row: Vec<u16> = orig.iter().map(|&o| (lists[o as usize].1.len() * stride) as u16).collect();

        let words = n.div_ceil(64).max(1);
        let mut bitmaps = vec![0u64; 2 * n_skills * words];
        let mut per_skill: Vec<Vec<(u8, u32, u32)>> = vec![Vec::new(); n_skills];
        for (o, (req, nice)) in lists.iter().enumerate() {
            let i = internal[o] as usize;
            let (rl, nl) = (req.len() * stride, nice.len() * stride);
            for &s in req {
                let s = s as usize;
                bitmaps[2 * s * words + i / 64] |= 1 << (i % 64);
                bitmaps[(2 * s + 1) * words + i / 64] |= 1 << (i % 64);
                per_skill[s].push((req_table[rl + 1] + nice_table[nl], o as u32, i as u32));
            }
            for &s in nice {
                let s = s as usize;
                bitmaps[2 * s * words + i / 64] |= 1 << (i % 64);
                per_skill[s].push((req_table[rl] + nice_table[nl + 1], o as u32, i as u32));
            }
        }
        let mut off = Vec::with_capacity(n_skills + 1);
        let mut post = Vec::new();
        let mut post_orig = Vec::new();
        let mut post_int = Vec::new();
        let mut single = Vec::new();
        off.push(0u32);
        for l in per_skill.iter_mut() {
            l.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(sc, o, i) in l.iter() {
                post.push(i);
                post_orig.push(o);
                single.push(sc);
            }
            let start = post_int.len();
            post_int.extend(l.iter().map(|x| x.2));
            post_int[start..].sort_unstable();
            off.push(post.len() as u32);
        }
        let mut tight = vec![0u8; n * (BOUND_K - 1)];
        for (i, &o) in orig.iter().enumerate() {
            for kk in 2..=BOUND_K {
                tight[i * (BOUND_K - 1) + kk - 2] = bound(o as usize, kk);
            }
        }
        let mut suffix_bound = vec![0u8; (BOUND_K - 1) * words];
        for kk in 2..=BOUND_K {
            let row = &mut suffix_bound[(kk - 2) * words..][..words];
            let mut best = 0u8;
            for w in (0..words).rev() {
                for i in (w * 64..((w + 1) * 64).min(n)).rev() {
                    best = best.max(bound(orig[i] as usize, kk));
                }
                row[w] = best;
            }
        }
        OpeningIndex {
            ids,
            orig,
            req_row,
            nice_row,
            req_table,
            nice_table,
            stride,
            off,
            post,
            post_orig,
            single,
            words,
            bitmaps,
            post_int,
            tight,
            suffix_bound,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id given for opening `idx` (its position at construction).
    pub fn opening_id(&self, idx: u32) -> &str {
        &self.ids[idx as usize]
    }

    /// The best `top` openings for a reply's skill hits, as (opening index, quick score), best first.
    /// Repeated skills in `hits` count once; skills no opening lists are ignored.
    pub fn matches(&self, hits: &[SkillHit], top: usize, out: &mut Vec<(u32, u8)>) {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => self.matches_with(&mut s, hits, top, out),
            Err(_) => self.matches_with(&mut MatchScratch::default(), hits, top, out),
        })
    }

    #[inline]
    fn has(&self, s: u32, i: u32) -> bool {
        self.bitmaps[2 * s as usize * self.words + i as usize / 64] & (1 << (i % 64)) != 0
    }

    /// Posting list of `s` in internal order.
    #[inline]
    fn list_int(&self, s: u32) -> &[u32] {
        &self.post_int[self.off[s as usize] as usize..self.off[s as usize + 1] as usize]
    }

    /// [`OpeningIndex::matches`] with caller-owned scratch buffers.
    #[allow(clippy::needless_range_loop)] // positions are used besides the indexing
    pub fn matches_with(&self, scratch: &mut MatchScratch, hits: &[SkillHit], top: usize, out: &mut Vec<(u32, u8)>) {
        out.clear();
        if top == 0 || self.ids.is_empty() {
            return;
        }
        let n_skills = self.off.len() - 1;
        let sw = n_skills.div_ceil(64);
        if scratch.seen.len() < sw {
            scratch.seen.resize(sw, 0);
        }
        if scratch.twos.len() < self.words {
            scratch.twos.resize(self.words, 0);
            scratch.ones.resize(self.words, 0);
        }
        let MatchScratch { seen, uniq, heads, twos, ones } = scratch;
        uniq.clear();
        for h in hits {
            let s = h.skill.0 as usize;
            if s >= n_skills || self.off[s] == self.off[s + 1] {
                continue;
            }
            let (w, bit) = (s / 64, 1u64 << (s % 64));
            if seen[w] & bit == 0 {
                seen[w] |= bit;
                uniq.push(s as u32);
            }
        }
        for &s in uniq.iter() {
            seen[s as usize / 64] &= !(1u64 << (s % 64));
        }
        let k = uniq.len();
        if k == 0 {
            return;
        }
        let kk = k.min(self.stride - 1);
        let words = self.words;

        // Openings listing exactly one of them, first (cheap, and it sets the bar for the rest): merge the
        // heads of the posting lists, sorted by score.
        heads.clear();
        for &s in uniq.iter() {
            heads.push((self.off[s as usize], self.off[s as usize + 1]));
        }
        loop {
            let mut best: Option<(usize, u8, u32)> = None;
            for (i, &(p, end)) in heads.iter().enumerate() {
                if p < end {
                    let sc = self.single[p as usize];
                    let o = self.post_orig[p as usize];
                    if best.is_none_or(|(_, bs, bo)| sc > bs || (sc == bs && o < bo)) {
                        best = Some((i, sc, o));
                    }
                }
            }
            let Some((i, sc, o)) = best else { break };
            if out.len() == top {
                let (lo, ls) = out[top - 1];
                if sc < ls || (sc == ls && o > lo) {
                    break;
                }
            }
            let p = heads[i].0;
            heads[i].0 += 1;
            if k >= 2 {
                // Listed with another of the reply's skills: scored above (or unable to enter the list).
                let internal = self.post[p as usize];
                if (0..k).any(|j| j != i && self.has(uniq[j], internal)) {
                    continue;
                }
            }
            insert_top(out, top, o, sc);
        }
        // Openings listing two or more of the reply's skills: exact scores.
        if k >= 2 {
            let len = |s: u32| (self.off[s as usize + 1] - self.off[s as usize]) as usize;
            let longest = (0..k).max_by_key(|&i| len(uniq[i])).unwrap();
            let probe_cost: usize = (0..k).filter(|&i| i != longest).map(|i| len(uniq[i])).sum::<usize>() * (k - 1);
            let sets = Sets::new(self, uniq);
            if probe_cost * 2 <= words * k && k == 2 {
                // Probe the shorter list in internal order: best two-skill bound first, so it can stop.
                let (short, long) = (1 - longest, longest);
                let long_any = sets.any(long);
                for &o in self.list_int(uniq[short]) {
                    if out.len() == top && self.tight[o as usize * (BOUND_K - 1)] < out[top - 1].1 {
                        break;
                    }
                    if long_any[o as usize / 64] & (1 << (o % 64)) != 0 {
                        self.offer(&sets, o, top, out);
                    }
                }
            } else if probe_cost * 2 <= words * k {
                // Every such opening is in at least one list other than the longest: probe those entries.
                for i in 0..k {
                    if i == longest {
                        continue;
                    }
                    for &o in self.list_int(uniq[i]) {
                        let (w, bit) = (o as usize / 64, 1u64 << (o % 64));
                        // Already seen from an earlier probed list?
                        if (0..i).any(|j| j != longest && sets.any(j)[w] & bit != 0) {
                            continue;
                        }
                        if (0..k).any(|j| j != i && sets.any(j)[w] & bit != 0) {
                            self.offer(&sets, o, top, out);
                        }
                    }
                }
            } else {
                // Word-wise: openings listing two or more of the skills, all words at once (vectorizes), then
                // the non-empty words in internal order until no later opening can enter the list.
                let twos = &mut twos[..words];
                sets.fill_two(twos, &mut ones[..words]);
                let bounds = if kk <= BOUND_K { &self.suffix_bound[(kk - 2) * words..][..words] } else { &[][..] };
                for w in 0..words {
                    let mut two = twos[w];
                    if two == 0 {
                        continue;
                    }
                    if out.len() == top && bounds.get(w).is_some_and(|&b| b < out[top - 1].1) {
                        break;
                    }
                    while two != 0 {
                        let o = (w * 64) as u32 + two.trailing_zeros();
                        two &= two - 1;
                        self.offer(&sets, o, top, out);
                    }
                }
            }
        }
    }

    /// Offers internal opening `i`, listing two or more of the reply's skills, to the top list.
    #[inline(always)]
    fn offer(&self, sets: &Sets, i: u32, top: usize, out: &mut Vec<(u32, u8)>) {
        let iu = i as usize;
        let (w, bit) = (iu / 64, iu % 64);
        let any = if sets.k == 2 { 2 } else { sets.count(false, w, bit) };
        let (rr, nr) = (self.req_row[iu] as usize, self.nice_row[iu] as usize);
        let cap = self.stride - 1;
        if out.len() == top {
            // Best score with `any` of its skills matched.
            let bound = if any <= BOUND_K {
                self.tight[iu * (BOUND_K - 1) + any - 2]
            } else {
                self.req_table[rr + any.min(cap)] + self.nice_table[nr + any.min(cap)]
            };
            let (lo, ls) = out[top - 1];
            if bound < ls || (bound == ls && self.orig[iu] > lo) {
                return;
            }
        }
        let req = sets.count(true, w, bit);
        let sc = self.req_table[rr + req.min(cap)] + self.nice_table[nr + (any - req).min(cap)];
        insert_top(out, top, self.orig[iu], sc);
    }
}

/// The bitmaps of the reply's skills, sliced once per call.
struct Sets<'a> {
    any: Vec<&'a [u64]>,
    req: Vec<&'a [u64]>,
    inline_any: [&'a [u64]; 8],
    inline_req: [&'a [u64]; 8],
    k: usize,
}

impl<'a> Sets<'a> {
    fn new(ix: &'a OpeningIndex, uniq: &[u32]) -> Sets<'a> {
        let w = ix.words;
        let any_of = |s: u32| &ix.bitmaps[2 * s as usize * w..][..w];
        let req_of = |s: u32| &ix.bitmaps[(2 * s as usize + 1) * w..][..w];
        let k = uniq.len();
        let mut sets = Sets { any: Vec::new(), req: Vec::new(), inline_any: [&[]; 8], inline_req: [&[]; 8], k };
        if k <= 8 {
            for (j, &s) in uniq.iter().enumerate() {
                sets.inline_any[j] = any_of(s);
                sets.inline_req[j] = req_of(s);
            }
        } else {
            // More than 8 distinct skills (a long CV): rare, allocation accepted.
            sets.any = uniq.iter().map(|&s| any_of(s)).collect();
            sets.req = uniq.iter().map(|&s| req_of(s)).collect();
        }
        sets
    }

    #[inline]
    fn anys(&self) -> &[&'a [u64]] {
        if self.k <= 8 {
            &self.inline_any[..self.k]
        } else {
            &self.any
        }
    }

    #[inline]
    fn reqs(&self) -> &[&'a [u64]] {
        if self.k <= 8 {
            &self.inline_req[..self.k]
        } else {
            &self.req
        }
    }

    #[inline]
    fn any(&self, j: usize) -> &'a [u64] {
        self.anys()[j]
    }

    /// `twos[w]`: openings of word `w` listing at least two of the skills.
    fn fill_two(&self, twos: &mut [u64], ones: &mut [u64]) {
        let a = self.anys();
        let n = twos.len();
        match a.len() {
            2 => {
                let (x, y) = (&a[0][..n], &a[1][..n]);
                for w in 0..n {
                    twos[w] = x[w] & y[w];
                }
            }
            3 => {
                let (x, y, z) = (&a[0][..n], &a[1][..n], &a[2][..n]);
                for w in 0..n {
                    twos[w] = (x[w] & y[w]) | (z[w] & (x[w] | y[w]));
                }
            }
            _ => {
                twos.fill(0);
                ones.copy_from_slice(&a[0][..n]);
                for b in &a[1..] {
                    let b = &b[..n];
                    for w in 0..n {
                        twos[w] |= ones[w] & b[w];
                        ones[w] |= b[w];
                    }
                }
            }
        }
    }

    /// How many of the skills the opening at (`w`, `bit`) lists (as required only, if `req`).
    #[inline]
    fn count(&self, req: bool, w: usize, bit: usize) -> usize {
        let sets = if req { self.reqs() } else { self.anys() };
        sets.iter().map(|b| ((b[w] >> bit) & 1) as usize).sum()
    }
}

/// Inserts (o, sc) into `out`, kept sorted by (score desc, index asc) and at most `top` long.
#[inline]
fn insert_top(out: &mut Vec<(u32, u8)>, top: usize, o: u32, sc: u8) {
    if out.len() == top {
        let (lo, ls) = out[top - 1];
        if sc < ls || (sc == ls && o > lo) {
            return;
        }
        out.pop();
    }
    let mut i = out.len();
    while i > 0 {
        let (po, ps) = out[i - 1];
        if ps > sc || (ps == sc && po < o) {
            break;
        }
        i -= 1;
    }
    out.insert(i, (o, sc));
}
