use super::FieldError;

/// A normalized (trimmed, lower-cased) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let v = raw.trim().to_lowercase();
        let bad = || {
            FieldError::new(
                field,
                "invalid_email",
                "is not a valid email address (expected name@example.com)",
                "n'est pas une adresse e-mail valide (attendu : nom@exemple.fr)",
            )
        };
        if v.is_empty() {
            return Err(FieldError::new(field, "required", "is required", "est obligatoire"));
        }
        if v.len() > 254 {
            return Err(bad());
        }
        let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(v))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalizes() {
        assert_eq!(Email::parse("email", "  Jean.Dupont@Example.FR ").unwrap().as_str(), "jean.dupont@example.fr");
        assert!(Email::parse("email", "élodie@exemple.fr").is_ok());
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "plain", "a@b", "@example.com", "a@.com", "a b@example.com", "a@exa mple.com", "a..b@x.fr", "<script>@x.fr"] {
            assert!(Email::parse("email", bad).is_err(), "{bad} should be refused");
        }
    }
}
