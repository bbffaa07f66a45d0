-- The reviewer role. SQLite cannot change a CHECK constraint in place: the
-- users table is made again, as SQLite's documentation prescribes (foreign
-- keys off outside the transaction, so dropping the old table neither
-- fires ON DELETE actions nor breaks the tables referencing it, which
-- name the new one once it is renamed), and checked before the commit.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('author', 'reviewer', 'editor', 'admin')),
    -- An Argon2id PHC string; NULL means the account cannot log in (e.g. a byline only).
    password_hash TEXT,
    disabled      BOOLEAN NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    -- No foreign key (see the media migration).
    avatar_id     INTEGER
);
INSERT INTO users_new (id, email, name, role, password_hash, disabled, version, created_at, updated_at, avatar_id)
    SELECT id, email, name, role, password_hash, disabled, version, created_at, updated_at, avatar_id FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
-- Emails are stored lowercased, so this index makes them unique case-insensitively.
CREATE UNIQUE INDEX users_email_key ON users (email);
COMMIT;
PRAGMA foreign_keys = ON;
