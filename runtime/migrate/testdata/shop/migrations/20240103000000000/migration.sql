BEGIN;

--
-- ACTION ALTER TABLE
--
CREATE INDEX "order_customer_idx" ON "order" USING btree ("customerId");

/* Written by hand; semicolons in comments; /* nested; */ do not end statements. */
CREATE FUNCTION "order_count"(c bigint) RETURNS bigint LANGUAGE plpgsql AS $body$
BEGIN
    -- a semicolon in a function body; and a quote '
    RETURN (SELECT count(*) FROM "order" WHERE "customerId" = c);
END;
$body$;

COMMENT ON TABLE "customer" IS 'Buyers; O''Brien -- included';
COMMENT ON COLUMN "customer"."email" IS E'Contact \'address\'; optional';

--
-- MIGRATION VERSION FOR shop
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('shop', '20240103000000000', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240103000000000', "timestamp" = now();

--
-- MIGRATION VERSION FOR 'serverpod'
--
DELETE FROM "serverpod_migrations"WHERE "module" IN ('serverpod');

COMMIT;
