-- Sessions: one per login. Every access and refresh token names its session,
-- so ending one (logout) or all of a user's (a password, role or status
-- change) stops its tokens at once.
CREATE TABLE sessions (
    -- The refresh-token family of the login.
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- The logins of before: a family is revoked when all of its tokens are.
INSERT INTO sessions (id, user_id, created_at, revoked_at)
SELECT family, MIN(user_id), MIN(created_at),
       CASE WHEN COUNT(revoked_at) = COUNT(*) THEN MAX(revoked_at) END
FROM refresh_tokens
GROUP BY family;

-- What the server derived from content with code that has since changed,
-- and must derive again (e.g. `render_version`: bodies are rendered anew at
-- start when the renderer's version moves on).
CREATE TABLE app_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
INSERT INTO app_meta (key, value) VALUES ('render_version', '1');

-- JSON-LD is now written with <, > and & escaped: stored documents are
-- rendered again at their next read.
DELETE FROM article_documents;
