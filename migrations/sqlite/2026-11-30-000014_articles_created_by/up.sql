-- "My articles" (the studio's home and `mine=true`) filter on the creator and
-- sort by last change; the index also keeps `ON DELETE SET NULL` from
-- scanning every article when a user is deleted.
CREATE INDEX articles_created_by_updated_at ON articles (created_by, updated_at, id);
