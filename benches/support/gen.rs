//! Deterministic generators of openings and replies, shared by the bench and the examples.
#![allow(dead_code)]
use hirecast::sourcing::skills::NameRule;
use hirecast::sourcing::{OpeningCriteria, Remote, SkillId, Taxonomy};

pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Skewed towards the start of the range (popular skills first).
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() % 10_000) as f64 / 10_000.0;
        ((u * u) * n as f64) as usize
    }
}

const PROFILES: &[&[&str]] = &[
    &["language", "framework", "database", "devops", "cloud"],
    &["language", "framework", "mobile", "testing"],
    &["data", "ai", "language", "database"],
    &["it", "security", "devops", "cloud"],
    &["design"],
    &["finance", "office"],
    &["hr", "office"],
    &["marketing", "office"],
    &["sales", "business"],
    &["management", "soft"],
    &["health"],
    &["industry", "trade"],
    &["logistics", "trade"],
    &["hospitality"],
    &["legal", "business"],
    &["education"],
];

/// Skills per profile, and a strong (context-free) name for each skill.
pub fn pools(tax: &Taxonomy) -> (Vec<Vec<SkillId>>, Vec<Option<Vec<String>>>) {
    let names: Vec<Option<Vec<String>>> = tax
        .skills()
        .iter()
        .map(|s| {
            let v: Vec<String> = s
                .names()
                .into_iter()
                .filter(|(n, r)| *r != NameRule::Ambiguous && n.len() > 1)
                .map(|(n, _)| n.to_string())
                .collect();
            if v.is_empty() { None } else { Some(v) }
        })
        .collect();
    let pools = PROFILES
        .iter()
        .map(|cats| {
            (0..tax.skills().len() as u32)
                .map(SkillId)
                .filter(|&id| cats.contains(&tax.get(id).category.as_str()) && names[id.0 as usize].is_some())
                .collect()
        })
        .collect();
    (pools, names)
}

pub fn openings(tax: &Taxonomy, n: usize, rng: &mut Rng) -> Vec<(String, OpeningCriteria)> {
    let (pools, _) = pools(tax);
    let soft: Vec<SkillId> = (0..tax.skills().len() as u32)
        .map(SkillId)
        .filter(|&id| matches!(tax.get(id).category.as_str(), "soft" | "spoken"))
        .collect();
    (0..n)
        .map(|i| {
            let pool = &pools[rng.skewed(pools.len())];
            let mut required = Vec::new();
            for _ in 0..3 + rng.below(6) {
                required.push(pool[rng.skewed(pool.len())]);
            }
            let mut nice = Vec::new();
            for _ in 0..rng.below(5) {
                nice.push(pool[rng.below(pool.len())]);
            }
            for _ in 0..rng.below(3) {
                nice.push(soft[rng.below(soft.len())]);
            }
            let c = OpeningCriteria {
                required,
                nice,
                language: if rng.below(3) == 0 { "en" } else { "fr" },
                city: Some("Lyon".into()),
                country: Some("FR".into()),
                remote: [Remote::OnSite, Remote::Hybrid, Remote::Remote][rng.below(3)],
                min_years: Some(rng.below(8) as u8),
            };
            (format!("opening-{i}"), c)
        })
        .collect()
}

const FR_OPEN: &[&str] = &[
    "Bonjour, je suis très intéressé par votre offre.",
    "Bonjour ! Votre annonce m'intéresse beaucoup.",
    "Salut, je me permets de vous contacter suite à votre post.",
    "Bonsoir, je suis disponible rapidement.",
];
const FR_MID: &[&str] = &[
    "J'ai {y} ans d'expérience en {a} et {b}.",
    "Je travaille actuellement avec {a}, {b} et {c} au quotidien.",
    "Mes compétences : {a}, {b}, {c}.",
    "Je maîtrise {a} et j'ai déjà utilisé {b} sur plusieurs projets.",
    "Expérience solide en {a}.",
];
const EN_OPEN: &[&str] = &[
    "Hi, I'm very interested in this role.",
    "Hello! I saw your post and would love to apply.",
    "Hey there, I'm currently looking for a new position.",
];
const EN_MID: &[&str] = &[
    "I have {y} years of experience with {a} and {b}.",
    "I currently work with {a}, {b} and {c} every day.",
    "Skills: {a}, {b}, {c}.",
    "Strong background in {a}, some {b}.",
];
const FR_END: &[&str] = &["Cordialement.", "Merci et bonne journée !", "Mon CV est en pièce jointe.", ""];
const EN_END: &[&str] = &["Thanks!", "Best regards.", "My resume is attached.", ""];
const NO_SKILL: &[&str] = &[
    "Bonjour, est-ce que le poste est toujours ouvert ? Merci",
    "Hi, what is the salary range for this one?",
    "Intéressé, pouvez-vous m'envoyer plus d'infos en MP ?",
    "Is this position open to candidates outside the EU? Thanks a lot",
];

pub fn replies(tax: &Taxonomy, n: usize, rng: &mut Rng) -> Vec<String> {
    let (pools, names) = pools(tax);
    (0..n)
        .map(|_| {
            if rng.below(7) == 0 {
                return NO_SKILL[rng.below(NO_SKILL.len())].to_string();
            }
            let pool = &pools[rng.skewed(pools.len())];
            let name = |rng: &mut Rng| {
                let s = pool[rng.skewed(pool.len())];
                let v = names[s.0 as usize].as_ref().unwrap();
                v[rng.below(v.len())].clone()
            };
            let fr = rng.below(3) != 0;
            let (open, mid, end) = if fr { (FR_OPEN, FR_MID, FR_END) } else { (EN_OPEN, EN_MID, EN_END) };
            let m = mid[rng.below(mid.len())]
                .replace("{y}", &(1 + rng.below(12)).to_string())
                .replace("{a}", &name(rng))
                .replace("{b}", &name(rng))
                .replace("{c}", &name(rng));
            format!("{} {} {}", open[rng.below(open.len())], m, end[rng.below(end.len())]).trim().to_string()
        })
        .collect()
}

