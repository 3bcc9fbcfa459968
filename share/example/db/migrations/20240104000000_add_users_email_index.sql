-- db-tools:no-transaction
-- CREATE INDEX CONCURRENTLY cannot run inside a transaction block, so the marker
-- above tells db-reset to run this file without wrapping it in one.
CREATE UNIQUE INDEX CONCURRENTLY users_email_lower_key ON users (lower(email));
