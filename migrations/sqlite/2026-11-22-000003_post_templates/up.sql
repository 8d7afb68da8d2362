-- The organization's own post templates, one per (network, language); absent = the shipped default.
CREATE TABLE post_templates (
    network TEXT NOT NULL,
    language TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (network, language)
);
