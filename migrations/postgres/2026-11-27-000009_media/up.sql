-- The media library. An item is one uploaded image, stored once per content
-- hash (of the uploaded bytes); its stripped original and its variants live
-- in the media store under `{hash}/`, never in the database. A row is
-- written only after every object it points to is stored, so a crash
-- during an upload leaves at most unreferenced objects, never a row that
-- points at nothing.
CREATE TABLE media (
    id          SERIAL PRIMARY KEY,
    hash        TEXT NOT NULL,
    -- jpeg, png, gif, webp: decided by the bytes
    format      TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    -- the stored (stripped) original's size
    bytes       BIGINT NOT NULL,
    animated    BOOLEAN NOT NULL DEFAULT FALSE,
    filename    TEXT NOT NULL,
    alt         TEXT NOT NULL DEFAULT '',
    decorative  BOOLEAN NOT NULL DEFAULT FALSE,
    caption     TEXT NOT NULL DEFAULT '',
    credit      TEXT NOT NULL DEFAULT '',
    focal_x     DOUBLE PRECISION NOT NULL DEFAULT 0.5,
    focal_y     DOUBLE PRECISION NOT NULL DEFAULT 0.5,
    -- served to anyone even when no published content uses it
    public      BOOLEAN NOT NULL DEFAULT FALSE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX media_hash_key ON media (hash);
CREATE INDEX media_created ON media (created_at, id);

-- Every image an article shows (its cover and the images of its body),
-- written whenever its body is rendered: which media published content
-- uses, and which articles a change to an image must render again.
CREATE TABLE article_media (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    media_id   INTEGER NOT NULL REFERENCES media (id),
    PRIMARY KEY (article_id, media_id)
);
CREATE INDEX article_media_media ON article_media (media_id);

ALTER TABLE articles ADD COLUMN cover_id INTEGER REFERENCES media (id);
ALTER TABLE massage_types ADD COLUMN image_id INTEGER REFERENCES media (id);
ALTER TABLE treatments ADD COLUMN image_id INTEGER REFERENCES media (id);
-- No foreign key here: media rows name their uploader, so users and media
-- would reference each other (a backup could not insert either first); the
-- app refuses to delete an image in use as an avatar.
ALTER TABLE users ADD COLUMN avatar_id INTEGER;
