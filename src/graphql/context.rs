//! What a resolver can reach: the database, and the caller of this request.
use std::sync::Arc;

use async_graphql::Context;

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::store::db::Db;

/// Per-request data, attached by the HTTP (or WebSocket) handler.
pub struct RequestContext {
    /// `None` when the request carried no token: only introspection works then.
    pub principal: Option<Arc<Principal>>,
    pub request_id: String,
}

/// The caller, or UNAUTHENTICATED.
pub fn principal<'a>(ctx: &Context<'a>) -> AppResult<&'a Principal> {
    ctx.data_opt::<RequestContext>()
        .and_then(|r| r.principal.as_deref())
        .ok_or_else(|| AppError::Unauthenticated("a bearer access token is required".into()))
}

/// The database handle, set on the schema at start-up.
pub fn db<'a>(ctx: &Context<'a>) -> AppResult<&'a Db> {
    ctx.data::<Db>()
        .map_err(|_| AppError::Internal(Arc::new(std::io::Error::other("no database in schema"))))
}
