-- PostgreSQL twin of migrations/sqlite/2026-11-24-000002_editors.
-- Editors: refresh tokens, article revisions, the activity log, and who wrote what.

CREATE TABLE refresh_tokens (
    id          SERIAL PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Every rotation of one login shares a family; reuse of a spent token revokes it whole.
    family      TEXT NOT NULL,
    -- SHA-256 of the token; the token itself is never stored.
    token_hash  TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    revoked_at  TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

CREATE TABLE article_revisions (
    id         SERIAL PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    -- The editable state of the article at that version, as JSON.
    snapshot   TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX article_revisions_article_id_version_key ON article_revisions (article_id, version);

CREATE TABLE activity (
    id         SERIAL PRIMARY KEY,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    item_type  TEXT NOT NULL,
    item_id    INTEGER NOT NULL,
    item_label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX activity_created_at_idx ON activity (created_at, id);

ALTER TABLE massage_types ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE massage_types ADD COLUMN updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE treatments ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE treatments ADD COLUMN updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE faqs ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE faqs ADD COLUMN updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE tags ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE tags ADD COLUMN updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE site ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
