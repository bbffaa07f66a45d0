-- One counter every write transaction increments: each node polls it to
-- invalidate its response cache when another node (or an import) wrote.
CREATE TABLE content_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 0);
