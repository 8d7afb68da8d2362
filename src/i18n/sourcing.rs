//! Texts hirecast sends to candidates and shows about them.

/// The private acknowledgement of an answer carrying a CV.
pub fn acknowledgement(lang: super::Lang, title: &str) -> String {
    match lang {
        super::Lang::Fr => format!("Bonjour, merci pour votre candidature au poste « {title} » : nous l'avons bien reçue, la personne qui recrute vous répondra très vite."),
        super::Lang::En => format!("Hello, thank you for applying to {title}: we have received your application and the recruiter will get back to you shortly."),
    }
}
