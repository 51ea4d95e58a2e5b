BEGIN;

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_future_call" (
    "id" bigserial NOT NULL,
    "name" text NOT NULL,
    "time" timestamp NOT NULL,
    "serializedObject" text NULL,
    "serverId" text NOT NULL,
    "identifier" text NULL,
    PRIMARY KEY ("id")
);
CREATE INDEX "serverpod_future_call_time_idx" ON "serverpod_future_call" ("time");
CREATE INDEX "serverpod_future_call_serverId_idx" ON "serverpod_future_call" ("serverId");
CREATE INDEX "serverpod_future_call_identifier_idx" ON "serverpod_future_call" ("identifier");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_health_connection_info" (
    "id" bigserial NOT NULL,
    "serverId" text NOT NULL,
    "timestamp" timestamp NOT NULL,
    "active" bigint NOT NULL,
    "closing" bigint NOT NULL,
    "idle" bigint NOT NULL,
    "granularity" bigint NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_health_connection_info_timestamp_idx" ON "serverpod_health_connection_info" ("timestamp", "serverId", "granularity");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_email_create_request" (
    "id" bigserial NOT NULL,
    "userName" text NOT NULL,
    "email" text NOT NULL,
    "hash" text NOT NULL,
    "verificationCode" text NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_email_auth_create_account_request_idx" ON "serverpod_email_create_request" ("email");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_email_failed_sign_in" (
    "id" bigserial NOT NULL,
    "email" text NOT NULL,
    "time" timestamp NOT NULL,
    "ipAddress" text NOT NULL,
    PRIMARY KEY ("id")
);
CREATE INDEX "serverpod_email_failed_sign_in_email_idx" ON "serverpod_email_failed_sign_in" ("email");
CREATE INDEX "serverpod_email_failed_sign_in_time_idx" ON "serverpod_email_failed_sign_in" ("time");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_email_reset" (
    "id" bigserial NOT NULL,
    "userId" bigint NOT NULL,
    "verificationCode" text NOT NULL,
    "expiration" timestamp NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_email_reset_verification_idx" ON "serverpod_email_reset" ("verificationCode");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_google_refresh_token" (
    "id" bigserial NOT NULL,
    "userId" bigint NOT NULL,
    "refreshToken" text NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_google_refresh_token_userId_idx" ON "serverpod_google_refresh_token" ("userId");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_user_image" (
    "id" bigserial NOT NULL,
    "userId" bigint NOT NULL,
    "version" bigint NOT NULL,
    "url" text NOT NULL,
    PRIMARY KEY ("id")
);
CREATE INDEX "serverpod_user_image_user_id" ON "serverpod_user_image" ("userId", "version");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_user_info" (
    "id" bigserial NOT NULL,
    "userIdentifier" text NOT NULL,
    "userName" text NULL,
    "fullName" text NULL,
    "email" text NULL,
    "created" timestamp NOT NULL,
    "imageUrl" text NULL,
    "scopeNames" json NOT NULL,
    "blocked" boolean NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_user_info_user_identifier" ON "serverpod_user_info" ("userIdentifier");
CREATE INDEX "serverpod_user_info_email" ON "serverpod_user_info" ("email");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_cloud_storage" (
    "id" bigserial NOT NULL,
    "storageId" text NOT NULL,
    "path" text NOT NULL,
    "addedTime" timestamp NOT NULL,
    "expiration" timestamp NULL,
    "byteData" bytea NOT NULL,
    "verified" boolean NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_cloud_storage_path_idx" ON "serverpod_cloud_storage" ("storageId", "path");
CREATE INDEX "serverpod_cloud_storage_expiration" ON "serverpod_cloud_storage" ("expiration");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_cloud_storage_direct_upload" (
    "id" bigserial NOT NULL,
    "storageId" text NOT NULL,
    "path" text NOT NULL,
    "expiration" timestamp NOT NULL,
    "authKey" text NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_cloud_storage_direct_upload_storage_path" ON "serverpod_cloud_storage_direct_upload" ("storageId", "path");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_email_auth" (
    "id" bigserial NOT NULL,
    "userId" bigint NOT NULL,
    "email" text NOT NULL,
    "hash" text NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_email_auth_email" ON "serverpod_email_auth" ("email");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_health_metric" (
    "id" bigserial NOT NULL,
    "name" text NOT NULL,
    "serverId" text NOT NULL,
    "timestamp" timestamp NOT NULL,
    "isHealthy" boolean NOT NULL,
    "value" double precision NOT NULL,
    "granularity" bigint NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_health_metric_timestamp_idx" ON "serverpod_health_metric" ("timestamp", "serverId", "name", "granularity");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_auth_key" (
    "id" bigserial NOT NULL,
    "userId" bigint NOT NULL,
    "hash" text NOT NULL,
    "scopeNames" json NOT NULL,
    "method" text NOT NULL,
    PRIMARY KEY ("id")
);
CREATE INDEX "serverpod_auth_key_userId_idx" ON "serverpod_auth_key" ("userId");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_session_log" (
    "id" bigserial NOT NULL,
    "serverId" text NOT NULL,
    "time" timestamp NOT NULL,
    "module" text NULL,
    "endpoint" text NULL,
    "method" text NULL,
    "duration" double precision NULL,
    "numQueries" bigint NULL,
    "slow" boolean NULL,
    "error" text NULL,
    "stackTrace" text NULL,
    "authenticatedUserId" bigint NULL,
    "isOpen" boolean NULL,
    "touched" timestamp NOT NULL,
    PRIMARY KEY ("id")
);
CREATE INDEX "serverpod_session_log_serverid_idx" ON "serverpod_session_log" ("serverId");
CREATE INDEX "serverpod_session_log_touched_idx" ON "serverpod_session_log" ("touched");
CREATE INDEX "serverpod_session_log_isopen_idx" ON "serverpod_session_log" ("isOpen");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_runtime_settings" (
    "id" bigserial NOT NULL,
    "logSettings" json NOT NULL,
    "logSettingsOverrides" json NOT NULL,
    "logServiceCalls" boolean NOT NULL,
    "logMalformedCalls" boolean NOT NULL,
    PRIMARY KEY ("id")
);

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_method" (
    "id" bigserial NOT NULL,
    "endpoint" text NOT NULL,
    "method" text NOT NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_method_endpoint_method_idx" ON "serverpod_method" ("endpoint", "method");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_migrations" (
    "id" bigserial NOT NULL,
    "module" text NOT NULL,
    "version" text NOT NULL,
    "timestamp" timestamp NULL,
    PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "serverpod_migrations_ids" ON "serverpod_migrations" ("module");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_readwrite_test" (
    "id" bigserial NOT NULL,
    "number" bigint NOT NULL,
    PRIMARY KEY ("id")
);

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_log" (
    "id" bigserial NOT NULL,
    "sessionLogId" bigint NOT NULL,
    "messageId" bigint NULL,
    "reference" text NULL,
    "serverId" text NOT NULL,
    "time" timestamp NOT NULL,
    "logLevel" bigint NOT NULL,
    "message" text NOT NULL,
    "error" text NULL,
    "stackTrace" text NULL,
    "order" bigint NOT NULL,
    PRIMARY KEY ("id"),
    CONSTRAINT "serverpod_log_fk_0" FOREIGN KEY ("sessionLogId") REFERENCES "serverpod_session_log" ("id") ON UPDATE NO ACTION ON DELETE CASCADE
);
CREATE INDEX "serverpod_log_sessionLogId_idx" ON "serverpod_log" ("sessionLogId");

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_message_log" (
    "id" bigserial NOT NULL,
    "sessionLogId" bigint NOT NULL,
    "serverId" text NOT NULL,
    "messageId" bigint NOT NULL,
    "endpoint" text NOT NULL,
    "messageName" text NOT NULL,
    "duration" double precision NOT NULL,
    "error" text NULL,
    "stackTrace" text NULL,
    "slow" boolean NOT NULL,
    "order" bigint NOT NULL,
    PRIMARY KEY ("id"),
    CONSTRAINT "serverpod_message_log_fk_0" FOREIGN KEY ("sessionLogId") REFERENCES "serverpod_session_log" ("id") ON UPDATE NO ACTION ON DELETE CASCADE
);

--
-- ACTION CREATE TABLE
--
CREATE TABLE "serverpod_query_log" (
    "id" bigserial NOT NULL,
    "serverId" text NOT NULL,
    "sessionLogId" bigint NOT NULL,
    "messageId" bigint NULL,
    "query" text NOT NULL,
    "duration" double precision NOT NULL,
    "numRows" bigint NULL,
    "error" text NULL,
    "stackTrace" text NULL,
    "slow" boolean NOT NULL,
    "order" bigint NOT NULL,
    PRIMARY KEY ("id"),
    CONSTRAINT "serverpod_query_log_fk_0" FOREIGN KEY ("sessionLogId") REFERENCES "serverpod_session_log" ("id") ON UPDATE NO ACTION ON DELETE CASCADE
);
CREATE INDEX "serverpod_query_log_sessionLogId_idx" ON "serverpod_query_log" ("sessionLogId");


--
-- MIGRATION VERSION FOR serverpod_auth
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod_auth', '20240520102713718', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240520102713718', "timestamp" = now();

--
-- MIGRATION VERSION FOR serverpod
--
INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ('serverpod', '20240516151843329', now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = '20240516151843329', "timestamp" = now();


COMMIT;
