ALTER TABLE channel_accounts DROP COLUMN post_settings;
