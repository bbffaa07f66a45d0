-- PostgreSQL twin of migrations/sqlite/2026-11-24-000001_content (tests compare the two).
-- The whole content model: the site, users (authors and editors), articles with
-- their ordered relations, the reusable collections, and the full-text index.

CREATE TABLE site (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT NOT NULL,
    location    TEXT NOT NULL,
    description TEXT NOT NULL,
    base_url    TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id            SERIAL PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('author', 'editor', 'admin')),
    -- An Argon2id PHC string; NULL means the account cannot log in (e.g. a byline only).
    password_hash TEXT,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
-- Emails are stored lowercased, so this index makes them unique case-insensitively.
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE articles (
    id                   SERIAL PRIMARY KEY,
    slug                 TEXT NOT NULL,
    title                TEXT NOT NULL,
    excerpt              TEXT NOT NULL DEFAULT '',
    body_markdown        TEXT NOT NULL DEFAULT '',
    -- Rendered once on write: sanitized HTML, typed blocks (JSON) and plain text.
    body_html            TEXT NOT NULL DEFAULT '',
    body_blocks          TEXT NOT NULL DEFAULT '[]',
    body_text            TEXT NOT NULL DEFAULT '',
    reading_time_minutes INTEGER NOT NULL DEFAULT 1,
    -- 'scheduled' is not stored: it is 'published' with published_at in the future.
    status               TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    published_at         TIMESTAMP,
    author_id            INTEGER REFERENCES users (id) ON DELETE SET NULL,
    seo_title            TEXT,
    seo_description      TEXT,
    canonical_url        TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    created_by           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_by           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX articles_slug_key ON articles (slug);
-- The public list: published, newest first; and its title sort.
CREATE INDEX articles_status_published_at_idx ON articles (status, published_at, id);
CREATE INDEX articles_status_title_idx ON articles (status, title, id);
CREATE INDEX articles_author_id_idx ON articles (author_id);

CREATE TABLE tags (
    id         SERIAL PRIMARY KEY,
    slug       TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tags_slug_key ON tags (slug);

CREATE TABLE massage_types (
    id          SERIAL PRIMARY KEY,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    best_for    TEXT NOT NULL DEFAULT '',
    benefits    TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX massage_types_slug_key ON massage_types (slug);
CREATE INDEX massage_types_position_idx ON massage_types (position, id);

CREATE TABLE treatments (
    id          SERIAL PRIMARY KEY,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    benefits    TEXT NOT NULL DEFAULT '',
    limitations TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX treatments_slug_key ON treatments (slug);
CREATE INDEX treatments_position_idx ON treatments (position, id);

CREATE TABLE faqs (
    id              SERIAL PRIMARY KEY,
    -- Deleting an article keeps its FAQs (detached), so no editor's text is lost.
    article_id      INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    question        TEXT NOT NULL,
    answer_markdown TEXT NOT NULL,
    answer_html     TEXT NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX faqs_article_id_position_idx ON faqs (article_id, position, id);
CREATE INDEX faqs_position_idx ON faqs (position, id);

-- Ordered links from an article to what it presents.
CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag_id_idx ON article_tags (tag_id, article_id);

CREATE TABLE article_massage_types (
    article_id      INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    massage_type_id INTEGER NOT NULL REFERENCES massage_types (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    PRIMARY KEY (article_id, massage_type_id)
);
CREATE INDEX article_massage_types_massage_type_id_idx ON article_massage_types (massage_type_id);

CREATE TABLE article_treatments (
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    treatment_id INTEGER NOT NULL REFERENCES treatments (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    PRIMARY KEY (article_id, treatment_id)
);
CREATE INDEX article_treatments_treatment_id_idx ON article_treatments (treatment_id);

CREATE TABLE article_related (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    related_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, related_id),
    CHECK (article_id <> related_id)
);
CREATE INDEX article_related_related_id_idx ON article_related (related_id);

-- Full-text search over title, excerpt and the body's plain text: a generated
-- tsvector (title weighted above excerpt above body) and its GIN index; the
-- database keeps it in sync, so no write path can forget it.
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') ||
    setweight(to_tsvector('simple', excerpt), 'B') ||
    setweight(to_tsvector('simple', body_text), 'C')
) STORED;
CREATE INDEX articles_search_idx ON articles USING GIN (search);
