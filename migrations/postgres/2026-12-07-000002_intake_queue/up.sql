-- Intake as a work queue: an application waiting for the pipeline (ingested_at NULL) is
-- claimed by one worker until ingest_claimed_until; another worker, in this process or
-- another, skips it until then (and takes it over if the first one died).
ALTER TABLE applications ADD COLUMN ingest_claimed_until TIMESTAMP;
-- The workers' query each pass: the waiting ones, oldest first. Partial, so it stays as
-- small as the backlog whatever the table's size.
CREATE INDEX applications_pending ON applications(created_at) WHERE ingested_at IS NULL;
-- The harvester's other query each pass: the saved searches due.
CREATE INDEX sourcing_searches_due ON sourcing_searches(active, next_run_at);
