use hirecast::sourcing::{SkillHit, Taxonomy};

fn found(text: &str) -> Vec<String> {
    let t = Taxonomy::shared();
    t.find(text).iter().map(|h| t.get(h.skill).slug.clone()).collect()
}

fn has(text: &str, slug: &str) -> bool {
    found(text).iter().any(|s| s == slug)
}

#[track_caller]
fn yes(text: &str, slug: &str) {
    assert!(has(text, slug), "expected {slug} in {text:?}, got {:?}", found(text));
}

#[track_caller]
fn no(text: &str, slug: &str) {
    assert!(!has(text, slug), "did not expect {slug} in {text:?}, got {:?}", found(text));
}

#[test]
fn offsets_sorted_and_deduplicated() {
    let t = Taxonomy::shared();
    let text = "Java, Python et encore du Java. Python 3 aussi, PostgreSQL.";
    let hits = t.find(text);
    let got: Vec<(&str, &str)> = hits.iter().map(|h| (t.get(h.skill).slug.as_str(), &text[h.start..h.end])).collect();
    assert_eq!(got, [("java", "Java"), ("python", "Python"), ("postgresql", "PostgreSQL")]);
    assert!(hits.windows(2).all(|w| w[0].start < w[1].start));
    let mut out = vec![SkillHit { skill: hirecast::sourcing::SkillId(0), start: 0, end: 0 }; 3];
    t.find_into(text, &mut out);
    assert_eq!(out, hits, "find_into clears and refills");
}

#[test]
fn word_boundaries() {
    no("Javanese cuisine", "java");
    no("xJava", "java");
    no("I use javas", "java");
    yes("Java-based backend", "java");
    yes("(Java)", "java");
    yes("Java's ecosystem", "java");
    yes("java_home is set; Java.", "java");
    no("java_home", "java");
    no("PostgreSQLX", "postgresql");
    no("descriptions", "scripting");
    no("excellent", "excel");
    no("restaurant", "rest-api");
    no("Rustacean", "rust");
    yes("React Nativeness and React", "react");
    no("reactivity", "react");
    yes("5 ans d'expérience en Python.", "python");
    yes("Python/Django", "django");
    yes("Python/Django", "python");
}

#[test]
fn symbols_csharp_cpp_dotnet_node() {
    for text in ["C#", "(C#)", "C#, Java", "du C# et", "C#10", "en C#."] {
        yes(text, "csharp");
    }
    for text in ["C++", "C++,", "C++11", "C++17 et Rust", "(C++)", "C/C++"] {
        yes(text, "cpp");
    }
    no("C++x", "cpp");
    for text in [".NET", "en .NET Core", "C#/.NET", "dotnet", ".NET 8"] {
        yes(text, "dotnet");
    }
    no("ASP.NET MVC", "dotnet");
    yes("ASP.NET MVC", "aspnet");
    for text in ["Node.js", "node.js,", "NodeJS", "Node JS", "NODE.JS", "Node", "API en Node."] {
        yes(text, "nodejs");
    }
    no("a graph node", "nodejs");
    yes("JS/TypeScript", "javascript");
    yes("Vue.js et Nuxt", "vue");
    yes("k8s, Docker", "kubernetes");
}

#[test]
fn accents_and_case() {
    for text in ["Développeur Java", "DÉVELOPPEUR JAVA", "developpeur java", "DEVELOPPEUR", "développeuse", "Développeur·se Rust"] {
        yes(text, "developer");
    }
    yes("COMPTABILITÉ GÉNÉRALE", "accounting");
    yes("comptabilite generale", "accounting");
    yes("Comptabilité", "accounting");
    yes("gestion de projet", "project-management");
    yes("GESTION DE PROJETS", "project-management");
    yes("Soudure TIG", "welding");
    yes("soudeur", "welding");
    yes("Télécommunications", "telecom");
    yes("TÉLÉCOMS", "telecom");
    yes("chef d’équipe", "team-management");
    yes("chef d'équipe", "team-management");
    yes("maîtrise d’œuvre", "moe");
    yes("Maîtrise d'oeuvre", "moe");
    yes("apprentissage automatique", "machine-learning");
    yes("infirmière", "nursing");
    yes("INFIRMIÈRE", "nursing");
}

#[test]
fn case_sensitive_names() {
    yes("Excel, Word et PowerPoint", "excel");
    yes("EXCEL", "excel");
    no("I excel at sales", "excel");
    yes("Rust et Go", "rust");
    no("remove rust from metal", "rust");
    yes("React and Vue", "react");
    no("we react quickly", "react");
    yes("Experience with SAP", "sap");
    no("sap of a tree", "sap");
    yes("RH et paie", "human-resources");
    yes("HR generalist", "human-resources");
    no("24 hr service", "human-resources");
    yes("ML engineer", "machine-learning");
    no("500 ml de solution", "machine-learning");
    yes("IA générative", "llm");
    yes("AI", "ai");
    no("j'ai fait", "ai");
    no("je suis là", "ui-design");
    yes("UI/UX", "ui-design");
}

#[test]
fn go_needs_case_and_context() {
    yes("Développeur Go confirmé", "go");
    yes("Backend en Go et PostgreSQL", "go");
    yes("I write Go and Rust", "go");
    yes("Golang", "go");
    yes("golang developer", "go");
    yes("Go, Rust and Python developer.", "go");
    yes("Langage Go", "go");
    yes("experience in Go", "go");
    no("I go to the gym every day", "go");
    no("Go to the store and buy milk", "go");
    no("On y go ? Allez go !", "go");
    no("Go-to-market strategy for Excel", "go");
    no("GO GO GO", "go");
    no("Let's Go Team, we love sales", "go");
}

#[test]
fn c_needs_context() {
    yes("Je code en C.", "c");
    yes("Développement embarqué en C et C++", "c");
    yes("C/C++", "c");
    yes("C, C++, Python", "c");
    yes("langage C", "c");
    yes("ANSI C", "c");
    yes("programmation C sur microcontrôleur", "c");
    yes("experience in C", "c");
    no("C'est un super poste", "c");
    no("C’est bon", "c");
    no("Vitamine C et sport", "c");
    no("Catégorie C de la fonction publique", "c");
    no("Plan C", "c");
    no("C-suite executives", "c");
    no("J. C. Dupont", "c");
    no("le C.V. est joint", "c");
    no("C++ only", "c");
    no("du C#", "c");
}

#[test]
fn r_needs_statistics_or_programming_context() {
    yes("Analyse statistique avec R et Python", "r");
    yes("R, SAS, SPSS", "r");
    yes("modèles de régression sous R", "r");
    yes("I use R for data analysis", "r");
    yes("experience in R", "r");
    no("R&D team", "r");
    no("département R & D", "r");
    no("R. Dupont, directeur", "r");
    no("J'habite au R+2", "r");
}

#[test]
fn other_ambiguous_names() {
    // Spring: framework only with Java context, never the season.
    yes("Java, Spring, Hibernate", "spring");
    yes("Backend Java/Spring", "spring");
    no("Spring 2025 internship", "spring");
    no("Stage de Spring 2025 en marketing", "spring");
    no("spring is here", "spring");
    no("Spring is here, enjoy the garden", "spring");
    yes("Spring Boot", "spring-boot");
    // Chef / Puppet / Salt.
    yes("Ansible, Chef et Puppet pour l'infra", "chef");
    yes("Ansible, Chef et Puppet pour l'infra", "puppet");
    no("Chef de projet digital", "chef");
    no("Chef cuisinier dans un restaurant étoilé", "chef");
    no("Chef d'équipe logistique", "chef");
    no("Le Chef a dit oui", "chef");
    yes("SaltStack", "saltstack");
    no("Salt and pepper", "saltstack");
    // Make.
    yes("GNU Make", "make");
    yes("build avec Make et CMake", "make");
    no("Make sure you apply", "make");
    // Express / Flask.
    yes("Node.js avec Express et MongoDB", "express");
    no("Express delivery", "express");
    yes("Python, Flask, PostgreSQL", "flask");
    no("Flask of coffee", "flask");
    // Swift / Dart / Less / Elm / Julia / Ada / Pascal / Lisp / Shell.
    yes("iOS en Swift", "swift");
    no("Swift response expected", "swift");
    no("Taylor Swift concert", "swift");
    yes("Flutter et Dart", "dart");
    no("Dart competition at the pub", "dart");
    yes("CSS, Sass ou Less", "less");
    no("Less is more", "less");
    yes("langage Julia", "julia");
    no("Julia est notre RH", "julia");
    yes("Programmation en Ada pour l'aéronautique", "ada");
    no("Ada Lovelace est une pionnière", "ada");
    no("Blaise Pascal", "pascal");
    yes("Scripts Shell et Bash", "shell");
    no("Shell station attendant", "shell");
    // Tableau / Sage / Vue / Notion.
    yes("Dashboards Power BI et Tableau", "tableau");
    no("Tableau de bord mensuel", "tableau");
    yes("Maîtrise de Sage et de la comptabilité", "sage");
    no("Sage-femme diplômée", "sage");
    yes("Sage-femme diplômée", "midwifery");
    yes("React ou Vue, JavaScript", "vue");
    no("Vue sur mer", "vue");
    // Ruby / Word / Access.
    yes("Développeur Ruby et Rails", "ruby");
    no("Ruby est ma collègue", "ruby");
    yes("Word, Excel, PowerPoint", "word");
    no("Word of mouth", "word");
    // IDE (nurse) vs IDE (tools).
    yes("Infirmière IDE en service de chirurgie", "nursing");
    no("IntelliJ IDE et VS Code", "nursing");
}

#[test]
fn recruiting_fields_beyond_tech() {
    yes("Gestionnaire de paie, DSN, Silae", "payroll");
    yes("Gestionnaire de paie, DSN, Silae", "payroll-software");
    yes("CACES R489 catégorie 3", "forklift");
    yes("cariste avec CACES 3", "forklift");
    yes("Soudeur TIG/MIG", "welding");
    yes("Habilitation électrique B1V", "electrical-clearance");
    yes("Expérience en service client et relation clientèle", "customer-service");
    yes("Chef de projet, méthodes Agile et Scrum", "project-management");
    yes("Chef de projet, méthodes Agile et Scrum", "scrum");
    yes("Comptable, clôtures mensuelles, liasse fiscale", "closing");
    yes("Aide-soignante en EHPAD", "nursing-assistant");
    yes("Aide-soignante en EHPAD", "geriatrics");
    yes("Permis B, véhiculé", "driving-license");
    yes("Anglais courant", "english");
    yes("SAP FI/CO", "sap-fi-co");
    yes("Prospection, négociation, B2B", "b2b-sales");
}
