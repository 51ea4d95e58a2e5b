BEGIN;

--
-- ACTION CREATE TABLE
--
CREATE TABLE "audit" (
    "id" bigserial PRIMARY KEY,
    "entry" text NOT NULL
);

--
-- ACTION ALTER TABLE
--
ALTER TABLE "customer" ADD COLUMN "vip" boolean NOT NULL DEFAULT false;

INSERT INTO "customer" ("name", "nickname")
    VALUES ('Ada', 'ada');

--
-- MIGRATION VERSION FOR shop
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('shop', '20240103000000000', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240103000000000', "timestamp" = now();

COMMIT;
