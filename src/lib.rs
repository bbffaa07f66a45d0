//! clinic-cms: a headless CMS serving a clinic's editorial content as a JSON API.

pub mod app;
pub mod auth;
pub mod backup;
pub mod cache;
pub mod cli;
pub mod client_ip;
pub mod conditional;
pub mod config;
pub mod constant;
pub mod content;
pub mod db;
pub mod error;
pub mod feeds;
pub mod json_ld;
pub mod media;
pub mod middleware;
pub mod openapi;
pub mod openapi_contract;
pub mod rate_limit;
pub mod render;
pub mod routes;
pub mod sample;
pub mod server;
pub mod synthetic;
pub mod webhooks;
pub mod workers;
