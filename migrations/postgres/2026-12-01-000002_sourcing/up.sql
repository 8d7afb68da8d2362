-- Sourcing: candidates found in replies and profiles may have no email yet.
ALTER TABLE candidates ALTER COLUMN email DROP NOT NULL;
ALTER TABLE candidates ADD COLUMN headline TEXT;
ALTER TABLE candidates ADD COLUMN location TEXT;
ALTER TABLE candidates ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';
ALTER TABLE candidates ADD COLUMN years_experience BIGINT;

ALTER TABLE openings ADD COLUMN response_target_minutes BIGINT NOT NULL DEFAULT 30;
ALTER TABLE openings ADD COLUMN shortlist_threshold BIGINT NOT NULL DEFAULT 60;

-- CV files in the database: every instance sharing this PostgreSQL reads them.
CREATE TABLE blob_files (
    sha256 TEXT PRIMARY KEY NOT NULL,
    bytes BYTEA NOT NULL,
    size BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Every way a person is recognised across channels: an email, an E.164 phone, a network
-- handle ("mastodon:@lea@mastodon.social", "bluesky:did:plc:..."), a CV file's SHA-256.
CREATE TABLE candidate_identities (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX candidate_identities_candidate ON candidate_identities(candidate_id);

-- What a person wrote where hirecast found them: a reply, a profile, the apply form, a
-- sourcing search hit. One row per remote object (the same reply harvested twice is one).
CREATE TABLE candidate_sources (
    id TEXT PRIMARY KEY NOT NULL,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    opening_id TEXT REFERENCES openings(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    network TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    url TEXT,
    author TEXT,
    text TEXT NOT NULL,
    posted_at TIMESTAMP,
    harvested_at TIMESTAMP NOT NULL,
    UNIQUE (network, kind, remote_id)
);
CREATE INDEX candidate_sources_candidate ON candidate_sources(candidate_id);

-- A candidate's CV files (content-addressed: the same file is stored once) and where each came from.
CREATE TABLE candidate_cvs (
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    source_url TEXT,
    format TEXT NOT NULL,
    size BIGINT NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    PRIMARY KEY (candidate_id, sha256)
);
CREATE INDEX candidate_cvs_sha ON candidate_cvs(sha256);

-- The text read from a CV file, once per file: pages as a JSON array of strings.
CREATE TABLE cv_texts (
    sha256 TEXT PRIMARY KEY NOT NULL,
    format TEXT NOT NULL,
    pages TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Per opening: each candidate's place in the process, score and explanation (JSON).
CREATE TABLE shortlist_entries (
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    origin TEXT NOT NULL,
    score BIGINT NOT NULL,
    explanation TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (opening_id, candidate_id)
);
CREATE INDEX shortlist_entries_candidate ON shortlist_entries(candidate_id);

-- Every change of state, with who made it (NULL: hirecast itself) and when.
CREATE TABLE shortlist_events (
    id TEXT PRIMARY KEY NOT NULL,
    opening_id TEXT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    at TIMESTAMP NOT NULL,
    note TEXT
);
CREATE INDEX shortlist_events_entry ON shortlist_events(opening_id, candidate_id);

-- Where reply harvesting of one published post stands: only replies after the cursor are read.
CREATE TABLE harvest_cursors (
    delivery_id TEXT PRIMARY KEY NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    seen TEXT NOT NULL,
    next_run_at TIMESTAMP NOT NULL,
    runs BIGINT NOT NULL,
    fail_count BIGINT NOT NULL,
    last_error TEXT,
    unsupported TEXT,
    updated_at TIMESTAMP NOT NULL
);

-- Private answers to candidates (acknowledgement, privacy notice): sent once, by key.
CREATE TABLE candidate_messages (
    id TEXT PRIMARY KEY NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    candidate_id TEXT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    opening_id TEXT REFERENCES openings(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    account_id TEXT REFERENCES channel_accounts(id) ON DELETE SET NULL,
    target TEXT NOT NULL,
    reply_to TEXT,
    state TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    remote_id TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX candidate_messages_due ON candidate_messages(state, due_at);

-- Existing applicants are known by their email.
INSERT INTO candidate_identities (kind, value, candidate_id, created_at)
    SELECT 'email', email, id, created_at FROM candidates WHERE email IS NOT NULL;
