-- The recruiters' own wording of the emails sent to candidates (acknowledgement, rejection,
-- next step), per language. No row: hirecast's default text.
CREATE TABLE candidate_email_templates (
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, language)
);
