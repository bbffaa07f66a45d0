DROP TABLE articles_fts_terms;
