BEGIN;

--
-- ACTION ALTER TABLE
--
ALTER TABLE "book" ADD COLUMN "isbn" text NULL;

--
-- ACTION CREATE TABLE
--
CREATE TABLE "review" (
    "id" bigserial NOT NULL,
    "bookId" bigint NOT NULL,
    "stars" bigint NOT NULL,
    "text" text NULL,
    PRIMARY KEY ("id"),
    CONSTRAINT "review_fk_0" FOREIGN KEY ("bookId") REFERENCES "book" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION
);
CREATE INDEX "review_book_idx" ON "review" ("bookId");


--
-- MIGRATION VERSION FOR shelf
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('shelf', '20250301090000000', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20250301090000000', "timestamp" = now();

--
-- MIGRATION VERSION FOR serverpod
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod', '20240516151843329', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240516151843329', "timestamp" = now();


COMMIT;
