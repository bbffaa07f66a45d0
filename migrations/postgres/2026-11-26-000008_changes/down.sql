CREATE TABLE content_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO content_version (id, version) SELECT 1, COALESCE(MAX(id), 0) FROM changes;
DROP TABLE changes;
DELETE FROM article_documents;
-- Forgets the documents of the given articles and of the articles relating to them.
CREATE FUNCTION forget_article_documents(ids INTEGER[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM article_documents WHERE article_id = ANY (ids)
        OR article_id IN (SELECT article_id FROM article_related WHERE related_id = ANY (ids));
$$;

-- One trigger function for every table a document shows; BEFORE, so a row's
-- links are still there to say which documents showed it.
CREATE FUNCTION article_documents_source_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'articles' THEN
        PERFORM forget_article_documents(ARRAY[OLD.id]);
    WHEN 'tags' THEN
        PERFORM forget_article_documents(ARRAY(SELECT article_id FROM article_tags WHERE tag_id = OLD.id));
    WHEN 'massage_types' THEN
        PERFORM forget_article_documents(ARRAY(
            SELECT article_id FROM article_massage_types WHERE massage_type_id = OLD.id));
    WHEN 'treatments' THEN
        PERFORM forget_article_documents(ARRAY(
            SELECT article_id FROM article_treatments WHERE treatment_id = OLD.id));
    WHEN 'users' THEN
        PERFORM forget_article_documents(ARRAY(SELECT id FROM articles WHERE author_id = OLD.id));
    WHEN 'site' THEN
        DELETE FROM article_documents;
    ELSE -- article_tags, article_massage_types, article_treatments, article_related, faqs
        IF TG_OP <> 'INSERT' THEN
            PERFORM forget_article_documents(ARRAY[OLD.article_id]);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM forget_article_documents(ARRAY[NEW.article_id]);
        END IF;
    END CASE;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER article_documents_articles BEFORE UPDATE OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_tags BEFORE UPDATE OF slug, name OR DELETE ON tags
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_massage_types BEFORE UPDATE OR DELETE ON massage_types
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_treatments BEFORE UPDATE OR DELETE ON treatments
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_users BEFORE UPDATE OF name OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_site BEFORE UPDATE ON site
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_article_tags BEFORE INSERT OR UPDATE OR DELETE ON article_tags
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_article_massage_types BEFORE INSERT OR UPDATE OR DELETE ON article_massage_types
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_article_treatments BEFORE INSERT OR UPDATE OR DELETE ON article_treatments
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_article_related BEFORE INSERT OR UPDATE OR DELETE ON article_related
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
CREATE TRIGGER article_documents_faqs BEFORE INSERT OR UPDATE OR DELETE ON faqs
    FOR EACH ROW EXECUTE FUNCTION article_documents_source_changed();
