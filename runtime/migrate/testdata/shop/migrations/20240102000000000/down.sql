-- Undoes the migration. It restores the schema, not the data of
-- dropped tables or columns.
BEGIN;

--
-- UNDO CREATE TABLE
--
DROP TABLE "order";

--
-- UNDO ALTER TABLE
--
ALTER TABLE "customer" DROP COLUMN "email";


--
-- MIGRATION VERSION FOR shop
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('shop', '20240101000000000', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240101000000000', "timestamp" = now();


COMMIT;
