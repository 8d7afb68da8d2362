//! Texts hirecast sends to candidates and shows about them.

/// The private acknowledgement of an answer carrying a CV.
pub fn acknowledgement(lang: super::Lang, title: &str) -> String {
    match lang {
        super::Lang::Fr => format!("Bonjour, merci pour votre candidature au poste « {title} » : nous l'avons bien reçue, la personne qui recrute vous répondra très vite."),
        super::Lang::En => format!("Hello, thank you for applying to {title}: we have received your application and the recruiter will get back to you shortly."),
    }
}

/// The information notice owed to a person found in public posts (GDPR article 14), sent at
/// first contact.
pub fn privacy_notice(lang: super::Lang, company: &str, title: &str) -> String {
    match lang {
        super::Lang::Fr => format!("Bonjour, {company} a trouvé votre message public et pense à vous pour le poste « {title} ». Nous conservons votre nom, votre profil public et ce message, uniquement pour ce recrutement, 3 mois au plus après sa fin. Vous pouvez à tout moment y accéder, les faire effacer ou vous opposer à ce traitement : il suffit de répondre à ce message."),
        super::Lang::En => format!("Hello, {company} found your public post and thinks of you for the {title} opening. We keep your name, your public profile and this post, only for this recruitment, for at most 3 months after it ends. You may access them, have them erased or object to this at any time: just answer this message."),
    }
}
