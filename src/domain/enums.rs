//! The registry's vocabulary: every enumeration of DESIGN.md §1 and of the API's operations,
//! one type each.
//!
//! Each is stored as its SCREAMING_SNAKE name (a short string column, legible in both
//! databases), exposed under the same name in GraphQL, and serialised the same way in
//! audit entries, so one value reads the same everywhere. That is why these types, alone in
//! `domain`, derive sea-orm's and async-graphql's traits: one name in every place is the
//! design, and a mapped copy at each edge would write every variant of every enum three
//! times for no difference a client or a row could see.
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

/// How a sync batch treats the caller's touchpoints it does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Enum)]
pub enum SyncMode {
    /// Create or update the items; leave everything else alone.
    Upsert,
    /// Also archive the caller's touchpoints in the brand that the batch does not list.
    Mirror,
}

/// What a sync batch did with one item.
// Idempotency records keep it by its variant name (serde's default): renaming one breaks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Enum)]
pub enum SyncOutcome {
    Created,
    Updated,
    Unchanged,
    /// Archived by MIRROR (not in the batch).
    Archived,
    /// Refused: see the batch's `errors`.
    Failed,
}

/// The brand's verdict on a touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ReviewDecision {
    Approve,
    RequestChanges,
}

/// What a finding of the journey linter (`brand.insights`) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Enum, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InsightCode {
    /// A journey with more major steps than the brand's threshold.
    TooManyTouchpoints,
    /// A phase with no active touchpoint.
    PhaseWithoutTouchpoints,
    /// A phase with no signature touchpoint.
    PhaseWithoutSignature,
    /// A phase with more than two signature touchpoints.
    TooManySignatures,
    /// A touchpoint whose alignment average is below 0.
    MisalignedTouchpoint,
    /// A touchpoint with no rating at all.
    UnratedTouchpoint,
    /// A partner touchpoint PENDING review for more than 14 days.
    StaleReview,
    /// Touchpoints of different owners with the same phase, channel and a near-identical
    /// name.
    DuplicateCandidate,
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    Info,
    Warning,
}
