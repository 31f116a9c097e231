//! Listing touchpoints: filters, orderings and keyset pagination.
//!
//! Pages are cut by the sort key and id of the last row seen (never OFFSET), so a page
//! boundary stays put while other touchpoints are inserted. Every ordering ends with `id`
//! as the tie-breaker, and touchpoints without a priority come last in either direction.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, NullOrdering};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QueryTrait, Select, Value,
};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Principal;
use crate::domain::{
    Channel, Expression, Horizon, Ownership, ReviewStatus, SortDirection, TouchpointOrderField,
    TouchpointStatus, Visibility,
};
use crate::entities::touchpoint::{self, Column, Entity};
use crate::error::{AppError, AppResult};
use crate::services::access::readable_touchpoints;
use crate::services::cursor::{query_tag, Cursor};
use crate::store::db::Db;

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;

/// `TouchpointFilter` of DESIGN.md §3, validated.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TouchpointFilter {
    pub brand_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub phase_id: Option<Uuid>,
    pub ownership: Option<Ownership>,
    pub channel: Option<Channel>,
    pub expression: Option<Expression>,
    pub signature: Option<bool>,
    pub status: Option<TouchpointStatus>,
    pub review_status: Option<ReviewStatus>,
    pub visibility: Option<Visibility>,
    pub horizon: Option<Horizon>,
    /// Lower-cased text matched inside name or description.
    pub search: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TouchpointOrder {
    pub field: TouchpointOrderField,
    pub direction: SortDirection,
}

impl Default for TouchpointOrder {
    fn default() -> Self {
        Self {
            field: TouchpointOrderField::UpdatedAt,
            direction: SortDirection::Desc,
        }
    }
}

/// Relay arguments as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// One page of a list, with what the connection needs to answer `pageInfo` and cursors.
#[derive(Debug, Clone)]
pub struct TouchpointPage {
    pub items: Vec<touchpoint::Model>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub order: TouchpointOrder,
    query: String,
}

impl TouchpointPage {
    pub fn cursor(&self, item: &touchpoint::Model) -> String {
        Cursor {
            query: self.query.clone(),
            key: sort_key_json(self.order.field, item),
            id: item.id,
        }
        .encode()
    }
}

/// The non-archived touchpoints of `brand_id` the caller may see: what the brand's roll-ups
/// (scorecard, insights, the experience map) are computed over.
pub fn live_in_brand(p: &Principal, brand_id: Uuid) -> Select<Entity> {
    filtered(
        p,
        &TouchpointFilter {
            brand_id: Some(brand_id),
            ..TouchpointFilter::default()
        },
    )
}

/// The visible touchpoints matching the filter, as a Select to page or count.
fn filtered(p: &Principal, f: &TouchpointFilter) -> Select<Entity> {
    let mut c = Condition::all().add(readable_touchpoints(p));
    if let Some(v) = f.brand_id {
        c = c.add(Column::BrandId.eq(v));
    }
    if let Some(v) = f.owner_id {
        c = c.add(Column::OwnerId.eq(v));
    }
    if let Some(v) = f.phase_id {
        c = c.add(Column::PhaseId.eq(v));
    }
    if let Some(v) = f.ownership {
        c = c.add(Column::Ownership.eq(v));
    }
    if let Some(v) = f.channel {
        c = c.add(Column::Channel.eq(v));
    }
    if let Some(v) = f.expression {
        let column = match v {
            Expression::Personal => Column::ExprPersonal,
            Expression::Physical => Column::ExprPhysical,
            Expression::Digital => Column::ExprDigital,
        };
        c = c.add(column.eq(true));
    }
    if let Some(v) = f.signature {
        c = c.add(Column::Signature.eq(v));
    }
    if let Some(v) = f.status {
        c = c.add(Column::Status.eq(v));
    }
    if let Some(v) = f.review_status {
        c = c.add(Column::ReviewStatus.eq(v));
    }
    if let Some(v) = f.visibility {
        c = c.add(Column::Visibility.eq(v));
    }
    if let Some(v) = f.horizon {
        c = c.add(Column::Horizon.eq(v));
    }
    if let Some(term) = &f.search {
        let pattern = format!("%{}%", escape_like(term));
        let lower_like = |col: Column| {
            Expr::expr(Func::lower(Expr::col(col)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        c = c.add(
            Condition::any()
                .add(lower_like(Column::Name))
                .add(lower_like(Column::Description)),
        );
    }
    if let Some(v) = f.updated_since {
        c = c.add(Column::UpdatedAt.gte(v));
    }
    if !f.include_archived {
        c = c.add(Column::ArchivedAt.is_null());
    }
    Entity::find().filter(c)
}

/// Escapes LIKE wildcards so a search for `50%` finds the text `50%`.
fn escape_like(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for ch in term.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn sort_column(field: TouchpointOrderField) -> Column {
    match field {
        TouchpointOrderField::Priority => Column::PriorityScore,
        TouchpointOrderField::Name => Column::Name,
        TouchpointOrderField::UpdatedAt => Column::UpdatedAt,
        TouchpointOrderField::CreatedAt => Column::CreatedAt,
    }
}

fn sort_key_json(field: TouchpointOrderField, m: &touchpoint::Model) -> serde_json::Value {
    match field {
        TouchpointOrderField::Priority => m.priority_score.into(),
        TouchpointOrderField::Name => m.name.clone().into(),
        TouchpointOrderField::UpdatedAt => m.updated_at.to_rfc3339().into(),
        TouchpointOrderField::CreatedAt => m.created_at.to_rfc3339().into(),
    }
}

/// The cursor's key as a database value; `None` is a NULL priority.
fn sort_key_value(
    field: TouchpointOrderField,
    key: &serde_json::Value,
    arg: &str,
) -> AppResult<Option<Value>> {
    let invalid = || AppError::bad_input(arg, format!("{arg} is not a cursor of this query"));
    Ok(match field {
        TouchpointOrderField::Priority => match key {
            serde_json::Value::Null => None,
            v => Some(
                v.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(invalid)?
                    .into(),
            ),
        },
        TouchpointOrderField::Name => Some(key.as_str().ok_or_else(invalid)?.to_owned().into()),
        TouchpointOrderField::UpdatedAt | TouchpointOrderField::CreatedAt => {
            let text = key.as_str().ok_or_else(invalid)?;
            let at = DateTime::parse_from_rfc3339(text)
                .map_err(|_| invalid())?
                .with_timezone(&Utc);
            Some(at.into())
        }
    })
}

/// Rows strictly beyond `(key, id)` when walking `col` in direction `ascending`, with NULL
/// keys placed last (`nulls_last`) or first.
fn beyond(
    col: Column,
    ascending: bool,
    nulls_last: bool,
    key: Option<Value>,
    id: Uuid,
) -> Condition {
    let past_id = if ascending {
        Column::Id.gt(id)
    } else {
        Column::Id.lt(id)
    };
    match key {
        Some(k) => {
            let past_key = if ascending {
                col.gt(k.clone())
            } else {
                col.lt(k.clone())
            };
            let mut any = Condition::any()
                .add(past_key)
                .add(Condition::all().add(col.eq(k)).add(past_id));
            if nulls_last {
                any = any.add(col.is_null());
            }
            any
        }
        None if nulls_last => Condition::all().add(col.is_null()).add(past_id),
        None => Condition::any()
            .add(col.is_not_null())
            .add(Condition::all().add(col.is_null()).add(past_id)),
    }
}

fn page_size(arg: &str, value: Option<i32>) -> AppResult<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(AppError::bad_input(
            arg,
            format!("{arg} must not be negative"),
        )),
        Some(n) if n as u64 > MAX_PAGE_SIZE => Err(AppError::bad_input(
            arg,
            format!("{arg} must be at most {MAX_PAGE_SIZE}"),
        )),
        Some(n) => Ok(Some(n as u64)),
    }
}

/// One page of the touchpoints the caller may see.
pub async fn list(
    db: &Db,
    p: &Principal,
    filter: &TouchpointFilter,
    order: TouchpointOrder,
    args: &PageArgs,
) -> AppResult<TouchpointPage> {
    let first = page_size("first", args.first)?;
    let last = page_size("last", args.last)?;
    if first.is_some() && last.is_some() {
        return Err(AppError::bad_input(
            "last",
            "give either first or last, not both",
        ));
    }
    if args.after.is_some() && args.before.is_some() {
        return Err(AppError::bad_input(
            "before",
            "give either after or before, not both",
        ));
    }
    let backward = last.is_some() || (first.is_none() && args.before.is_some());
    let limit = if backward { last } else { first }.unwrap_or(DEFAULT_PAGE_SIZE);
    let query = query_tag(&(order, filter));
    let field = order.field;
    let col = sort_column(field);
    let declared_asc = order.direction == SortDirection::Asc;
    // Walking backward reverses the order, and with it where NULL priorities sit.
    let walk_asc = declared_asc != backward;
    let nulls_last = !backward;

    let mut select = filtered(p, filter);
    let (cursor_arg, cursor_text) = if backward {
        ("before", args.before.as_deref())
    } else {
        ("after", args.after.as_deref())
    };
    if let Some(text) = cursor_text {
        let cursor = Cursor::decode(cursor_arg, text, &query)?;
        let key = sort_key_value(field, &cursor.key, cursor_arg)?;
        select = select.filter(beyond(col, walk_asc, nulls_last, key, cursor.id));
    }
    let dir = if walk_asc { Order::Asc } else { Order::Desc };
    select = if field == TouchpointOrderField::Priority {
        let nulls = if nulls_last {
            NullOrdering::Last
        } else {
            NullOrdering::First
        };
        select.order_by_with_nulls(col, dir.clone(), nulls)
    } else {
        select.order_by(col, dir.clone())
    };
    let mut items: Vec<touchpoint::Model> =
        with_literal_limit(select.order_by(Column::Id, dir), db, limit + 1)
            .all(db.conn())
            .await?
            .into_iter()
            .map(|row| row.0)
            .collect();
    let has_more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    if backward {
        items.reverse();
    }
    Ok(TouchpointPage {
        items,
        has_next_page: if backward {
            args.before.is_some()
        } else {
            has_more
        },
        has_previous_page: if backward {
            has_more
        } else {
            args.after.is_some()
        },
        order,
        query,
    })
}

/// How many touchpoints match the filter (for `totalCount`), ignoring pagination.
pub async fn count(db: &Db, p: &Principal, filter: &TouchpointFilter) -> AppResult<u64> {
    Ok(filtered(p, filter).count(db.conn()).await?)
}

/// The query with its LIMIT written into the SQL rather than bound. PostgreSQL plans a
/// prepared statement afresh on every execution while its generic plan looks dearer than a
/// custom one — and with the row count a parameter, the generic plan's estimate assumes a
/// tenth of the table and always looks dearer. With the number in the text, the generic plan
/// is taken after a few executions: planning cost about as much as running the page query.
/// Each page size becomes its own prepared statement; clients use few.
fn with_literal_limit(
    select: Select<Entity>,
    db: &Db,
    limit: u64,
) -> sea_orm::SelectorRaw<sea_orm::SelectModel<touchpoint::ByPosition>> {
    let mut statement = select.build(db.backend());
    statement.sql.push_str(&format!(" LIMIT {limit}"));
    Entity::find()
        .from_raw_sql(statement)
        .into_model::<touchpoint::ByPosition>()
}
