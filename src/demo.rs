//! `hirecast demo`: a realistic French and English company so a new user sees a living system.
use std::fmt;

use anyhow::Context;
use chrono::Duration;

use crate::domain::candidate::ApplicantDetails;
use crate::domain::email::Email;
use crate::domain::opening::{OpeningDraft, OpeningInput, OpeningStatus, SalaryInput};
use crate::domain::user::{NewPassword, Role};
use crate::i18n::Lang;
use crate::store::applications::{self, NewApplication, StoredCv};
use crate::store::blobs::BlobStore;
use crate::store::{openings, users, Pool};

pub struct DemoSummary {
    pub openings: usize,
    pub applications: usize,
    /// (email, role, password or a note that the account already existed)
    pub users: Vec<(String, String, String)>,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Demo loaded: {} openings, {} applications.", self.openings, self.applications)?;
        for (email, role, password) in &self.users {
            writeln!(f, "  {role}: {email} / {password}")?;
        }
        write!(f, "Open the recruiter app at /app and the careers site at /jobs.")
    }
}

struct DemoOpening {
    title: &'static str,
    department: &'static str,
    city: Option<&'static str>,
    country: &'static str,
    remote: &'static str,
    kind: &'static str,
    salary: Option<(i64, i64, &'static str, &'static str)>,
    required: &'static [&'static str],
    nice: &'static [&'static str],
    lang: &'static str,
    description: &'static str,
    status: OpeningStatus,
    /// Index into the demo hiring managers.
    manager: Option<usize>,
}

const COMPANY: &str = "Acme Logistique";

fn demo_openings() -> Vec<DemoOpening> {
    vec![
        DemoOpening {
            title: "Développeur·se Rust confirmé·e (H/F)",
            department: "Plateforme",
            city: Some("Lyon"),
            country: "FR",
            remote: "hybrid",
            kind: "permanent",
            salary: Some((52_000, 65_000, "EUR", "year")),
            required: &["Rust", "PostgreSQL", "Docker"],
            nice: &["Kubernetes", "Kafka"],
            lang: "fr",
            description: "## Le poste\n\nAu sein de l'équipe **Plateforme**, vous concevez les services qui suivent 40 000 colis par jour.\n\n- Conception d'API en Rust (actix-web, tokio)\n- Modélisation PostgreSQL et optimisation des requêtes\n- Revue de code et mentorat\n\n## Profil\n\n3 ans d'expérience en développement backend, dont un an en Rust. Télétravail 3 jours par semaine.",
            status: OpeningStatus::Open,
            manager: Some(0),
        },
        DemoOpening {
            title: "Senior Backend Engineer (Go)",
            department: "Engineering",
            city: None,
            country: "FR",
            remote: "remote",
            kind: "permanent",
            salary: Some((70_000, 85_000, "EUR", "year")),
            required: &["Go", "gRPC", "PostgreSQL"],
            nice: &["Terraform", "AWS"],
            lang: "en",
            description: "## About the role\n\nYou will own the routing engine that plans our delivery rounds across Europe.\n\n- Design and run Go services at scale\n- Work with product and operations on real-time tracking\n\nFully remote within France; one team week per quarter in Lyon.",
            status: OpeningStatus::Open,
            manager: Some(0),
        },
        DemoOpening {
            title: "Chargé·e de recrutement — CDD 6 mois",
            department: "Ressources humaines",
            city: Some("Paris"),
            country: "FR",
            remote: "on-site",
            kind: "fixed-term",
            salary: Some((2_600, 3_000, "EUR", "month")),
            required: &["Sourcing", "Entretiens structurés"],
            nice: &["LinkedIn Recruiter", "Anglais"],
            lang: "fr",
            description: "Vous accompagnez nos managers sur 30 recrutements entrepôt et support d'ici l'été : rédaction des offres, sourcing, premiers entretiens, suivi des candidats.",
            status: OpeningStatus::Open,
            manager: Some(1),
        },
        DemoOpening {
            title: "Product Designer (freelance)",
            department: "Product",
            city: Some("Bruxelles"),
            country: "BE",
            remote: "hybrid",
            kind: "freelance",
            salary: Some((450, 550, "EUR", "day")),
            required: &["Figma", "User research"],
            nice: &["Design systems"],
            lang: "en",
            description: "A three-month mission to redesign the driver app used by 1,200 couriers. Two days a week in our Brussels office.",
            status: OpeningStatus::Open,
            manager: None,
        },
        DemoOpening {
            title: "Stage Data Science (6 mois)",
            department: "Data",
            city: Some("Toulouse"),
            country: "FR",
            remote: "on-site",
            kind: "internship",
            salary: Some((1_200, 1_200, "EUR", "month")),
            required: &["Python", "pandas", "SQL"],
            nice: &["scikit-learn"],
            lang: "fr",
            description: "Prévoir les volumes de colis par agence à partir de trois ans d'historique. Stage de fin d'études, démarrage en février.",
            status: OpeningStatus::Open,
            manager: Some(0),
        },
        DemoOpening {
            title: "Alternance — Développeur web PHP/Symfony",
            department: "Plateforme",
            city: Some("Nantes"),
            country: "FR",
            remote: "hybrid",
            kind: "apprenticeship",
            salary: None,
            required: &["PHP", "Symfony"],
            nice: &["JavaScript", "Docker"],
            lang: "fr",
            description: "Rejoignez l'équipe qui développe notre portail clients. Rythme : 3 semaines en entreprise, 1 semaine en école.",
            status: OpeningStatus::Open,
            manager: None,
        },
        DemoOpening {
            title: "Customer Success Manager (part-time)",
            department: "Customer Success",
            city: None,
            country: "FR",
            remote: "remote",
            kind: "part-time",
            salary: Some((28_000, 32_000, "EUR", "year")),
            required: &["Customer success", "English"],
            nice: &["French"],
            lang: "en",
            description: "Help our business customers get the most of their tracking dashboard. 24 hours a week.",
            status: OpeningStatus::Draft,
            manager: None,
        },
        DemoOpening {
            title: "DevOps Engineer",
            department: "Infrastructure",
            city: Some("Genève"),
            country: "CH",
            remote: "hybrid",
            kind: "permanent",
            salary: Some((110_000, 130_000, "CHF", "year")),
            required: &["Kubernetes", "Terraform", "Linux"],
            nice: &["Rust"],
            lang: "en",
            description: "Run the clusters behind our tracking platform. On-call one week in six.",
            status: OpeningStatus::Paused,
            manager: Some(0),
        },
        DemoOpening {
            title: "Responsable d'entrepôt (H/F)",
            department: "Opérations",
            city: Some("Lyon"),
            country: "FR",
            remote: "on-site",
            kind: "permanent",
            salary: Some((42_000, 48_000, "EUR", "year")),
            required: &["Management d'équipe", "WMS"],
            nice: &["CACES"],
            lang: "fr",
            description: "Encadrer une équipe de 25 personnes sur notre plateforme de Saint-Priest.",
            status: OpeningStatus::Closed,
            manager: Some(1),
        },
    ]
}

/// (name, email, phone, cv link, message, opening indexes)
type DemoCandidate = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static [usize]);

const CANDIDATES: &[DemoCandidate] = &[
    ("Camille Martin", "camille.martin@example.fr", "06 12 34 56 78", "", "Bonjour, je développe en Rust depuis deux ans chez un éditeur lyonnais.", &[0]),
    ("Yanis Benali", "yanis.benali@example.fr", "+33 7 81 22 90 14", "https://example.fr/yanis/cv.pdf", "", &[0, 1]),
    ("Priya Raman", "priya.raman@example.com", "", "", "Backend engineer, 7 years of Go, happy to work remotely from Lille.", &[1]),
    ("Lucas Petit", "lucas.petit@example.fr", "06 45 18 77 02", "", "", &[2]),
    ("Sofia Almeida", "sofia.almeida@example.com", "", "https://example.com/portfolio/sofia", "Portfolio linked: mobility apps for two delivery start-ups.", &[3]),
    ("Inès Moreau", "ines.moreau@example.fr", "", "", "Étudiante en M2 statistiques, disponible en février.", &[4]),
    ("Hugo Lefebvre", "hugo.lefebvre@example.fr", "07 66 54 32 10", "", "", &[5]),
    ("Emma Dubois", "emma.dubois@example.fr", "", "", "", &[0]),
];

/// A one-page PDF whose text is `lines`: enough for a CV a recruiter can download and open.
pub fn tiny_pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 760 Td 16 TL\n");
    for l in lines {
        let ascii: String = l.chars().map(|c| if c.is_ascii() && c != '(' && c != ')' && c != '\\' { c } else { ' ' }).collect();
        content.push_str(&format!("({ascii}) Tj T*\n"));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

/// Loads the demo; `progress(step, total, what)` is called as it goes. Refuses when
/// openings already exist, unless `force`.
pub fn load(pool: &Pool, blobs: &BlobStore, force: bool, progress: &mut dyn FnMut(usize, usize, &str)) -> anyhow::Result<DemoSummary> {
    let mut conn = pool.get().context("Failed to get a database connection")?;
    let existing = openings::list(&mut conn, &openings::OpeningFilter { limit: 1, ..Default::default() })?.1;
    if existing > 0 && !force {
        return Err(crate::cli::Fix(format!(
            "the database already has {existing} opening(s); run `hirecast demo --force` to add the demo anyway"
        ))
        .into());
    }
    // All or nothing: a demo that fails halfway leaves nothing behind to refuse the next try.
    crate::store::write_transaction(&mut conn, |conn| load_all(conn, blobs, progress))
}

fn load_all(conn: &mut crate::store::DbConn, blobs: &BlobStore, progress: &mut dyn FnMut(usize, usize, &str)) -> anyhow::Result<DemoSummary> {
    let openings_spec = demo_openings();
    let total = 1 + openings_spec.len() + CANDIDATES.len();
    let mut step = 1;
    progress(step, total, "team accounts");

    let people = [
        ("recruteuse@demo.hirecast.test", "Claire Fontaine", Role::Recruiter),
        ("manager.tech@demo.hirecast.test", "Julien Roux", Role::HiringManager),
        ("manager.rh@demo.hirecast.test", "Nadia Haddad", Role::HiringManager),
    ];
    let mut summary_users = Vec::new();
    let mut manager_ids = Vec::new();
    for (email, name, role) in people {
        let email = Email::parse("email", email).expect("demo emails are valid");
        let password = format!("demo-{}", crate::auth::short_code(12));
        let hash = crate::auth::hash_password(&NewPassword::parse(&password).expect("long enough"))?;
        let user = match users::add_with_password(conn, &email, name, role, &hash) {
            Ok(u) => {
                summary_users.push((u.email.clone(), role.as_str().to_string(), password));
                u
            }
            Err(users::AddUserError::EmailTaken) => {
                let (u, _) = users::find_by_email(conn, &email)?.context("demo user vanished")?;
                summary_users.push((u.email.clone(), role.as_str().to_string(), "(existing account, password unchanged)".into()));
                u
            }
            Err(users::AddUserError::Unexpected(e)) => return Err(e),
        };
        if role == Role::HiringManager {
            manager_ids.push(user.id);
        }
    }
    let recruiter_id = users::find_by_email(conn, &Email::parse("email", people[0].0).expect("valid"))?.map(|(u, _)| u.id);

    let today = crate::store::now().date();
    let mut opening_ids = Vec::new();
    for spec in &openings_spec {
        step += 1;
        progress(step, total, spec.title);
        let input = OpeningInput {
            title: spec.title.into(),
            company: COMPANY.into(),
            department: Some(spec.department.into()),
            city: spec.city.map(Into::into),
            country: spec.country.into(),
            remote_policy: spec.remote.into(),
            employment_type: spec.kind.into(),
            salary: spec.salary.map(|(min, max, currency, period)| SalaryInput {
                min: Some(min),
                max: Some(max),
                currency: currency.into(),
                period: period.into(),
            }),
            required_skills: spec.required.iter().map(|s| s.to_string()).collect(),
            nice_to_have_skills: spec.nice.iter().map(|s| s.to_string()).collect(),
            language: spec.lang.into(),
            description: spec.description.into(),
            valid_through: Some((today + Duration::days(60)).to_string()),
            hiring_manager_ids: spec.manager.and_then(|i| manager_ids.get(i).cloned()).into_iter().collect(),
            shortlist_threshold: None,
            response_target_minutes: None,
        };
        let draft = OpeningDraft::parse(&input, today).map_err(|e| anyhow::anyhow!("demo opening '{}' is invalid: {e}", spec.title))?;
        let o = openings::create(conn, &draft, recruiter_id.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
        match spec.status {
            OpeningStatus::Draft => {}
            OpeningStatus::Open => {
                openings::set_status(conn, &o.id, OpeningStatus::Open, today).map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            other => {
                openings::set_status(conn, &o.id, OpeningStatus::Open, today).map_err(|e| anyhow::anyhow!("{e}"))?;
                openings::set_status(conn, &o.id, other, today).map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        opening_ids.push(o.id);
    }

    let mut filed = 0;
    for (name, email, phone, cv_url, message, targets) in CANDIDATES {
        step += 1;
        progress(step, total, name);
        let details = ApplicantDetails::parse(name, email, phone, cv_url, message).map_err(|e| anyhow::anyhow!("demo candidate is invalid: {e}"))?;
        let cv = if cv_url.is_empty() {
            let pdf = tiny_pdf(&[name, email, "", "Experience", "2019-2026  Software and operations roles in Lyon and Paris"]);
            let sha = blobs.put(&pdf)?;
            Some(StoredCv {
                sha256: sha,
                filename: format!("CV-{}.pdf", name.replace(' ', "-")),
                content_type: "application/pdf".into(),
                size: pdf.len() as i64,
            })
        } else {
            None
        };
        for &i in targets.iter() {
            applications::file(
                conn,
                NewApplication {
                    opening_id: &opening_ids[i],
                    details: &details,
                    cv: cv.clone(),
                    submission_key: &crate::auth::new_token(),
                    consent_language: if openings_spec[i].lang == "fr" { Lang::Fr } else { Lang::En },
                    source: "apply_form",
                    at: crate::store::now(),
                    talent_pool: false,
                },
            )?;
            filed += 1;
        }
    }
    Ok(DemoSummary { openings: opening_ids.len(), applications: filed, users: summary_users })
}
