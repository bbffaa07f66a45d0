//! Black-box tests: the real app on a fresh SQLite file per test, over HTTP.

mod helpers;

mod admin_articles;
mod admin_collections;
mod article_edits;
mod articles;
mod auth;
mod backup;
mod cache;
mod cache_writes;
mod caching;
mod collections;
mod documents;
mod errors;
mod feeds;
mod images;
mod layout;
mod login_limits;
mod media;
mod media_in_content;
mod openapi;
mod ops;
mod permissions;
mod preview;
mod receiver;
mod redirects;
mod requests;
mod review;
mod sample_content;
mod sanitizing;
mod schema;
mod search;
mod sessions;
mod visibility;
mod webhooks;
