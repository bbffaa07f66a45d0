-- Health content people can trust: author profiles (apart from login
-- accounts), the people an article credits, its references, its medical
-- review (workflow state, steps and dates) and preview tokens.

-- A person an article can credit as author or medical reviewer; a guest
-- author or an outside reviewer needs no account, an account may be linked
-- to one profile.
CREATE TABLE people (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    slug         TEXT NOT NULL,
    name         TEXT NOT NULL,
    -- e.g. "LMT", "DC", "MD"
    credentials  TEXT NOT NULL DEFAULT '',
    job_title    TEXT NOT NULL DEFAULT '',
    bio_markdown TEXT NOT NULL DEFAULT '',
    bio_html     TEXT NOT NULL DEFAULT '',
    bio_blocks   TEXT NOT NULL DEFAULT '[]',
    avatar_id    INTEGER REFERENCES media (id),
    -- a JSON array of http(s) URLs (licence registry, professional profile)
    same_as      TEXT NOT NULL DEFAULT '[]',
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX people_slug_key ON people (slug);
-- An account is linked to at most one profile.
CREATE UNIQUE INDEX people_user_id_key ON people (user_id);
CREATE INDEX people_name ON people (name, id);

-- An article's authors, in order.
CREATE TABLE article_people (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, person_id)
);
CREATE INDEX article_people_person ON article_people (person_id);

-- The sources backing an article, in order.
CREATE TABLE article_references (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    title      TEXT NOT NULL,
    url        TEXT NOT NULL,
    publisher  TEXT NOT NULL DEFAULT '',
    published  DATE,
    doi        TEXT,
    pmid       TEXT,
    PRIMARY KEY (article_id, position)
);

-- The review workflow: none, in_review, changes_requested, approved (of
-- `approved_version`); the last change request's note; the medical review
-- shown to readers.
ALTER TABLE articles ADD COLUMN review_state TEXT NOT NULL DEFAULT 'none';
ALTER TABLE articles ADD COLUMN approved_version INTEGER;
ALTER TABLE articles ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN reviewed_by INTEGER REFERENCES people (id);
ALTER TABLE articles ADD COLUMN last_reviewed DATE;
ALTER TABLE articles ADD COLUMN next_review_due DATE;
CREATE INDEX articles_review_due ON articles (next_review_due);
CREATE INDEX articles_review_state ON articles (review_state, updated_at);

-- Every step of every review: submitted, approved, changes_requested,
-- reopened (an edit after approval), with the article version it was about.
CREATE TABLE review_steps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    step        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reviewer_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX review_steps_article ON review_steps (article_id, id);

-- Preview tokens: the token itself is signed and never stored; this row
-- lets editors list and revoke it.
CREATE TABLE preview_tokens (
    id          TEXT PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version     INTEGER,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
CREATE INDEX preview_tokens_article ON preview_tokens (article_id, created_at);

ALTER TABLE site ADD COLUMN disclaimer_markdown TEXT NOT NULL DEFAULT '';
ALTER TABLE site ADD COLUMN disclaimer_html TEXT NOT NULL DEFAULT '';
ALTER TABLE site ADD COLUMN review_interval_months INTEGER NOT NULL DEFAULT 12;
ALTER TABLE site ADD COLUMN require_review BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE site ADD COLUMN preview_url TEXT NOT NULL DEFAULT '';
