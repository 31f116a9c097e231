//! Ids on the wire are `ID` strings holding UUIDs; a malformed one is the client's input
//! at fault, named by its field.
use async_graphql::ID;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

pub fn parse_id(field: &str, id: &ID) -> AppResult<Uuid> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| AppError::bad_input(field, format!("{field} is not a valid id")))
}

pub fn parse_opt_id(field: &str, id: Option<&ID>) -> AppResult<Option<Uuid>> {
    id.map(|id| parse_id(field, id)).transpose()
}

pub fn to_id(id: Uuid) -> ID {
    ID(id.to_string())
}
