BEGIN;

--
-- ACTION CREATE TABLE
--
CREATE TABLE "gopod_auth_attempt" (
    "id" bigserial NOT NULL,
    "domain" text NOT NULL,
    "subject" text NOT NULL,
    "ipAddress" text NOT NULL,
    "time" timestamp NOT NULL,
    PRIMARY KEY ("id")
);
CREATE INDEX "gopod_auth_attempt_subject_idx" ON "gopod_auth_attempt" ("domain", "subject", "time");
CREATE INDEX "gopod_auth_attempt_ip_idx" ON "gopod_auth_attempt" ("domain", "ipAddress", "time");
CREATE INDEX "gopod_auth_attempt_time_idx" ON "gopod_auth_attempt" ("time");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "gopod_auth_key_state" (
    "id" bigserial NOT NULL,
    "authKeyId" bigint NOT NULL,
    "created" timestamp NOT NULL,
    PRIMARY KEY ("id"),
    CONSTRAINT "gopod_auth_key_state_fk_0" FOREIGN KEY ("authKeyId") REFERENCES "serverpod_auth_key" ("id") ON UPDATE NO ACTION ON DELETE CASCADE
);
CREATE UNIQUE INDEX "gopod_auth_key_state_key_idx" ON "gopod_auth_key_state" ("authKeyId");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "gopod_auth_request_state" (
    "id" bigserial NOT NULL,
    "requestId" bigint NOT NULL,
    "expiration" timestamp NOT NULL,
    "failedAttempts" bigint NOT NULL,
    PRIMARY KEY ("id"),
    CONSTRAINT "gopod_auth_request_state_fk_0" FOREIGN KEY ("requestId") REFERENCES "serverpod_email_create_request" ("id") ON UPDATE NO ACTION ON DELETE CASCADE
);
CREATE UNIQUE INDEX "gopod_auth_request_state_request_idx" ON "gopod_auth_request_state" ("requestId");


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
