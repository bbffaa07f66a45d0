-- (SQLite drops a column only when nothing else names it: the foreign-key
-- column reviewed_by needs the articles table rebuilt there, as the media
-- migration's cover_id does; down migrations are not run by the app.)
ALTER TABLE site DROP COLUMN preview_url;
ALTER TABLE site DROP COLUMN require_review;
ALTER TABLE site DROP COLUMN review_interval_months;
ALTER TABLE site DROP COLUMN disclaimer_html;
ALTER TABLE site DROP COLUMN disclaimer_markdown;
DROP TABLE preview_tokens;
DROP TABLE review_steps;
DROP INDEX articles_review_state;
DROP INDEX articles_review_due;
ALTER TABLE articles DROP COLUMN next_review_due;
ALTER TABLE articles DROP COLUMN last_reviewed;
ALTER TABLE articles DROP COLUMN reviewed_by;
ALTER TABLE articles DROP COLUMN review_note;
ALTER TABLE articles DROP COLUMN approved_version;
ALTER TABLE articles DROP COLUMN review_state;
DROP TABLE article_references;
DROP TABLE article_people;
DROP TABLE people;
