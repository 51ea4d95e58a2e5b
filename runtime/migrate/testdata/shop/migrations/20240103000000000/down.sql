-- Undoes the migration.
BEGIN;

COMMENT ON COLUMN "customer"."email" IS NULL;
COMMENT ON TABLE "customer" IS NULL;
DROP FUNCTION "order_count"(bigint);
DROP INDEX "order_customer_idx";

--
-- MIGRATION VERSION FOR shop
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('shop', '20240102000000000', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240102000000000', "timestamp" = now();

--
-- MIGRATION VERSION FOR serverpod
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod', '20240516151843329', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240516151843329', "timestamp" = now();

COMMIT;
