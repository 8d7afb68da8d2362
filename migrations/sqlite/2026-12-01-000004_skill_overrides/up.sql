-- Skills the organization's admins add to the shipped taxonomy, or change (same slug).
CREATE TABLE skill_overrides (
    slug TEXT PRIMARY KEY NOT NULL,
    label_en TEXT NOT NULL,
    label_fr TEXT NOT NULL,
    category TEXT NOT NULL,
    aliases TEXT NOT NULL,
    ambiguous BOOLEAN NOT NULL,
    updated_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);
