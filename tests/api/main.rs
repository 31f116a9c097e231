//! The API test suite: one binary, each test against its own server on a random port and
//! its own database (SQLite by default; PostgreSQL when `TEST_DATABASE_URL` names one).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)] // shared by test files; not every helper is used by every capability yet
mod helpers;

mod access_matrix;
mod alignment;
mod audit;
mod change_feed;
mod client_credentials;
mod concurrency;
mod cross_tenant;
mod demo;
mod faults;
mod health;
mod insights;
mod journeys;
mod limits;
mod map;
mod map_browser;
mod map_render;
mod membership_changes;
mod migrations;
mod n_plus_one;
mod nested_fields;
mod partner_sync_script;
mod persisted;
mod phases_principles;
mod property;
mod protocol;
mod resilience;
mod reviews;
mod schema;
mod storage;
mod subscriptions;
mod sync;
mod tokens;
mod touchpoint_access;
mod touchpoint_crud;
mod touchpoint_filters;
mod touchpoint_lists;
mod touchpoint_validation;
mod visibility_count;
mod webhooks;
