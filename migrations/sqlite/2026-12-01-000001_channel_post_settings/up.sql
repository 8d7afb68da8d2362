-- How each account wants its posts written (templates per language, threads, hashtags,
-- a longer limit): JSON, empty for the organization's templates and the network's defaults.
ALTER TABLE channel_accounts ADD COLUMN post_settings TEXT;
