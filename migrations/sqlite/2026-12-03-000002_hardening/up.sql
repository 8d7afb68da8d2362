-- Second factor for admins (RFC 6238). The secret is sealed with the secret key (context:
-- the user id); last_step is the time step of the last accepted code, so it cannot be replayed.
CREATE TABLE user_totp (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT,
    created_at TIMESTAMP NOT NULL
);

-- A sign-in whose password was right, waiting for its second factor (a few minutes).
CREATE TABLE sign_in_challenges (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    next_path TEXT NOT NULL,
    failures BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_challenges_user ON sign_in_challenges(user_id);
