-- Undoes the migration. It restores the schema, not the data of
-- dropped tables or columns.
BEGIN;

--
-- UNDO CREATE TABLE
--
DROP TABLE "serverpod_migrations";
DROP TABLE "customer";

COMMIT;
