//! The Relay connection of touchpoints.
use async_graphql::{Context, Object, Result, SimpleObject};

use super::touchpoint::Touchpoint;
use crate::graphql::context::{db, principal};
use crate::services::touchpoint_list::{self, TouchpointFilter, TouchpointPage};

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

pub struct TouchpointEdge {
    cursor: String,
    node: Touchpoint,
}

#[Object]
impl TouchpointEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> &Touchpoint {
        &self.node
    }
}

pub struct TouchpointConnection {
    page: TouchpointPage,
    filter: TouchpointFilter,
}

impl TouchpointConnection {
    pub fn new(page: TouchpointPage, filter: TouchpointFilter) -> Self {
        Self { page, filter }
    }
}

#[Object]
impl TouchpointConnection {
    async fn edges(&self) -> Vec<TouchpointEdge> {
        self.page
            .items
            .iter()
            .map(|item| TouchpointEdge {
                cursor: self.page.cursor(item),
                node: Touchpoint(item.clone()),
            })
            .collect()
    }

    /// The page's touchpoints, without cursors.
    async fn nodes(&self) -> Vec<Touchpoint> {
        self.page.items.iter().cloned().map(Touchpoint).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next_page,
            has_previous_page: self.page.has_previous_page,
            start_cursor: self.page.items.first().map(|i| self.page.cursor(i)),
            end_cursor: self.page.items.last().map(|i| self.page.cursor(i)),
        }
    }

    /// Touchpoints matching the filter, across all pages (counted only when asked for).
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        Ok(touchpoint_list::count(db(ctx)?, principal(ctx)?, &self.filter).await?)
    }
}
