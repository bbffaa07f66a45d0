-- Rebuilds `articles` with the small columns first and the rendered bodies
-- last. SQLite stores a row's columns in order and a 35 kB body spills into
-- overflow pages, so every column after it (status, published_at, ...) cost
-- a walk down the overflow chain: 9 page reads to check whether an article
-- is public. This is SQLite's documented table rebuild: foreign keys off so
-- dropping the old table cascades to nothing, all of it in one transaction.
-- Rows are copied verbatim, so every reference to them still holds.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE articles_rebuilt (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    slug                 TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    published_at         TIMESTAMP,
    title                TEXT NOT NULL,
    author_id            INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reading_time_minutes INTEGER NOT NULL DEFAULT 1,
    version              INTEGER NOT NULL DEFAULT 1,
    created_by           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_by           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    excerpt              TEXT NOT NULL DEFAULT '',
    seo_title            TEXT,
    seo_description      TEXT,
    canonical_url        TEXT,
    -- Rendered once on write: sanitized HTML, typed blocks (JSON) and plain text.
    body_markdown        TEXT NOT NULL DEFAULT '',
    body_html            TEXT NOT NULL DEFAULT '',
    body_blocks          TEXT NOT NULL DEFAULT '[]',
    body_text            TEXT NOT NULL DEFAULT ''
);

INSERT INTO articles_rebuilt (
    id, slug, status, published_at, title, author_id, reading_time_minutes, version,
    created_by, updated_by, created_at, updated_at, excerpt, seo_title, seo_description,
    canonical_url, body_markdown, body_html, body_blocks, body_text
)
SELECT
    id, slug, status, published_at, title, author_id, reading_time_minutes, version,
    created_by, updated_by, created_at, updated_at, excerpt, seo_title, seo_description,
    canonical_url, body_markdown, body_html, body_blocks, body_text
FROM articles ORDER BY id;

-- Keep AUTOINCREMENT's high-water mark: ids of deleted articles are never reused.
DELETE FROM sqlite_sequence WHERE name = 'articles_rebuilt';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'articles_rebuilt', seq FROM sqlite_sequence WHERE name = 'articles';

DROP TABLE articles;
ALTER TABLE articles_rebuilt RENAME TO articles;

CREATE UNIQUE INDEX articles_slug_key ON articles (slug);
CREATE INDEX articles_status_published_at_idx ON articles (status, published_at, id);
CREATE INDEX articles_status_title_idx ON articles (status, title, id);
CREATE INDEX articles_author_id_idx ON articles (author_id);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, excerpt, body)
    VALUES (new.id, new.title, new.excerpt, new.body_text);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, excerpt, body_text ON articles BEGIN
    UPDATE articles_fts SET title = new.title, excerpt = new.excerpt, body = new.body_text
    WHERE rowid = old.id;
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.id;
END;

COMMIT;
PRAGMA foreign_keys = ON;
