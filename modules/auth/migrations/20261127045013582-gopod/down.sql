-- Undoes the migration. It restores the schema, not the data of
-- dropped tables or columns.
BEGIN;

--
-- UNDO CREATE TABLE
--
DROP INDEX "gopod_auth_request_state_request_idx";
DROP TABLE "gopod_auth_request_state";

--
-- UNDO CREATE TABLE
--
DROP INDEX "gopod_auth_key_state_key_idx";
DROP TABLE "gopod_auth_key_state";

--
-- UNDO CREATE TABLE
--
DROP INDEX "gopod_auth_attempt_time_idx";
DROP INDEX "gopod_auth_attempt_ip_idx";
DROP INDEX "gopod_auth_attempt_subject_idx";
DROP TABLE "gopod_auth_attempt";


--
-- MIGRATION VERSION FOR serverpod_auth
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod_auth', '20240520102713718', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240520102713718', "timestamp" = now();

--
-- MIGRATION VERSION FOR serverpod
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod', '20240516151843329', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240516151843329', "timestamp" = now();


COMMIT;
