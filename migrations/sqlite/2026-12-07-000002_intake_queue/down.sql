DROP INDEX sourcing_searches_due;
DROP INDEX applications_pending;
ALTER TABLE applications DROP COLUMN ingest_claimed_until;
