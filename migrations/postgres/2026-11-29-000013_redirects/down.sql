DROP TABLE redirects;
DROP TABLE slug_history;
