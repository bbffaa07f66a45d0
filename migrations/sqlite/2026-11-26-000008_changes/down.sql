CREATE TABLE content_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO content_version (id, version) SELECT 1, COALESCE(MAX(id), 0) FROM changes;
DROP TABLE changes;
DELETE FROM article_documents;
-- The articles whose documents show article X: X itself and those relating to it.
CREATE TRIGGER article_documents_article_update AFTER UPDATE ON articles BEGIN
    DELETE FROM article_documents WHERE article_id = old.id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.id);
END;
CREATE TRIGGER article_documents_article_delete BEFORE DELETE ON articles BEGIN
    DELETE FROM article_documents
    WHERE article_id IN (SELECT article_id FROM article_related WHERE related_id = old.id);
END;
CREATE TRIGGER article_documents_article_tags_insert AFTER INSERT ON article_tags BEGIN
    DELETE FROM article_documents WHERE article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_article_tags_delete AFTER DELETE ON article_tags BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id);
END;
CREATE TRIGGER article_documents_article_tags_update AFTER UPDATE ON article_tags BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id) OR article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_article_massage_types_insert AFTER INSERT ON article_massage_types BEGIN
    DELETE FROM article_documents WHERE article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_article_massage_types_delete AFTER DELETE ON article_massage_types BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id);
END;
CREATE TRIGGER article_documents_article_massage_types_update AFTER UPDATE ON article_massage_types BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id) OR article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_article_treatments_insert AFTER INSERT ON article_treatments BEGIN
    DELETE FROM article_documents WHERE article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_article_treatments_delete AFTER DELETE ON article_treatments BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id);
END;
CREATE TRIGGER article_documents_article_treatments_update AFTER UPDATE ON article_treatments BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id) OR article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_article_related_insert AFTER INSERT ON article_related BEGIN
    DELETE FROM article_documents WHERE article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_article_related_delete AFTER DELETE ON article_related BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id);
END;
CREATE TRIGGER article_documents_article_related_update AFTER UPDATE ON article_related BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id) OR article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_faqs_insert AFTER INSERT ON faqs BEGIN
    DELETE FROM article_documents WHERE article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_faqs_delete AFTER DELETE ON faqs BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id);
END;
CREATE TRIGGER article_documents_faqs_update AFTER UPDATE ON faqs BEGIN
    DELETE FROM article_documents WHERE article_id = old.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = old.article_id) OR article_id = new.article_id
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = new.article_id);
END;
CREATE TRIGGER article_documents_tags_update BEFORE UPDATE OF slug, name ON tags BEGIN
    DELETE FROM article_documents
    WHERE article_id IN (SELECT article_id FROM article_tags WHERE tag_id = old.id)
        OR article_id IN (SELECT r.article_id FROM article_related r
                          JOIN article_tags l ON l.article_id = r.related_id WHERE l.tag_id = old.id);
END;
CREATE TRIGGER article_documents_tags_delete BEFORE DELETE ON tags BEGIN
    DELETE FROM article_documents
    WHERE article_id IN (SELECT article_id FROM article_tags WHERE tag_id = old.id)
        OR article_id IN (SELECT r.article_id FROM article_related r
                          JOIN article_tags l ON l.article_id = r.related_id WHERE l.tag_id = old.id);
END;
CREATE TRIGGER article_documents_massage_types_update BEFORE UPDATE ON massage_types BEGIN
    DELETE FROM article_documents
    WHERE article_id IN (SELECT article_id FROM article_massage_types WHERE massage_type_id = old.id)
        OR article_id IN (SELECT r.article_id FROM article_related r
                          JOIN article_massage_types l ON l.article_id = r.related_id WHERE l.massage_type_id = old.id);
END;
CREATE TRIGGER article_documents_massage_types_delete BEFORE DELETE ON massage_types BEGIN
    DELETE FROM article_documents
    WHERE article_id IN (SELECT article_id FROM article_massage_types WHERE massage_type_id = old.id)
        OR article_id IN (SELECT r.article_id FROM article_related r
                          JOIN article_massage_types l ON l.article_id = r.related_id WHERE l.massage_type_id = old.id);
END;
CREATE TRIGGER article_documents_treatments_update BEFORE UPDATE ON treatments BEGIN
    DELETE FROM article_documents
    WHERE article_id IN (SELECT article_id FROM article_treatments WHERE treatment_id = old.id)
        OR article_id IN (SELECT r.article_id FROM article_related r
                          JOIN article_treatments l ON l.article_id = r.related_id WHERE l.treatment_id = old.id);
END;
CREATE TRIGGER article_documents_treatments_delete BEFORE DELETE ON treatments BEGIN
    DELETE FROM article_documents
    WHERE article_id IN (SELECT article_id FROM article_treatments WHERE treatment_id = old.id)
        OR article_id IN (SELECT r.article_id FROM article_related r
                          JOIN article_treatments l ON l.article_id = r.related_id WHERE l.treatment_id = old.id);
END;
CREATE TRIGGER article_documents_users_update BEFORE UPDATE OF name ON users BEGIN
    DELETE FROM article_documents
    WHERE article_id IN (SELECT id FROM articles WHERE author_id = old.id)
        OR article_id IN (SELECT r.article_id FROM article_related r
                          JOIN articles a ON a.id = r.related_id WHERE a.author_id = old.id);
END;
CREATE TRIGGER article_documents_users_delete BEFORE DELETE ON users BEGIN
    DELETE FROM article_documents
    WHERE article_id IN (SELECT id FROM articles WHERE author_id = old.id)
        OR article_id IN (SELECT r.article_id FROM article_related r
                          JOIN articles a ON a.id = r.related_id WHERE a.author_id = old.id);
END;
CREATE TRIGGER article_documents_site_update AFTER UPDATE ON site BEGIN
    DELETE FROM article_documents;
END;
