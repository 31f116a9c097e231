//! What a caller may read, as SQL conditions and as checks on loaded rows.
//!
//! The two forms state one rule (DESIGN.md §2) and are kept side by side so they cannot
//! drift: a touchpoint is readable by the brand of its network, by its owner, and — when it
//! is NETWORK — by every ACTIVE partner of that brand.
use sea_orm::{ColumnTrait, Condition};

use crate::auth::Principal;
use crate::domain::Visibility;
use crate::entities::touchpoint::{self, Column};

/// The rows of `touchpoints` the principal may read.
pub fn readable_touchpoints(p: &Principal) -> Condition {
    let mut any = Condition::any().add(Column::OwnerId.eq(p.org_id()));
    if p.is_brand() {
        any = any.add(Column::BrandId.eq(p.org_id()));
    }
    let networks = p.active_partner_brands();
    if !networks.is_empty() {
        any = any.add(
            Condition::all()
                .add(Column::Visibility.eq(Visibility::Network))
                .add(Column::BrandId.is_in(networks)),
        );
    }
    any
}

/// The same rule for a row already loaded.
pub fn can_read_touchpoint(p: &Principal, t: &touchpoint::Model) -> bool {
    t.owner_id == p.org_id()
        || (p.is_brand() && t.brand_id == p.org_id())
        || (t.visibility == Visibility::Network && p.active_partner_brands().contains(&t.brand_id))
}
