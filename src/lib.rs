//! clinic-cms: a headless CMS serving a clinic's editorial content as a JSON API.

pub mod app;
pub mod cli;
pub mod config;
pub mod content;
pub mod db;
pub mod error;
pub mod openapi;
pub mod render;
pub mod routes;
pub mod sample;
