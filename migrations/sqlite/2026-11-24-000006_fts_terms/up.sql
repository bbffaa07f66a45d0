-- The full-text index's vocabulary, read to expand a searched prefix into
-- the terms it starts (see backend::prefix_terms). No data of its own: a
-- view of articles_fts. PostgreSQL needs none (its GIN index serves
-- prefixes directly).
CREATE VIRTUAL TABLE articles_fts_terms USING fts5vocab(articles_fts, 'row');
