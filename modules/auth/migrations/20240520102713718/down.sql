-- Undoes the migration. It restores the schema, not the data of
-- dropped tables or columns.
BEGIN;

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_query_log_sessionLogId_idx";
DROP TABLE "serverpod_query_log";

--
-- UNDO CREATE TABLE
--
DROP TABLE "serverpod_message_log";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_log_sessionLogId_idx";
DROP TABLE "serverpod_log";

--
-- UNDO CREATE TABLE
--
DROP TABLE "serverpod_readwrite_test";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_migrations_ids";
DROP TABLE "serverpod_migrations";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_method_endpoint_method_idx";
DROP TABLE "serverpod_method";

--
-- UNDO CREATE TABLE
--
DROP TABLE "serverpod_runtime_settings";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_session_log_isopen_idx";
DROP INDEX "serverpod_session_log_touched_idx";
DROP INDEX "serverpod_session_log_serverid_idx";
DROP TABLE "serverpod_session_log";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_auth_key_userId_idx";
DROP TABLE "serverpod_auth_key";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_health_metric_timestamp_idx";
DROP TABLE "serverpod_health_metric";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_email_auth_email";
DROP TABLE "serverpod_email_auth";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_cloud_storage_direct_upload_storage_path";
DROP TABLE "serverpod_cloud_storage_direct_upload";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_cloud_storage_expiration";
DROP INDEX "serverpod_cloud_storage_path_idx";
DROP TABLE "serverpod_cloud_storage";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_user_info_email";
DROP INDEX "serverpod_user_info_user_identifier";
DROP TABLE "serverpod_user_info";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_user_image_user_id";
DROP TABLE "serverpod_user_image";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_google_refresh_token_userId_idx";
DROP TABLE "serverpod_google_refresh_token";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_email_reset_verification_idx";
DROP TABLE "serverpod_email_reset";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_email_failed_sign_in_time_idx";
DROP INDEX "serverpod_email_failed_sign_in_email_idx";
DROP TABLE "serverpod_email_failed_sign_in";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_email_auth_create_account_request_idx";
DROP TABLE "serverpod_email_create_request";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_health_connection_info_timestamp_idx";
DROP TABLE "serverpod_health_connection_info";

--
-- UNDO CREATE TABLE
--
DROP INDEX "serverpod_future_call_identifier_idx";
DROP INDEX "serverpod_future_call_serverId_idx";
DROP INDEX "serverpod_future_call_time_idx";
DROP TABLE "serverpod_future_call";


COMMIT;
