BEGIN;

--
-- ACTION CREATE TABLE
--
CREATE TABLE "gopod_auth_used_token" (
    "id" bigserial NOT NULL,
    "tokenHash" text NOT NULL,
    "expiration" timestamp NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "gopod_auth_used_token_hash_idx" ON "gopod_auth_used_token" ("tokenHash");
CREATE INDEX "gopod_auth_used_token_expiration_idx" ON "gopod_auth_used_token" ("expiration");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "gopod_auth_reset_state" (
    "id" bigserial NOT NULL,
    "resetId" bigint NOT NULL,
    "selector" text NOT NULL,
    "failedAttempts" bigint NOT NULL,
    PRIMARY KEY ("id"),
    CONSTRAINT "gopod_auth_reset_state_fk_0" FOREIGN KEY ("resetId") REFERENCES "serverpod_email_reset" ("id") ON UPDATE NO ACTION ON DELETE CASCADE
);
CREATE UNIQUE INDEX "gopod_auth_reset_state_reset_idx" ON "gopod_auth_reset_state" ("resetId");
CREATE INDEX "gopod_auth_reset_state_selector_idx" ON "gopod_auth_reset_state" ("selector");


--
-- MIGRATION VERSION FOR serverpod_auth
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod_auth', '20261205141717603-gopod-2', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20261205141717603-gopod-2', "timestamp" = now();

--
-- MIGRATION VERSION FOR serverpod
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod', '20240516151843329', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240516151843329', "timestamp" = now();


COMMIT;
