//! Texts of sign-in throttling and the second factor (TOTP) pages.

macro_rules! security_texts {
    ($($key:ident: $en:literal, $fr:literal;)+) => {
        pub struct SecurityText { $(pub $key: &'static str,)+ }
        pub static EN: SecurityText = SecurityText { $($key: $en,)+ };
        pub static FR: SecurityText = SecurityText { $($key: $fr,)+ };
    };
}

security_texts! {
    throttled: "Too many failed sign-ins. Wait a minute, then try again.", "Trop d'échecs de connexion. Patientez une minute, puis réessayez.";
    code_title: "Two-step verification", "Vérification en deux étapes";
    code_intro: "Enter the 6-digit code your authenticator app shows for Hirecast.", "Saisissez le code à 6 chiffres qu'affiche votre application d'authentification pour Hirecast.";
    code_label: "Code", "Code";
    code_wrong: "This code is wrong or was already used; enter the current one.", "Ce code est incorrect ou a déjà servi ; saisissez le code actuel.";
    code_submit: "Verify", "Vérifier";
    settings_link: "Two-step verification (admins)", "Vérification en deux étapes (administrateurs)";
    tf_title: "Two-step verification", "Vérification en deux étapes";
    tf_admins_only: "Two-step verification is offered to administrators.", "La vérification en deux étapes est proposée aux administrateurs.";
    tf_off: "Off: signing in asks only for your password.", "Désactivée : la connexion ne demande que votre mot de passe.";
    tf_on: "On: signing in asks for a code from your authenticator app after your password.", "Activée : après votre mot de passe, la connexion demande un code de votre application d'authentification.";
    tf_start: "Set up two-step verification", "Configurer la vérification en deux étapes";
    tf_scan: "Add this account to your authenticator app (Aegis, FreeOTP, Google Authenticator, 1Password…) with the key below or the otpauth link, then enter the code it shows.", "Ajoutez ce compte à votre application d'authentification (Aegis, FreeOTP, Google Authenticator, 1Password…) avec la clé ci-dessous ou le lien otpauth, puis saisissez le code qu'elle affiche.";
    tf_secret: "Key (base32)", "Clé (base32)";
    tf_uri: "otpauth link", "Lien otpauth";
    tf_confirm: "Turn on", "Activer";
    tf_disable: "Turn off", "Désactiver";
    tf_disable_intro: "To turn it off, enter a current code.", "Pour la désactiver, saisissez un code actuel.";
    tf_enabled: "Two-step verification is on.", "La vérification en deux étapes est activée.";
    tf_disabled: "Two-step verification is off.", "La vérification en deux étapes est désactivée.";
}

pub fn text(lang: super::Lang) -> &'static SecurityText {
    match lang {
        super::Lang::En => &EN,
        super::Lang::Fr => &FR,
    }
}
