ALTER TABLE users DROP COLUMN avatar_id;
ALTER TABLE treatments DROP COLUMN image_id;
ALTER TABLE massage_types DROP COLUMN image_id;
ALTER TABLE articles DROP COLUMN cover_id;
DROP TABLE article_media;
DROP TABLE media;
