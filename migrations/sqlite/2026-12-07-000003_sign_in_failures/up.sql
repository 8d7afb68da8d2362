-- Sign-in throttling kept in the database, so every web process counts the same failures:
-- one row per failed attempt and key (a hash of the account's email or of the client's
-- address, never the address itself), kept for the throttling window only.
CREATE TABLE sign_in_failures (
    id TEXT PRIMARY KEY NOT NULL,
    key_hash TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures(key_hash, failed_at);
CREATE INDEX sign_in_failures_at ON sign_in_failures(failed_at);
