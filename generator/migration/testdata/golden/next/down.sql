-- Undoes the migration. It restores the schema, not the data of
-- dropped tables or columns.
BEGIN;

--
-- UNDO CREATE TABLE
--
DROP INDEX "review_book_idx";
DROP TABLE "review";

--
-- UNDO ALTER TABLE
--
ALTER TABLE "book" DROP COLUMN "isbn";


--
-- MIGRATION VERSION FOR shelf
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('shelf', '20250101120000000', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20250101120000000', "timestamp" = now();

--
-- MIGRATION VERSION FOR serverpod
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod', '20240516151843329', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240516151843329', "timestamp" = now();


COMMIT;
