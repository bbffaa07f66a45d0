-- One change signal. Every content write records what changed in `changes`,
-- in its own transaction: the response caches of every node, the stored
-- article documents and the list facts follow this stream (and webhooks
-- will). Auth, session and activity writes do not touch it. It replaces the
-- content version counter and the triggers that kept article_documents in
-- step: which documents show an item is now said once, in
-- src/content/change.rs, next to the code that assembles the document.
CREATE TABLE changes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    -- article, tag, massage_type, treatment, faq, site, author, everything
    kind      TEXT NOT NULL,
    item_id   INTEGER,
    -- created, updated, deleted, published, scheduled, unpublished, restored, imported, rendered
    action    TEXT NOT NULL,
    at        TIMESTAMP NOT NULL
);
INSERT INTO changes (kind, item_id, action, at)
SELECT 'everything', NULL, 'migrated', CURRENT_TIMESTAMP;
DROP TABLE content_version;
DROP TRIGGER article_documents_article_update;
DROP TRIGGER article_documents_article_delete;
DROP TRIGGER article_documents_article_tags_insert;
DROP TRIGGER article_documents_article_tags_delete;
DROP TRIGGER article_documents_article_tags_update;
DROP TRIGGER article_documents_article_massage_types_insert;
DROP TRIGGER article_documents_article_massage_types_delete;
DROP TRIGGER article_documents_article_massage_types_update;
DROP TRIGGER article_documents_article_treatments_insert;
DROP TRIGGER article_documents_article_treatments_delete;
DROP TRIGGER article_documents_article_treatments_update;
DROP TRIGGER article_documents_article_related_insert;
DROP TRIGGER article_documents_article_related_delete;
DROP TRIGGER article_documents_article_related_update;
DROP TRIGGER article_documents_faqs_insert;
DROP TRIGGER article_documents_faqs_delete;
DROP TRIGGER article_documents_faqs_update;
DROP TRIGGER article_documents_tags_update;
DROP TRIGGER article_documents_tags_delete;
DROP TRIGGER article_documents_massage_types_update;
DROP TRIGGER article_documents_massage_types_delete;
DROP TRIGGER article_documents_treatments_update;
DROP TRIGGER article_documents_treatments_delete;
DROP TRIGGER article_documents_users_update;
DROP TRIGGER article_documents_users_delete;
DROP TRIGGER article_documents_site_update;
DELETE FROM article_documents;
