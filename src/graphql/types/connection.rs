//! The Relay connection of touchpoints.
use async_graphql::{Context, Object, Result, SimpleObject};

use super::touchpoint::Touchpoint;
use crate::graphql::context::{db, principal};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::inputs::touchpoint_filter::{TouchpointFilterInput, TouchpointOrderInput};
use crate::graphql::prefetch::Wanted;
use crate::services::touchpoints;
use crate::services::touchpoints::list::{
    PageArgs, TouchpointFilter, TouchpointOrder, TouchpointPage,
};

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

pub struct TouchpointEdge<'a> {
    cursor: String,
    node: &'a Touchpoint,
}

#[Object]
impl TouchpointEdge<'_> {
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> &Touchpoint {
        self.node
    }
}

pub struct TouchpointConnection {
    /// The page's touchpoints, moved out of `page` (whose `items` is left empty): handed out
    /// by reference, not copied per field that lists them.
    nodes: Vec<Touchpoint>,
    page: TouchpointPage,
    filter: TouchpointFilter,
}

impl TouchpointConnection {
    /// Lists the caller's visible touchpoints; `owner` pins the owner (for an
    /// organization's own list) whatever the filter says.
    pub async fn resolve(
        ctx: &Context<'_>,
        filter: Option<TouchpointFilterInput>,
        order_by: Option<TouchpointOrderInput>,
        args: PageArgs,
        owner: Option<Uuid>,
    ) -> Result<Self, AppError> {
        let p = principal(ctx)?;
        let mut filter = filter.unwrap_or_default().into_filter()?;
        if owner.is_some() {
            filter.owner_id = owner;
        }
        let order = order_by.map(TouchpointOrder::from).unwrap_or_default();
        let db = db(ctx)?;
        let mut page = touchpoints::list::list(db, p, &filter, order, &args).await?;
        let items = std::mem::take(&mut page.items);
        let nodes = Touchpoint::with_neighbours(db, Wanted::in_connection(ctx), items).await?;
        Ok(Self {
            nodes,
            page,
            filter,
        })
    }
}

#[Object]
impl TouchpointConnection {
    async fn edges(&self) -> Vec<TouchpointEdge<'_>> {
        self.nodes
            .iter()
            .map(|node| TouchpointEdge {
                cursor: self.page.cursor(&node.model),
                node,
            })
            .collect()
    }

    /// The page's touchpoints, without cursors.
    async fn nodes(&self) -> &[Touchpoint] {
        &self.nodes
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next_page,
            has_previous_page: self.page.has_previous_page,
            start_cursor: self.nodes.first().map(|n| self.page.cursor(&n.model)),
            end_cursor: self.nodes.last().map(|n| self.page.cursor(&n.model)),
        }
    }

    /// Touchpoints matching the filter, across all pages (counted only when asked for).
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(touchpoints::list::count(db(ctx)?, principal(ctx)?, &self.filter).await?)
    }
}
