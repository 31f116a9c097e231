//! The registry's vocabulary: every enumeration of DESIGN.md §1, one type each.
//!
//! Each is stored as its SCREAMING_SNAKE name (a short string column, legible in both
//! databases), exposed under the same name in GraphQL, and serialised the same way in
//! audit entries, so one value reads the same everywhere.
use async_graphql::Enum;
use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};

/// Declares a vocabulary enum with the derives every one of them needs.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            EnumIter, DeriveActiveEnum, Enum, Serialize, Deserialize,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "SCREAMING_SNAKE_CASE")]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        #[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
    };
}

vocabulary!(
    /// What kind of company an organization is.
    OrganizationKind {
        Brand,
        Dealer,
        Distributor,
        Retailer,
        Rep,
        Agency,
        ServicePartner,
        Other,
    }
);

vocabulary!(
    /// The state of a partner's membership in a brand's network.
    PartnershipStatus {
        /// Invited, not yet active: the partner reads only its own data and writes nothing.
        Invited,
        /// A full member of the network.
        Active,
        /// Keeps its own data readable; loses the rest of the network and every write.
        Suspended,
    }
);

vocabulary!(
    /// A person's or API client's role in its organization.
    Role { Admin, Editor, Viewer }
);

vocabulary!(
    /// The channel through which a customer meets a touchpoint.
    Channel {
        Website,
        App,
        Email,
        Phone,
        Chat,
        Social,
        Advertising,
        Print,
        Store,
        Showroom,
        Event,
        FieldSales,
        Marketplace,
        ReviewSite,
        Other,
    }
);

vocabulary!(
    /// How a touchpoint is expressed; a touchpoint with more than one is multi-access.
    Expression { Personal, Physical, Digital }
);

vocabulary!(
    /// Who runs the touchpoint.
    Ownership {
        /// The brand's own.
        Own,
        /// A partner's.
        Partner,
        /// A platform neither runs (a review site, a marketplace, a map listing).
        ThirdParty,
    }
);

vocabulary!(
    /// Who may see a touchpoint besides its owner and the brand.
    Visibility {
        /// The owner and the brand only.
        Private,
        /// Every active partner of the brand.
        Network,
    }
);

vocabulary!(
    /// Where a touchpoint is in its life.
    TouchpointStatus { Planned, Active, Retired }
);

vocabulary!(
    /// When a touchpoint is on the roadmap.
    Horizon { Now, NextMonth, NextQuarter, NextYear, Later }
);

vocabulary!(
    /// The brand's review of a touchpoint.
    ReviewStatus { Draft, Pending, Approved, ChangesRequested }
);

vocabulary!(
    /// What happened to a touchpoint, as the change feed and subscriptions report it.
    ChangeKind { Created, Updated, Archived, Restored, Reviewed }
);

/// Fields a touchpoint list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, Serialize, Deserialize)]
#[graphql(name = "TouchpointOrderField", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum TouchpointOrderField {
    /// `priorityScore`; touchpoints without one come last in either direction.
    Priority,
    Name,
    UpdatedAt,
    CreatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SortDirection {
    Asc,
    Desc,
}
