//! Black-box tests: the real app on a fresh SQLite file per test, over HTTP.

mod helpers;

mod articles;
mod caching;
mod collections;
mod errors;
mod openapi;
mod ops;
mod sample_content;
mod sanitizing;
mod search;
mod visibility;
