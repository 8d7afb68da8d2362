use std::collections::HashMap;

use hirecast::sourcing::skills::{normalize, NameRule};
use hirecast::sourcing::{Skill, SkillId, Taxonomy, TaxonomyError};

fn tax() -> std::sync::Arc<Taxonomy> {
    Taxonomy::shared()
}

#[test]
fn builtin_has_at_least_550_skills() {
    let t = tax();
    assert!(t.skills().len() >= 550, "{} skills", t.skills().len());
}

#[test]
fn builtin_covers_many_categories() {
    let t = tax();
    let mut cats: HashMap<&str, usize> = HashMap::new();
    for s in t.skills() {
        *cats.entry(s.category.as_str()).or_default() += 1;
    }
    for c in ["language", "framework", "database", "cloud", "devops", "data", "design", "management", "soft",
        "business", "finance", "hr", "marketing", "sales", "legal", "health", "industry", "trade"] {
        assert!(cats.get(c).copied().unwrap_or(0) >= 5, "category {c}: {:?}", cats.get(c));
    }
}

#[test]
fn every_name_and_slug_resolves_to_its_skill() {
    let t = tax();
    for (i, s) in t.skills().iter().enumerate() {
        let id = SkillId(i as u32);
        assert_eq!(t.lookup(&s.slug), Some(id), "slug {}", s.slug);
        for (name, _) in s.names() {
            assert_eq!(t.lookup(name), Some(id), "name '{name}' of {}", s.slug);
            assert_eq!(t.lookup(&name.to_uppercase()), Some(id), "name '{name}' uppercased");
            assert_eq!(t.lookup(&format!("  {name} ")), Some(id), "name '{name}' padded");
        }
    }
}

#[test]
fn no_name_belongs_to_two_skills() {
    let t = tax();
    let mut owner: HashMap<String, &str> = HashMap::new();
    for s in t.skills() {
        for (name, _) in s.names() {
            let k = normalize(name);
            if let Some(prev) = owner.insert(k.clone(), &s.slug) {
                assert_eq!(prev, s.slug, "'{name}' is a name of both {prev} and {}", s.slug);
            }
        }
    }
}

#[test]
fn lookup_of_common_spellings() {
    let t = tax();
    let cases = [
        ("postgres", "postgresql"), ("Postgres", "postgresql"), ("PostgreSQL", "postgresql"), ("psql", "postgresql"),
        ("Node", "nodejs"), ("node.js", "nodejs"), ("NodeJS", "nodejs"), ("node js", "nodejs"),
        ("k8s", "kubernetes"), ("K8S", "kubernetes"), ("Kubernetes", "kubernetes"),
        ("JS", "javascript"), ("ECMAScript", "javascript"), ("javascript", "javascript"),
        ("C#", "csharp"), ("csharp", "csharp"), ("C++", "cpp"), ("cpp", "cpp"), ("c", "c"), ("R", "r"),
        ("Golang", "go"), ("go", "go"), ("ReactJS", "react"), ("React.js", "react"), ("react js", "react"),
        ("développeur", "developer"), ("developpeur", "developer"), ("DÉVELOPPEUR", "developer"), ("dev", "developer"),
        ("developer", "developer"), ("ML", "machine-learning"), ("machine learning", "machine-learning"),
        ("apprentissage automatique", "machine-learning"), ("RH", "human-resources"), ("HR", "human-resources"),
        ("comptabilité", "accounting"), ("Comptabilite", "accounting"), ("paie", "payroll"), ("soudure", "welding"),
        ("gestion de projet", "project-management"), ("Gestion De Projet", "project-management"),
        ("CACES", "forklift"), ("cariste", "forklift"), ("SAP", "sap"), ("Excel", "excel"), ("excel", "excel"),
        ("infirmière", "nursing"), ("Scrum", "scrum"), ("agile", "agile"), (".NET", "dotnet"), ("dotnet", "dotnet"),
        ("ci-cd", "cicd"), ("CI/CD", "cicd"), ("service client", "customer-service"), ("chef d’équipe", "team-management"),
    ];
    for (name, slug) in cases {
        let got = t.lookup(name).map(|id| t.get(id).slug.as_str());
        assert_eq!(got, Some(slug), "lookup({name:?})");
    }
    assert_eq!(t.lookup("basket weaving"), None);
    assert_eq!(t.lookup(""), None);
}

#[test]
fn flags_are_parsed() {
    let t = tax();
    let get = |slug: &str| t.get(t.by_slug(slug).unwrap());
    for slug in ["c", "r", "go", "d-lang", "spring", "express", "flask", "swift", "dart", "make", "chef", "puppet", "less", "elm",
        "julia", "ada", "pascal", "lisp", "tableau", "sage"] {
        assert!(get(slug).ambiguous, "{slug} should be ambiguous");
    }
    for slug in ["excel", "rust", "react", "sap", "human-resources"] {
        assert!(get(slug).case_sensitive && !get(slug).ambiguous, "{slug} should be case-sensitive");
    }
    for slug in ["java", "python", "postgresql", "kubernetes", "accounting"] {
        let s = get(slug);
        assert!(!s.ambiguous && !s.case_sensitive, "{slug} should be plain");
    }
    // Alias markers.
    let shell = get("shell");
    assert!(shell.names().contains(&("Shell", NameRule::Ambiguous)));
    let hr = get("human-resources");
    assert!(hr.names().contains(&("HR", NameRule::CaseSensitive)));
}

fn line_err(tsv: &str) -> (usize, String) {
    match Taxonomy::from_tsv(tsv) {
        Err(TaxonomyError::Line { line, reason }) => (line, reason),
        other => panic!("expected a line error, got {other:?}"),
    }
}

#[test]
fn tsv_errors_carry_line_numbers() {
    let ok = "# comment\njava\tJava\tJava\tlanguage\tJ2EE\t\n";
    assert!(Taxonomy::from_tsv(ok).is_ok());
    let (l, r) = line_err("# c\n\njava\tJava\tJava\tlanguage\n");
    assert_eq!(l, 3);
    assert!(r.contains("6 TAB-separated columns"), "{r}");
    let (l, r) = line_err("java\tJava\tJava\tlanguage\t\tfuzzy\n");
    assert_eq!(l, 1);
    assert!(r.contains("unknown flag 'fuzzy'"), "{r}");
    let (l, r) = line_err("java\tJava\tJava\tlanguage\t\t\njava\tJava 2\tJava 2\tlanguage\t\t\n");
    assert_eq!(l, 2);
    assert!(r.contains("duplicate slug 'java'") && r.contains("line 1"), "{r}");
    let (l, r) = line_err("java\tJava\tJava\tlanguage\tJ2EE\t\njakarta\tJakarta\tJakarta\tlanguage\tj2ee\t\n");
    assert_eq!(l, 2);
    assert!(r.contains("'j2ee'") && r.contains("'java'") && r.contains("line 1"), "{r}");
    let (l, r) = line_err("x\tX\tX\tlanguage\t\t\n");
    assert_eq!(l, 1);
    assert!(r.contains("one-character name"), "{r}");
    let (l, r) = line_err("Java\tJava\tJava\tlanguage\t\t\n");
    assert_eq!(l, 1);
    assert!(r.contains("invalid slug"), "{r}");
    let (l, _) = line_err("java\t\tJava\tlanguage\t\t\n");
    assert_eq!(l, 1);
    assert!(matches!(Taxonomy::from_tsv("# nothing\n"), Err(TaxonomyError::Empty)));
}

#[test]
fn builtin_tsv_round_trips_through_from_tsv() {
    let t = Taxonomy::from_tsv(hirecast::sourcing::skills::BUILTIN_TSV).unwrap();
    assert_eq!(t.skills(), tax().skills());
}

#[test]
fn overrides_replace_by_slug_and_add() {
    let base = tax();
    let java = base.by_slug("java").unwrap();
    let mut edited = base.get(java).clone();
    edited.aliases.push("Java Platform".into());
    let mut new = Skill::new("tig-welding-pipes", "Pipe TIG welding", "Soudure TIG de tuyauterie", "trade");
    new.aliases = vec!["soudage TIG tuyauterie".into()];
    let t = Taxonomy::with_overrides(&base, vec![edited, new]).unwrap();
    assert_eq!(t.skills().len(), base.skills().len() + 1);
    assert_eq!(t.lookup("java platform"), Some(java), "edited skill keeps its id");
    let added = t.lookup("Soudure TIG de tuyauterie").unwrap();
    assert_eq!(t.get(added).slug, "tig-welding-pipes");
    let hits = t.find("Expérience en soudage TIG tuyauterie et Java Platform.");
    let slugs: Vec<&str> = hits.iter().map(|h| t.get(h.skill).slug.as_str()).collect();
    assert_eq!(slugs, ["tig-welding-pipes", "java"]);

    // A name already used by another skill is refused, naming both skills.
    let mut bad = Skill::new("postgres-admin", "Postgres administration", "Administration Postgres", "database");
    bad.aliases = vec!["psql".into()];
    match Taxonomy::with_overrides(&base, vec![bad]) {
        Err(TaxonomyError::Skill { slug, reason }) => {
            assert_eq!(slug, "postgres-admin");
            assert!(reason.contains("postgresql"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Editing the owner and the newcomer together resolves it.
    let pg = base.by_slug("postgresql").unwrap();
    let mut pg_edit = base.get(pg).clone();
    pg_edit.aliases.retain(|a| a != "psql");
    let mut bad = Skill::new("postgres-admin", "Postgres administration", "Administration Postgres", "database");
    bad.aliases = vec!["psql".into()];
    let t = Taxonomy::with_overrides(&base, vec![pg_edit, bad]).unwrap();
    assert_eq!(t.get(t.lookup("psql").unwrap()).slug, "postgres-admin");
}

#[test]
fn every_strong_name_is_found_in_a_sentence() {
    let t = tax();
    let mut failures = Vec::new();
    for (i, s) in t.skills().iter().enumerate() {
        for (name, rule) in s.names() {
            if rule == NameRule::Ambiguous {
                continue;
            }
            for text in [format!("Compétences : {name}, et plus."), format!("I know {name} well")] {
                let hits = t.find(&text);
                if !hits.iter().any(|h| h.skill.0 as usize == i && &text[h.start..h.end] == name) {
                    failures.push(format!("{} in {text:?} → {:?}", s.slug,
                        hits.iter().map(|h| (t.get(h.skill).slug.clone(), &text[h.start..h.end])).collect::<Vec<_>>()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn taxonomy_and_index_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Taxonomy>();
    assert_send_sync::<hirecast::sourcing::OpeningIndex>();
    let t = tax();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let t = t.clone();
            std::thread::spawn(move || t.find("Rust, PostgreSQL et Kubernetes").len())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 3);
    }
}
