DROP TABLE delivery_events;
DROP TABLE deliveries;
DROP TABLE oauth_flows;
DROP TABLE channel_accounts;
ALTER TABLE users DROP COLUMN time_zone;
