use hirecast::sourcing::score::{detect_language, resolve_skills, snippet, years_from_text};
use hirecast::sourcing::{score, CandidateFacts, Evidence, OpeningCriteria, Remote, SkillId, Source, Taxonomy};
use proptest::prelude::*;

fn id(slug: &str) -> SkillId {
    Taxonomy::shared().by_slug(slug).unwrap_or_else(|| panic!("no skill {slug}"))
}

fn opening(remote: Remote) -> OpeningCriteria {
    OpeningCriteria {
        required: vec![id("rust"), id("postgresql"), id("docker"), id("kubernetes")],
        nice: vec![id("terraform"), id("aws")],
        language: "fr",
        city: Some("Lyon".into()),
        country: Some("FR".into()),
        remote,
        min_years: Some(3),
    }
}

fn facts(location: Option<&str>) -> CandidateFacts {
    CandidateFacts { location: location.map(String::from), languages: vec![], years_experience: None }
}

fn reply(text: &str) -> Vec<Evidence<'_>> {
    vec![Evidence { source: Source::Reply, text }]
}

fn crit<'a>(s: &'a hirecast::sourcing::Score, key: &str) -> &'a hirecast::sourcing::Criterion {
    s.criteria.iter().find(|c| c.key == key).unwrap()
}

#[test]
fn more_required_skills_score_higher() {
    let t = Taxonomy::shared();
    let o = opening(Remote::Hybrid);
    let f = facts(Some("Lyon"));
    let all = score(&t, &o, &reply("Je fais du Rust, PostgreSQL, Docker et Kubernetes depuis 4 ans."), &f);
    let half = score(&t, &o, &reply("Je fais du Rust et PostgreSQL depuis 4 ans."), &f);
    let none = score(&t, &o, &reply("Je fais du PHP et du MySQL depuis 4 ans."), &f);
    assert!(all.total > half.total && half.total > none.total, "{} {} {}", all.total, half.total, none.total);
    assert_eq!(crit(&all, "required_skills").points, 50);
    assert_eq!(crit(&half, "required_skills").points, 25);
    assert_eq!(crit(&none, "required_skills").points, 0);
    assert!(none.total > 0, "the score orders, it never rejects");
    assert_eq!(none.missing.len(), 4);
}

#[test]
fn weights_add_up_and_total_is_the_sum() {
    let t = Taxonomy::shared();
    let s = score(&t, &opening(Remote::OnSite), &reply("Rust"), &facts(None));
    let keys: Vec<&str> = s.criteria.iter().map(|c| c.key).collect();
    assert_eq!(keys, ["required_skills", "nice_skills", "location", "language", "seniority"]);
    let max: u32 = s.criteria.iter().map(|c| c.max as u32).sum();
    assert_eq!(max, 100);
    assert_eq!(s.total as u32, s.criteria.iter().map(|c| c.points as u32).sum::<u32>());
    let best = score(
        &t,
        &opening(Remote::Remote),
        &reply("Bonjour, je suis développeur Rust, PostgreSQL, Docker, Kubernetes, Terraform et AWS, avec 6 ans d'expérience."),
        &facts(None),
    );
    assert_eq!(best.total, 100, "{:#?}", best.criteria);
}

#[test]
fn no_required_skills_means_full_points() {
    let t = Taxonomy::shared();
    let mut o = opening(Remote::Remote);
    o.required.clear();
    o.nice.clear();
    let s = score(&t, &o, &reply("Hello"), &facts(None));
    assert_eq!(crit(&s, "required_skills").points, 50);
    assert_eq!(crit(&s, "nice_skills").points, 15);
}

#[test]
fn remote_opening_ignores_city() {
    let t = Taxonomy::shared();
    let text = "Rust et Docker";
    let far = score(&t, &opening(Remote::Remote), &reply(text), &facts(Some("Montréal, Canada")));
    let near = score(&t, &opening(Remote::Remote), &reply(text), &facts(Some("Lyon")));
    assert_eq!(crit(&far, "location").points, 15);
    assert_eq!(far.total, near.total);
    assert!(crit(&far, "location").reason_en.contains("remote"));
}

#[test]
fn location_rules() {
    let t = Taxonomy::shared();
    let loc = |remote, l: Option<&str>| crit(&score(&t, &opening(remote), &reply("Rust"), &facts(l)), "location").points;
    assert_eq!(loc(Remote::OnSite, Some("Lyon")), 15);
    assert_eq!(loc(Remote::OnSite, Some("lyon (69)")), 15);
    assert_eq!(loc(Remote::Hybrid, Some("Paris")), 10);
    assert_eq!(loc(Remote::OnSite, Some("Paris, France")), 8);
    assert_eq!(loc(Remote::OnSite, Some("Bordeaux, FR")), 8);
    assert_eq!(loc(Remote::Hybrid, Some("Bruxelles")), 3);
    assert_eq!(loc(Remote::OnSite, Some("Montréal (QC)")), 2);
    assert_eq!(loc(Remote::OnSite, None), 7);
    assert_eq!(loc(Remote::OnSite, Some("Trifouilly-les-Oies")), 7);
}

#[test]
fn explanation_lists_missing_skills_in_both_languages() {
    let t = Taxonomy::shared();
    let s = score(&t, &opening(Remote::Hybrid), &reply("Rust, PostgreSQL et un peu de Terraform."), &facts(None));
    let c = crit(&s, "required_skills");
    assert!(c.reason_en.contains("2 of 4"), "{}", c.reason_en);
    assert!(c.reason_en.contains("missing: Docker, Kubernetes"), "{}", c.reason_en);
    assert!(c.reason_fr.contains("manquantes : Docker, Kubernetes"), "{}", c.reason_fr);
    assert_eq!(s.missing, vec![id("docker"), id("kubernetes")]);
    let n = crit(&s, "nice_skills");
    assert!(n.reason_en.contains("Terraform") && n.reason_en.contains("not seen: AWS"), "{}", n.reason_en);
    for c in &s.criteria {
        assert!(!c.reason_en.is_empty() && !c.reason_fr.is_empty());
        assert!(c.points <= c.max);
    }
}

#[test]
fn matched_skills_carry_source_and_snippet() {
    let t = Taxonomy::shared();
    let cv = "Expérience professionnelle\n\nACME — 2019-2024 : conception d'une plateforme de paiement en Rust avec \
              une base PostgreSQL répliquée, déployée sous Kubernetes sur trois régions, astreintes et revues de code.";
    let ev = [
        Evidence { source: Source::Reply, text: "Bonjour, je suis intéressé ! Je connais bien Docker." },
        Evidence { source: Source::Cv { page: 2 }, text: cv },
        Evidence { source: Source::Profile, text: "Rust, Docker" },
    ];
    let s = score(&t, &opening(Remote::Hybrid), &ev, &facts(None));
    let m = |slug: &str| s.matched.iter().find(|m| m.skill == id(slug)).unwrap();
    assert_eq!(m("docker").source, Source::Reply);
    assert_eq!(m("rust").source, Source::Cv { page: 2 }, "first evidence mentioning it wins");
    for mm in &s.matched {
        let label = &t.get(mm.skill).label_en;
        assert!(mm.snippet.contains(label.as_str()), "{:?} should contain {label}", mm.snippet);
        assert!(mm.snippet.chars().count() <= 84, "{:?}", mm.snippet);
        assert!(!mm.snippet.contains('\n'));
    }
    assert!(m("rust").snippet.starts_with('…') && m("rust").snippet.ends_with('…'), "{:?}", m("rust").snippet);
    assert_eq!(s.matched.iter().take_while(|m| m.required).count(), 4);
    assert!(s.missing.is_empty());
}

#[test]
fn snippet_cuts_on_char_boundaries() {
    let text = "ééééééééééééééééééééééééééééééééééééééééééééééé Kubernetes ààààààààààààààààààààààààààààààààààààààà";
    let s = text.find("Kubernetes").unwrap();
    let sn = snippet(text, s, s + 10, 80);
    assert!(sn.contains("Kubernetes"));
    assert!(sn.starts_with('…') && sn.ends_with('…'));
    assert_eq!(snippet("Rust", 0, 4, 80), "Rust");
}

#[test]
fn language_criterion() {
    let t = Taxonomy::shared();
    let o = opening(Remote::Remote);
    let fr = "Bonjour, je suis très intéressé par le poste, j'ai de l'expérience en Rust.";
    let en = "Hello, I am very interested in the job and I have experience with Rust.";
    let pts = |text: &str, langs: Vec<&'static str>| {
        let f = CandidateFacts { location: None, languages: langs, years_experience: None };
        crit(&score(&t, &o, &reply(text), &f), "language").points
    };
    assert_eq!(pts(fr, vec![]), 10);
    assert_eq!(pts(en, vec!["fr", "en"]), 10);
    assert_eq!(pts(en, vec![]), 2);
    assert_eq!(pts("Rust", vec![]), 5);
    assert_eq!(pts(en, vec!["en"]), 0);
    assert_eq!(detect_language([fr]), Some("fr"));
    assert_eq!(detect_language([en]), Some("en"));
    assert_eq!(detect_language(["Rust, Docker"]), None);
}

#[test]
fn seniority_criterion() {
    let t = Taxonomy::shared();
    let o = opening(Remote::Remote);
    let pts = |text: &str, years: Option<u8>| {
        let f = CandidateFacts { location: None, languages: vec![], years_experience: years };
        crit(&score(&t, &o, &reply(text), &f), "seniority").points
    };
    assert_eq!(pts("Rust", Some(5)), 10);
    assert_eq!(pts("Rust", Some(1)), 3);
    assert_eq!(pts("Rust", None), 5);
    assert_eq!(pts("J'ai 7 ans d'expérience en Rust", None), 10);
    assert_eq!(pts("2 years of experience with Rust", None), 7);
    assert_eq!(years_from_text("Experience: 4 years"), Some(4));
    assert_eq!(years_from_text("5+ years of experience"), Some(5));
    assert_eq!(years_from_text("J'ai 30 ans et j'aime le vélo"), None);
    let mut o2 = opening(Remote::Remote);
    o2.min_years = None;
    let f = facts(None);
    assert_eq!(crit(&score(&t, &o2, &reply("Rust"), &f), "seniority").points, 10);
}

#[test]
fn resolve_free_text_skills() {
    let t = Taxonomy::shared();
    let (ids, unknown) = resolve_skills(&t, &["postgres".into(), "Java/Spring Boot".into(), "Basket weaving".into(), "k8s".into()]);
    let slugs: Vec<&str> = ids.iter().map(|&i| t.get(i).slug.as_str()).collect();
    assert_eq!(slugs, ["postgresql", "java", "spring-boot", "kubernetes"]);
    assert_eq!(unknown, vec!["Basket weaving".to_string()]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn total_never_exceeds_100(
        words in proptest::collection::vec(proptest::sample::select(vec![
            "Rust", "PostgreSQL", "Docker", "Kubernetes", "Terraform", "AWS", "bonjour", "je", "suis", "the", "and",
            "5 ans d'expérience", "10 years of experience", "Java", "Excel", "C", "Go", "é", "…", "\n",
        ]), 0..40),
        remote in proptest::sample::select(vec![Remote::OnSite, Remote::Hybrid, Remote::Remote]),
        loc in proptest::option::of(proptest::sample::select(vec!["Lyon", "Paris", "Berlin", "", "??"])),
        years in proptest::option::of(0u8..40),
        min in proptest::option::of(0u8..15),
        dup in any::<bool>(),
    ) {
        let t = Taxonomy::shared();
        let text = words.join(" ");
        let mut o = opening(remote);
        o.min_years = min;
        if dup { o.nice.push(id("rust")); o.required.push(id("rust")); }
        let f = CandidateFacts { location: loc.map(String::from), languages: vec![], years_experience: years };
        let s = score(&t, &o, &reply(&text), &f);
        prop_assert!(s.total <= 100);
        prop_assert_eq!(s.total as u32, s.criteria.iter().map(|c| c.points as u32).sum::<u32>());
        for c in &s.criteria { prop_assert!(c.points <= c.max); }
        for m in &s.matched { prop_assert!(m.snippet.contains(t.get(m.skill).label_en.as_str())); }
    }
}
