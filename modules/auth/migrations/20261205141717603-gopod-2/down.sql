-- Undoes the migration. It restores the schema, not the data of
-- dropped tables or columns.
BEGIN;

--
-- UNDO CREATE TABLE
--
DROP INDEX "gopod_auth_reset_state_selector_idx";
DROP INDEX "gopod_auth_reset_state_reset_idx";
DROP TABLE "gopod_auth_reset_state";

--
-- UNDO CREATE TABLE
--
DROP INDEX "gopod_auth_used_token_expiration_idx";
DROP INDEX "gopod_auth_used_token_hash_idx";
DROP TABLE "gopod_auth_used_token";


--
-- MIGRATION VERSION FOR serverpod_auth
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod_auth', '20261127045013582-gopod', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20261127045013582-gopod', "timestamp" = now();

--
-- MIGRATION VERSION FOR serverpod
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod', '20240516151843329', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240516151843329', "timestamp" = now();


COMMIT;
