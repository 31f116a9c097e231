//! The one write path: every write of the API but a sync batch (written in bulk by
//! `sync::write`, with the same version guard) runs in a [`Write`], which holds its
//! transaction, saves each versioned entity only at the version it read, appends one ledger
//! entry per changed entity in that transaction, and — once committed — empties the caches or
//! announces the touchpoint changes, as what it wrote requires.
//!
//! # Why the UPDATE names the version
//!
//! Comparing the version in Rust is not enough: on PostgreSQL (READ COMMITTED) two
//! transactions can read version 3, both pass the comparison, and the second UPDATE then
//! overwrites the first — a lost update. So the UPDATE is `… WHERE id = ? AND version = ?`
//! with the version read: PostgreSQL makes the second writer wait for the first's row lock and
//! then re-checks the condition against the committed row, which no longer matches. Zero rows
//! written is a CONFLICT, and the transaction, dropped, writes nothing. (On SQLite the write
//! transaction holds the database's write lock from its start, so the condition never fails
//! there; it costs nothing.)
pub mod versioned;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, IntoActiveModel, QueryFilter, QuerySelect,
};
use serde_json::Value;

use super::ledger::{self, append::touchpoint_action, AuditActor, Changes, Entry};
use crate::clock;
use crate::domain::ChangeKind;
use crate::error::{AppError, AppResult};
use crate::store::db::Db;
use crate::store::events::ChangeEvent;
use versioned::Versioned;

/// What a write is, as its ledger entry names it.
pub struct Action<'a> {
    pub name: &'a str,
    /// The touchpoint change it is (touchpoint writes): in the feed, and a live event.
    feed: Option<ChangeKind>,
    /// Changes beside the entity's own fields (a review's comment, a journey's steps):
    /// (field, before, after). A write with any is saved even if no field changed.
    also: Vec<(&'static str, Value, Value)>,
}

impl<'a> Action<'a> {
    pub fn new(name: &'a str) -> Self {
        Self {
            name,
            feed: None,
            also: Vec::new(),
        }
    }

    /// A touchpoint write of this kind, which the change feed and subscribers see.
    pub fn touchpoint(kind: ChangeKind) -> Self {
        Self::new(touchpoint_action(kind)).in_feed(kind)
    }

    /// Marks the write as a touchpoint change of this kind.
    pub fn in_feed(mut self, kind: ChangeKind) -> Self {
        self.feed = Some(kind);
        self
    }

    /// Records one more changed field, beside the entity's own.
    pub fn also(mut self, field: &'static str, before: Value, after: Value) -> Self {
        self.also.push((field, before, after));
        self
    }
}

/// One write transaction of one actor. Dropped without [`Write::commit`], it rolls back.
pub struct Write<'a> {
    db: &'a Db,
    tx: DatabaseTransaction,
    actor: AuditActor,
    events: Vec<ChangeEvent>,
    caches_changed: bool,
}

impl<'a> Write<'a> {
    /// Begins a write transaction (on SQLite it holds the write lock from here on).
    pub async fn begin(db: &'a Db, actor: AuditActor) -> AppResult<Self> {
        Ok(Self {
            db,
            tx: db.begin_write().await?,
            actor,
            events: Vec::new(),
            caches_changed: false,
        })
    }

    /// The transaction, to read in (what is read here is what the write is checked against).
    pub fn conn(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// Inserts a new entity (its version as given, normally 1) with its ledger entry.
    pub async fn insert<E: Versioned>(
        &mut self,
        action: Action<'_>,
        model: E::Model,
    ) -> AppResult<E::Model> {
        let created: E::Model = model.into_active_model().insert(&self.tx).await?;
        let changes = E::created(&created);
        let version = Some(E::version(&created));
        self.written::<E>(&action, &created, version, changes)
            .await?;
        Ok(created)
    }

    /// Saves `next` over `current` when the caller's `expected` version (if any) is the one
    /// read and still the stored one; a change to nothing (and nothing in `action.also`)
    /// writes nothing and returns `current`. Stamps the next version itself.
    pub async fn update<E: Versioned>(
        &mut self,
        action: Action<'_>,
        current: &E::Model,
        expected: Option<i32>,
        mut next: E::Model,
    ) -> AppResult<E::Model> {
        check_version::<E>(current, expected)?;
        if next == *current && action.also.is_empty() {
            return Ok(current.clone());
        }
        E::bump(&mut next, clock::now());
        let mut active = next.clone().into_active_model().reset_all();
        active.not_set(E::ID);
        let written = E::update_many()
            .set(active)
            .filter(E::ID.eq(E::id(current)))
            .filter(E::VERSION.eq(E::version(current)))
            .exec(&self.tx)
            .await?;
        if written.rows_affected == 0 {
            return Err(self.raced::<E>(current).await);
        }
        let changes = E::diff(current, &next);
        let version = Some(E::version(&next));
        self.written::<E>(&action, &next, version, changes).await?;
        Ok(next)
    }

    /// The common versioned change, whole: `edit` a copy of `current`, write it guarded by
    /// the version read ([`Write::update`]), commit, and answer the row as written.
    pub async fn change<E: Versioned>(
        mut self,
        action: Action<'_>,
        current: E::Model,
        expected: Option<i32>,
        edit: impl FnOnce(&mut E::Model) -> AppResult<()>,
    ) -> AppResult<E::Model> {
        let mut next = current.clone();
        edit(&mut next)?;
        let saved = self.update::<E>(action, &current, expected, next).await?;
        self.commit().await?;
        Ok(saved)
    }

    /// Deletes `current` when the caller's `expected` version (if any) is the one read and
    /// still the stored one.
    pub async fn delete<E: Versioned>(
        &mut self,
        action: Action<'_>,
        current: &E::Model,
        expected: Option<i32>,
    ) -> AppResult<()> {
        check_version::<E>(current, expected)?;
        let deleted = E::delete_many()
            .filter(E::ID.eq(E::id(current)))
            .filter(E::VERSION.eq(E::version(current)))
            .exec(&self.tx)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(self.raced::<E>(current).await);
        }
        let changes = Changes::between(&E::fields(current), &Value::Null);
        self.written::<E>(&action, current, None, changes).await
    }

    /// The ledger entry of a change to something that has no version of its own (a rating).
    pub async fn record(&mut self, entry: Entry<'_>) -> AppResult<()> {
        let events = ledger::append(&self.tx, &self.actor, vec![entry]).await?;
        self.events.extend(events);
        Ok(())
    }

    /// Commits, then empties the caches (if a cached entity was written) and announces the
    /// touchpoint changes.
    pub async fn commit(self) -> AppResult<()> {
        self.tx.commit().await?;
        if self.caches_changed {
            self.db.caches_changed().await;
        }
        self.db.announce(self.events).await;
        Ok(())
    }

    /// The ledger entry of one write.
    async fn written<E: Versioned>(
        &mut self,
        action: &Action<'_>,
        model: &E::Model,
        version: Option<i32>,
        mut changes: Changes,
    ) -> AppResult<()> {
        for (field, before, after) in &action.also {
            changes.push(field, before.clone(), after.clone());
        }
        let brand_id = E::network(model);
        self.caches_changed |= E::CACHED;
        self.record(Entry {
            action: action.name,
            entity_type: E::TYPE,
            entity_id: E::id(model),
            brand_id,
            version,
            kind: action.feed.filter(|_| brand_id.is_some()),
            changes,
        })
        .await
    }

    /// The CONFLICT for a guarded write that found another version stored.
    async fn raced<E: Versioned>(&self, current: &E::Model) -> AppError {
        let stored = E::find()
            .select_only()
            .column(E::VERSION)
            .filter(E::ID.eq(E::id(current)))
            .into_tuple::<i32>()
            .one(&self.tx)
            .await;
        match stored {
            Ok(Some(version)) => AppError::Conflict(format!(
                "the {} changed while this write ran (it is at version {version} now, not {}): \
                 reload and retry",
                E::LABEL,
                E::version(current)
            )),
            Ok(None) => {
                AppError::Conflict(format!("the {} was removed while this write ran", E::LABEL))
            }
            Err(err) => err.into(),
        }
    }
}

/// CONFLICT unless the caller's `expected` version (if it gave one) is `current`'s.
pub fn check_version<E: Versioned>(current: &E::Model, expected: Option<i32>) -> AppResult<()> {
    match expected {
        Some(v) if v != E::version(current) => Err(AppError::Conflict(format!(
            "the {} is at version {}, not {v}: reload and retry",
            E::LABEL,
            E::version(current)
        ))),
        _ => Ok(()),
    }
}
