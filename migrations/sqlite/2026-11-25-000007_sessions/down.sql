DROP TABLE app_meta;
DROP TABLE sessions;
