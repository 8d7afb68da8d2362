-- What each API token may do (space-separated scopes, see domain::user::Scope). Tokens made
-- before scopes existed keep doing everything they did.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'openings:read openings:write candidates:read candidates:write channels:read channels:write';
