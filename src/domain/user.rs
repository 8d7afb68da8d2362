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

/// A password as chosen by a user: at least 12 characters, at most 256.
pub struct NewPassword(String);

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
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}
