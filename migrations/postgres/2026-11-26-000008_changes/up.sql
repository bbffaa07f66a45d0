-- One change signal. Every content write records what changed in `changes`,
-- in its own transaction: the response caches of every node, the stored
-- article documents and the list facts follow this stream (and webhooks
-- will). Auth, session and activity writes do not touch it. It replaces the
-- content version counter and the triggers that kept article_documents in
-- step: which documents show an item is now said once, in
-- src/content/change.rs, next to the code that assembles the document.
CREATE TABLE changes (
    id        BIGSERIAL PRIMARY KEY,
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
DROP TRIGGER article_documents_articles ON articles;
DROP TRIGGER article_documents_tags ON tags;
DROP TRIGGER article_documents_massage_types ON massage_types;
DROP TRIGGER article_documents_treatments ON treatments;
DROP TRIGGER article_documents_users ON users;
DROP TRIGGER article_documents_site ON site;
DROP TRIGGER article_documents_article_tags ON article_tags;
DROP TRIGGER article_documents_article_massage_types ON article_massage_types;
DROP TRIGGER article_documents_article_treatments ON article_treatments;
DROP TRIGGER article_documents_article_related ON article_related;
DROP TRIGGER article_documents_faqs ON faqs;
DROP FUNCTION article_documents_source_changed();
DROP FUNCTION forget_article_documents(INTEGER[]);
DELETE FROM article_documents;
