BEGIN;

--
-- ACTION CREATE TABLE IF NOT EXISTS
--
CREATE INDEX IF NOT EXISTS "order_customer_idx" ON "order" USING btree ("customerId");


--
-- MIGRATION VERSION FOR shop
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('shop', '20240103000000000', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240103000000000', "timestamp" = now();

--
-- MIGRATION VERSION FOR _repair
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('_repair', '20240201000000000', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240201000000000', "timestamp" = now();


COMMIT;
