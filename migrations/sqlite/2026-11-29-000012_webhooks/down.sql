DROP INDEX articles_unannounced;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhook_endpoints;
ALTER TABLE articles DROP COLUMN announced;
ALTER TABLE site DROP COLUMN article_path;
ALTER TABLE site DROP COLUMN tag_path;
