-- Portable types only (vaultwarden style): ids are TEXT generated in the app,
-- times are TIMESTAMP in UTC, lists are JSON arrays in TEXT.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    locale TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

CREATE TABLE openings (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    company TEXT NOT NULL,
    department TEXT,
    city TEXT,
    country TEXT NOT NULL,
    remote_policy TEXT NOT NULL,
    employment_type TEXT NOT NULL,
    salary_min BIGINT,
    salary_max BIGINT,
    salary_currency TEXT,
    salary_period TEXT,
    required_skills TEXT NOT NULL,
    nice_skills TEXT NOT NULL,
    language TEXT NOT NULL,
    description_md TEXT NOT NULL,
    status TEXT NOT NULL,
    valid_through DATE,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    closed_at TIMESTAMP
);
CREATE INDEX openings_status ON openings(status);

CREATE TABLE opening_managers (
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (opening_id, user_id)
);
CREATE INDEX opening_managers_user ON opening_managers(user_id);

CREATE TABLE privacy_notices (
    version TEXT PRIMARY KEY NOT NULL,
    text_en TEXT NOT NULL,
    text_fr TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE candidates (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY NOT NULL,
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    submission_key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    cv_url TEXT,
    cv_sha256 TEXT,
    cv_filename TEXT,
    cv_content_type TEXT,
    cv_size BIGINT,
    message TEXT,
    consent_version TEXT NOT NULL REFERENCES privacy_notices(version),
    consent_language TEXT NOT NULL,
    consent_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX applications_opening ON applications(opening_id);
CREATE INDEX applications_candidate ON applications(candidate_id);
