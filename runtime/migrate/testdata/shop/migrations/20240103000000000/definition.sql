BEGIN;

--
-- Class Customer as table customer
--
CREATE TABLE "customer" (
    "id" bigserial PRIMARY KEY,
    "name" text NOT NULL,
    "email" text
);

--
-- Class Order as table order
--
CREATE TABLE "order" (
    "id" bigserial PRIMARY KEY,
    "customerId" bigint NOT NULL,
    "note" text NOT NULL DEFAULT 'none; yet'::text
);

--
-- Class DatabaseMigrationVersion as table serverpod_migrations
--
CREATE TABLE "serverpod_migrations" (
    "id" bigserial PRIMARY KEY,
    "module" text NOT NULL,
    "version" text NOT NULL,
    "timestamp" timestamp without time zone
);

-- Indexes
CREATE UNIQUE INDEX "serverpod_migrations_ids" ON "serverpod_migrations" USING btree ("module");

--
-- Foreign relations for "order" table
--
ALTER TABLE ONLY "order"
    ADD CONSTRAINT "order_fk_0"
    FOREIGN KEY("customerId")
    REFERENCES "customer"("id")
    ON DELETE CASCADE
    ON UPDATE NO ACTION;


CREATE INDEX "order_customer_idx" ON "order" USING btree ("customerId");

CREATE FUNCTION "order_count"(c bigint) RETURNS bigint LANGUAGE plpgsql AS $body$
BEGIN
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


COMMIT;
