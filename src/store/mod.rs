//! Where the registry keeps its state and hears of changes: the database connection and its
//! pool (`db`), the short-lived caches beside it (`cache`), and the in-process bus fed by
//! PostgreSQL's `NOTIFY` (`events`). Nothing here imports the layers above.
pub mod cache;
pub mod db;
pub mod events;
