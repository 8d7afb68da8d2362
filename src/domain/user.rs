use serde::{Deserialize, Serialize};

use super::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Recruiter,
    HiringManager,
}

impl Role {
    pub const ALL: &'static [Role] = &[Role::Admin, Role::Recruiter, Role::HiringManager];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Recruiter => "recruiter",
            Role::HiringManager => "hiring_manager",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().replace('-', "_").as_str() {
            "admin" => Ok(Role::Admin),
            "recruiter" => Ok(Role::Recruiter),
            "hiring_manager" => Ok(Role::HiringManager),
            _ => Err(FieldError::new(
                "role",
                "invalid_choice",
                "must be one of: admin, recruiter, hiring_manager",
                "doit être admin, recruiter ou hiring_manager",
            )),
        }
    }

    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        use crate::i18n::Lang::*;
        match (self, lang) {
            (Role::Admin, En) => "Administrator",
            (Role::Admin, Fr) => "Administrateur",
            (Role::Recruiter, En) => "Recruiter",
            (Role::Recruiter, Fr) => "Recruteur",
            (Role::HiringManager, En) => "Hiring manager",
            (Role::HiringManager, Fr) => "Manager recruteur",
        }
    }

    /// Recruiters and admins see and edit every opening; hiring managers only their assigned ones.
    pub fn sees_all_openings(self) -> bool {
        matches!(self, Role::Admin | Role::Recruiter)
    }

    pub fn can_edit_openings(self) -> bool {
        self.sees_all_openings()
    }
}

/// A password as chosen by a user: 12 to 256 characters, not one of the bundled common
/// passwords (`common_passwords.txt`, compared without regard to case), and, through
/// [`NewPassword::parse_for`], not the account's own email.
pub struct NewPassword(String);

static COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Whether `raw` is in the bundled list of common passwords (any case, surrounding spaces ignored).
pub fn is_common_password(raw: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    let set = SET.get_or_init(|| COMMON_PASSWORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect());
    set.contains(raw.trim().to_lowercase().as_str())
}

impl NewPassword {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let n = raw.chars().count();
        if n < 12 {
            return Err(FieldError::new(
                "password",
                "too_short",
                "must be at least 12 characters long",
                "doit contenir au moins 12 caractères",
            ));
        }
        if n > 256 {
            return Err(FieldError::new("password", "too_long", "must be at most 256 characters long", "doit contenir au plus 256 caractères"));
        }
        if is_common_password(raw) {
            return Err(FieldError::new(
                "password",
                "too_common",
                "is one of the most common passwords; choose another one",
                "fait partie des mots de passe les plus courants ; choisissez-en un autre",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    /// [`NewPassword::parse`], and not the account's email (nor the part before the @).
    pub fn parse_for(raw: &str, email: &str) -> Result<Self, FieldError> {
        let pw = Self::parse(raw)?;
        let (p, e) = (raw.trim().to_lowercase(), email.trim().to_lowercase());
        let local = e.split('@').next().unwrap_or("");
        if p == e || (!local.is_empty() && p == local) {
            return Err(FieldError::new(
                "password",
                "equals_email",
                "must not be your email address",
                "ne doit pas être votre adresse e-mail",
            ));
        }
        Ok(pw)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_refused_when_short_common_or_the_email() {
        assert_eq!(NewPassword::parse("short").err().unwrap().code, "too_short");
        assert_eq!(NewPassword::parse("qwerty123456").err().unwrap().code, "too_common");
        assert_eq!(NewPassword::parse("QWERTY123456").err().unwrap().code, "too_common");
        assert_eq!(NewPassword::parse("MotDePasse123").err().unwrap().code, "too_common");
        assert!(NewPassword::parse("correct horse battery staple").is_ok());
        assert_eq!(NewPassword::parse_for("Lea.Martin@example.com", "lea.martin@example.com").err().unwrap().code, "equals_email");
        assert_eq!(NewPassword::parse_for("lea.martin.long", "lea.martin.long@example.com").err().unwrap().code, "equals_email");
        assert!(NewPassword::parse_for("correct horse battery staple", "lea@example.com").is_ok());
        // The list is the bundled one, thousands of entries.
        assert!(COMMON_PASSWORDS.lines().filter(|l| !l.starts_with('#')).count() > 4000);
    }
}

/// What an API token may do. A token carries the scopes chosen when it was made; a request
/// whose route needs a scope the token lacks is refused (403, naming the scope). Reads and
/// writes are split per area so a reporting script can hold a token that cannot change
/// anything, and an integration that moves candidates cannot publish to the company's accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Openings, their deliveries, post previews.
    OpeningsRead,
    /// Create, edit, pause and close openings.
    OpeningsWrite,
    /// Applications, shortlists, candidates and their merges: personal data.
    CandidatesRead,
    /// Move candidates between stages, merge and undo merges.
    CandidatesWrite,
    /// The connected channels.
    ChannelsRead,
    /// Connect and disconnect channels, publish, retry, cancel and confirm deliveries:
    /// speaking in the company's name.
    ChannelsWrite,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[
        Scope::OpeningsRead,
        Scope::OpeningsWrite,
        Scope::CandidatesRead,
        Scope::CandidatesWrite,
        Scope::ChannelsRead,
        Scope::ChannelsWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::OpeningsRead => "openings:read",
            Scope::OpeningsWrite => "openings:write",
            Scope::CandidatesRead => "candidates:read",
            Scope::CandidatesWrite => "candidates:write",
            Scope::ChannelsRead => "channels:read",
            Scope::ChannelsWrite => "channels:write",
        }
    }

    pub fn parse(raw: &str) -> Option<Scope> {
        Scope::ALL.iter().copied().find(|s| s.as_str() == raw.trim())
    }

    /// Scopes as stored: space-separated, in `ALL` order; unknown words are dropped.
    pub fn parse_list(raw: &str) -> Vec<Scope> {
        let mut v: Vec<Scope> = raw.split_whitespace().filter_map(Scope::parse).collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn join(scopes: &[Scope]) -> String {
        let mut v = scopes.to_vec();
        v.sort();
        v.dedup();
        v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod scope_tests {
    use super::Scope;

    #[test]
    fn scopes_round_trip_through_their_stored_form() {
        let all = Scope::join(Scope::ALL);
        assert_eq!(all, "openings:read openings:write candidates:read candidates:write channels:read channels:write");
        assert_eq!(Scope::parse_list(&all), Scope::ALL);
        assert_eq!(Scope::parse_list("channels:write bogus openings:read channels:write"), vec![Scope::OpeningsRead, Scope::ChannelsWrite]);
    }
}
