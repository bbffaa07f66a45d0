-- Webhooks: endpoints admins register, the outbox of events written in the
-- transaction of the change that causes them, one delivery per endpoint
-- and event (sent in event order per endpoint, claimed by one node at a
-- time through the endpoint's lease), and every attempt of each.

CREATE TABLE webhook_endpoints (
    id               SERIAL PRIMARY KEY,
    url              TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    -- a JSON array of event types or patterns (`*`, `article.*`)
    events           TEXT NOT NULL DEFAULT '["*"]',
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    -- why the server disabled it (410 Gone, failing for days), for the admin
    disabled_reason  TEXT NOT NULL DEFAULT '',
    -- whsec_… (Standard Webhooks); the previous one signs too until it expires
    secret           TEXT NOT NULL,
    previous_secret  TEXT,
    previous_until   TIMESTAMP,
    -- since when every attempt failed (null: the last one succeeded)
    failing_since    TIMESTAMP,
    -- the node sending its deliveries, until when
    lease_until      TIMESTAMP,
    leased_by        TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    created_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- The outbox: an event's body is fixed when it is written, so every
-- attempt sends the same bytes.
CREATE TABLE webhook_events (
    id          BIGSERIAL PRIMARY KEY,
    event_type  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               BIGSERIAL PRIMARY KEY,
    endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         BIGINT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    -- pending, succeeded, failed
    status           TEXT NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    last_status      INTEGER,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP
);
-- An endpoint's queue, oldest first; the log by status.
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (endpoint_id, status, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
    id                BIGSERIAL PRIMARY KEY,
    delivery_id       BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at      TIMESTAMP NOT NULL,
    -- a JSON object of the headers sent
    request_headers   TEXT NOT NULL,
    response_status   INTEGER,
    -- the start of the response body, bounded
    response_excerpt  TEXT NOT NULL DEFAULT '',
    duration_ms       INTEGER NOT NULL,
    error             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Whether subscribers were told the article is public: moved by the one
-- write (or the one node) that tells them, so "published" is sent once.
ALTER TABLE articles ADD COLUMN announced BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE articles SET announced = TRUE
WHERE status = 'published' AND published_at <= (CURRENT_TIMESTAMP AT TIME ZONE 'UTC');
CREATE INDEX articles_unannounced ON articles (published_at) WHERE announced = FALSE AND status = 'published';

-- Front-end paths of articles and tags (feeds, sitemap, webhook URLs, redirects).
ALTER TABLE site ADD COLUMN article_path TEXT NOT NULL DEFAULT '/articles/{slug}';
ALTER TABLE site ADD COLUMN tag_path TEXT NOT NULL DEFAULT '';
