-- Old slugs of articles that were public under them: the API answers 301
-- to the article's slug now (so chains collapse), front ends list them.
CREATE TABLE slug_history (
    slug        TEXT PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX slug_history_article ON slug_history (article_id);

-- Redirects editors add for the front end's redirect map.
CREATE TABLE redirects (
    id           SERIAL PRIMARY KEY,
    from_path    TEXT NOT NULL,
    to_path      TEXT NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 301,
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX redirects_from_key ON redirects (from_path);
