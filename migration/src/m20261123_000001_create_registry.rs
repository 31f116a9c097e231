//! The registry's first schema: organizations and their networks, people and machine
//! identities, the brand's phases and principles, touchpoints with their alignments,
//! journeys, the audit trail, and what sync needs (a change log and idempotency records).
//!
//! Enumerations are stored as short strings so both databases read the same values and a
//! `psql`/`sqlite3` session is legible. Timestamps are `timestamptz` on PostgreSQL and
//! RFC 3339 text on SQLite.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_organizations(m).await?;
        create_users(m).await?;
        create_partnerships(m).await?;
        create_memberships(m).await?;
        create_api_clients(m).await?;
        create_phases(m).await?;
        create_principles(m).await?;
        create_touchpoints(m).await?;
        create_alignments(m).await?;
        create_journeys(m).await?;
        create_audit_entries(m).await?;
        create_touchpoint_changes(m).await?;
        create_idempotency_records(m).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Reverse order of creation, so foreign keys never dangle.
        let tables: [DynIden; 14] = [
            IdempotencyRecords::Table.into_iden(),
            TouchpointChanges::Table.into_iden(),
            AuditEntries::Table.into_iden(),
            JourneySteps::Table.into_iden(),
            Journeys::Table.into_iden(),
            Alignments::Table.into_iden(),
            Touchpoints::Table.into_iden(),
            Principles::Table.into_iden(),
            Phases::Table.into_iden(),
            ApiClients::Table.into_iden(),
            Memberships::Table.into_iden(),
            Partnerships::Table.into_iden(),
            Users::Table.into_iden(),
            Organizations::Table.into_iden(),
        ];
        for table in tables {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(on_delete)
        .to_owned()
}

async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    if unique {
        stmt.unique();
    }
    m.create_index(stmt.to_owned()).await
}

/// A score column constrained to `lo..=hi`, or NULL.
fn score_null(col: impl IntoIden + Clone, lo: i32, hi: i32) -> ColumnDef {
    let name = col.clone().into_iden();
    small_integer_null(col)
        .check(Expr::col(name).between(lo, hi))
        .take()
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Slug,
    Name,
    Kind,
    MaxMajorSteps,
    CreatedAt,
    UpdatedAt,
}

async fn create_organizations(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Organizations::Table)
            .col(pk_uuid(Organizations::Id))
            .col(string_len_uniq(Organizations::Slug, 64))
            .col(string_len(Organizations::Name, 200))
            .col(string_len(Organizations::Kind, 24))
            // The journey linter's threshold (TOO_MANY_TOUCHPOINTS); only brands use it.
            .col(integer(Organizations::MaxMajorSteps).default(10))
            .col(timestamp_with_time_zone(Organizations::CreatedAt))
            .col(timestamp_with_time_zone(Organizations::UpdatedAt))
            .to_owned(),
    )
    .await
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    DeactivatedAt,
    CreatedAt,
}

async fn create_users(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Users::Table)
            .col(pk_uuid(Users::Id))
            // Stored lower-cased, so uniqueness is case-insensitive on both databases.
            .col(string_len_uniq(Users::Email, 254))
            .col(string_len(Users::Name, 200))
            .col(timestamp_with_time_zone_null(Users::DeactivatedAt))
            .col(timestamp_with_time_zone(Users::CreatedAt))
            .to_owned(),
    )
    .await
}

#[derive(DeriveIden)]
enum Partnerships {
    Table,
    Id,
    BrandId,
    PartnerId,
    Tier,
    Status,
    CreatedAt,
    UpdatedAt,
}

async fn create_partnerships(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Partnerships::Table)
            .col(pk_uuid(Partnerships::Id))
            .col(uuid(Partnerships::BrandId))
            .col(uuid(Partnerships::PartnerId))
            .col(string_len_null(Partnerships::Tier, 100))
            .col(string_len(Partnerships::Status, 16))
            .col(timestamp_with_time_zone(Partnerships::CreatedAt))
            .col(timestamp_with_time_zone(Partnerships::UpdatedAt))
            .foreign_key(&mut fk(
                Partnerships::Table,
                Partnerships::BrandId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                Partnerships::Table,
                Partnerships::PartnerId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ux_partnerships_brand_partner",
        Partnerships::Table,
        &["brand_id", "partner_id"],
        true,
    )
    .await?;
    index(
        m,
        "ix_partnerships_partner",
        Partnerships::Table,
        &["partner_id"],
        false,
    )
    .await
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    UserId,
    OrganizationId,
    Role,
    CreatedAt,
}

async fn create_memberships(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Memberships::Table)
            .col(pk_uuid(Memberships::Id))
            .col(uuid(Memberships::UserId))
            .col(uuid(Memberships::OrganizationId))
            .col(string_len(Memberships::Role, 16))
            .col(timestamp_with_time_zone(Memberships::CreatedAt))
            .foreign_key(&mut fk(
                Memberships::Table,
                Memberships::UserId,
                Users::Table,
                Users::Id,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                Memberships::Table,
                Memberships::OrganizationId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ux_memberships_user_org",
        Memberships::Table,
        &["user_id", "organization_id"],
        true,
    )
    .await?;
    index(
        m,
        "ix_memberships_org",
        Memberships::Table,
        &["organization_id"],
        false,
    )
    .await
}

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
    OrganizationId,
    Name,
    Role,
    SecretHash,
    CreatedAt,
    RevokedAt,
}

async fn create_api_clients(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(ApiClients::Table)
            .col(pk_uuid(ApiClients::Id))
            .col(uuid(ApiClients::OrganizationId))
            .col(string_len(ApiClients::Name, 200))
            .col(string_len(ApiClients::Role, 16))
            .col(string_len(ApiClients::SecretHash, 128))
            .col(timestamp_with_time_zone(ApiClients::CreatedAt))
            .col(timestamp_with_time_zone_null(ApiClients::RevokedAt))
            .foreign_key(&mut fk(
                ApiClients::Table,
                ApiClients::OrganizationId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ix_api_clients_org",
        ApiClients::Table,
        &["organization_id"],
        false,
    )
    .await
}

#[derive(DeriveIden)]
enum Phases {
    Table,
    Id,
    BrandId,
    Name,
    Position,
    KeyMetric,
    CreatedAt,
    UpdatedAt,
}

async fn create_phases(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Phases::Table)
            .col(pk_uuid(Phases::Id))
            .col(uuid(Phases::BrandId))
            .col(string_len(Phases::Name, 200))
            // Contiguous from 0 within a brand; kept so by the service in one transaction
            // (a unique index would trip over itself while a reorder is half applied).
            .col(integer(Phases::Position))
            .col(string_len_null(Phases::KeyMetric, 200))
            .col(timestamp_with_time_zone(Phases::CreatedAt))
            .col(timestamp_with_time_zone(Phases::UpdatedAt))
            .foreign_key(&mut fk(
                Phases::Table,
                Phases::BrandId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ix_phases_brand_position",
        Phases::Table,
        &["brand_id", "position"],
        false,
    )
    .await
}

#[derive(DeriveIden)]
enum Principles {
    Table,
    Id,
    BrandId,
    Name,
    Description,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

async fn create_principles(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Principles::Table)
            .col(pk_uuid(Principles::Id))
            .col(uuid(Principles::BrandId))
            .col(string_len(Principles::Name, 200))
            .col(text_null(Principles::Description))
            .col(timestamp_with_time_zone_null(Principles::ArchivedAt))
            .col(timestamp_with_time_zone(Principles::CreatedAt))
            .col(timestamp_with_time_zone(Principles::UpdatedAt))
            .foreign_key(&mut fk(
                Principles::Table,
                Principles::BrandId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ix_principles_brand",
        Principles::Table,
        &["brand_id"],
        false,
    )
    .await
}

#[derive(DeriveIden, Clone, Copy)]
enum Touchpoints {
    Table,
    Id,
    BrandId,
    OwnerId,
    ExternalId,
    Name,
    Description,
    Channel,
    ExprPersonal,
    ExprPhysical,
    ExprDigital,
    Ownership,
    PhaseId,
    TargetExperience,
    KeyMetric,
    Tags,
    CostAmount,
    CostCurrency,
    Resources,
    Media,
    LaunchDate,
    Timing,
    Location,
    Importance,
    Urgency,
    Maturity,
    Effort,
    Benefit,
    PriorityScore,
    Signature,
    Visibility,
    Status,
    Horizon,
    ReviewStatus,
    Version,
    CreatedAt,
    UpdatedAt,
    ArchivedAt,
}

async fn create_touchpoints(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Touchpoints as T;
    m.create_table(
        Table::create()
            .table(T::Table)
            .col(pk_uuid(T::Id))
            .col(uuid(T::BrandId))
            .col(uuid(T::OwnerId))
            .col(string_len_null(T::ExternalId, 200))
            .col(string_len(T::Name, 200))
            .col(text_null(T::Description))
            .col(string_len(T::Channel, 24))
            // `expressions` is a non-empty set of three: one boolean each keeps the filter
            // a plain indexed comparison on both databases.
            .col(boolean(T::ExprPersonal))
            .col(boolean(T::ExprPhysical))
            .col(boolean(T::ExprDigital))
            .col(string_len(T::Ownership, 16))
            .col(uuid(T::PhaseId))
            .col(text_null(T::TargetExperience))
            .col(string_len_null(T::KeyMetric, 200))
            .col(json(T::Tags))
            // A decimal as canonical text: exact on both databases (SQLite has no decimal).
            .col(string_len_null(T::CostAmount, 40))
            .col(string_len_null(T::CostCurrency, 3))
            .col(text_null(T::Resources))
            .col(json(T::Media))
            .col(date_null(T::LaunchDate))
            .col(string_len_null(T::Timing, 200))
            .col(string_len_null(T::Location, 200))
            .col(score_null(T::Importance, 1, 5))
            .col(score_null(T::Urgency, 1, 5))
            .col(score_null(T::Maturity, 1, 5))
            .col(score_null(T::Effort, 1, 5))
            .col(score_null(T::Benefit, 1, 5))
            // priorityScore × 100, exact (0..=2500); NULL when any input is NULL. Stored so
            // the database orders and pages by it with an index.
            .col(integer_null(T::PriorityScore))
            .col(boolean(T::Signature).default(false))
            .col(string_len(T::Visibility, 16))
            .col(string_len(T::Status, 16))
            .col(string_len_null(T::Horizon, 16))
            .col(string_len(T::ReviewStatus, 24))
            .col(integer(T::Version).default(1))
            .col(timestamp_with_time_zone(T::CreatedAt))
            .col(timestamp_with_time_zone(T::UpdatedAt))
            .col(timestamp_with_time_zone_null(T::ArchivedAt))
            .foreign_key(&mut fk(
                T::Table,
                T::BrandId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                T::Table,
                T::OwnerId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                T::Table,
                T::PhaseId,
                Phases::Table,
                Phases::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
    )
    .await?;
    // The owner's own key, used by sync; NULLs (no external id) do not collide.
    index(
        m,
        "ux_touchpoints_owner_external",
        T::Table,
        &["owner_id", "external_id"],
        true,
    )
    .await?;
    // Listing orders: each index starts with the brand (every list is within a network)
    // and ends with the id, the keyset tie-breaker.
    index(
        m,
        "ix_touchpoints_brand_updated",
        T::Table,
        &["brand_id", "updated_at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_touchpoints_brand_created",
        T::Table,
        &["brand_id", "created_at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_touchpoints_brand_priority",
        T::Table,
        &["brand_id", "priority_score", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_touchpoints_brand_phase_priority",
        T::Table,
        &["brand_id", "phase_id", "priority_score", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_touchpoints_owner_brand",
        T::Table,
        &["owner_id", "brand_id"],
        false,
    )
    .await?;
    index(m, "ix_touchpoints_phase", T::Table, &["phase_id"], false).await
}

#[derive(DeriveIden)]
enum Alignments {
    Table,
    Id,
    TouchpointId,
    PrincipleId,
    Score,
    Note,
    RatedById,
    RatedByName,
    RatedAt,
}

async fn create_alignments(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Alignments::Table)
            .col(pk_uuid(Alignments::Id))
            .col(uuid(Alignments::TouchpointId))
            .col(uuid(Alignments::PrincipleId))
            .col(
                small_integer(Alignments::Score)
                    .check(Expr::col(Alignments::Score).between(-2, 2))
                    .take(),
            )
            .col(text_null(Alignments::Note))
            // The user or API client that rated; kept as a label too, so the rating reads
            // well after the rater is gone.
            .col(uuid(Alignments::RatedById))
            .col(string_len(Alignments::RatedByName, 254))
            .col(timestamp_with_time_zone(Alignments::RatedAt))
            .foreign_key(&mut fk(
                Alignments::Table,
                Alignments::TouchpointId,
                Touchpoints::Table,
                Touchpoints::Id,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                Alignments::Table,
                Alignments::PrincipleId,
                Principles::Table,
                Principles::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ux_alignments_touchpoint_principle",
        Alignments::Table,
        &["touchpoint_id", "principle_id"],
        true,
    )
    .await?;
    index(
        m,
        "ix_alignments_principle",
        Alignments::Table,
        &["principle_id"],
        false,
    )
    .await
}

#[derive(DeriveIden)]
enum Journeys {
    Table,
    Id,
    BrandId,
    OwnerId,
    Name,
    Persona,
    Description,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JourneySteps {
    Table,
    Id,
    JourneyId,
    Position,
    TouchpointId,
    Major,
    Note,
}

async fn create_journeys(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Journeys::Table)
            .col(pk_uuid(Journeys::Id))
            .col(uuid(Journeys::BrandId))
            .col(uuid(Journeys::OwnerId))
            .col(string_len(Journeys::Name, 200))
            .col(string_len_null(Journeys::Persona, 200))
            .col(text_null(Journeys::Description))
            .col(integer(Journeys::Version).default(1))
            .col(timestamp_with_time_zone(Journeys::CreatedAt))
            .col(timestamp_with_time_zone(Journeys::UpdatedAt))
            .foreign_key(&mut fk(
                Journeys::Table,
                Journeys::BrandId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                Journeys::Table,
                Journeys::OwnerId,
                Organizations::Table,
                Organizations::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ix_journeys_brand",
        Journeys::Table,
        &["brand_id"],
        false,
    )
    .await?;
    m.create_table(
        Table::create()
            .table(JourneySteps::Table)
            .col(pk_uuid(JourneySteps::Id))
            .col(uuid(JourneySteps::JourneyId))
            .col(integer(JourneySteps::Position))
            .col(uuid(JourneySteps::TouchpointId))
            .col(boolean(JourneySteps::Major).default(false))
            .col(text_null(JourneySteps::Note))
            .foreign_key(&mut fk(
                JourneySteps::Table,
                JourneySteps::JourneyId,
                Journeys::Table,
                Journeys::Id,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                JourneySteps::Table,
                JourneySteps::TouchpointId,
                Touchpoints::Table,
                Touchpoints::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ux_journey_steps_position",
        JourneySteps::Table,
        &["journey_id", "position"],
        true,
    )
    .await?;
    index(
        m,
        "ix_journey_steps_touchpoint",
        JourneySteps::Table,
        &["touchpoint_id"],
        false,
    )
    .await
}

#[derive(DeriveIden)]
enum AuditEntries {
    Table,
    Id,
    At,
    ActorKind,
    ActorId,
    ActorLabel,
    OrganizationId,
    BrandId,
    Action,
    EntityType,
    EntityId,
    Before,
    After,
}

pub(crate) async fn create_audit_entries(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    // Append-only: no foreign keys, so an entry outlives whatever it describes.
    m.create_table(
        Table::create()
            .table(AuditEntries::Table)
            .col(pk_uuid(AuditEntries::Id))
            .col(timestamp_with_time_zone(AuditEntries::At))
            .col(string_len(AuditEntries::ActorKind, 16))
            .col(uuid_null(AuditEntries::ActorId))
            .col(string_len(AuditEntries::ActorLabel, 254))
            .col(uuid_null(AuditEntries::OrganizationId))
            .col(uuid_null(AuditEntries::BrandId))
            .col(string_len(AuditEntries::Action, 64))
            .col(string_len(AuditEntries::EntityType, 32))
            .col(uuid(AuditEntries::EntityId))
            .col(json_null(AuditEntries::Before))
            .col(json_null(AuditEntries::After))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ix_audit_brand_at",
        AuditEntries::Table,
        &["brand_id", "at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_audit_org_at",
        AuditEntries::Table,
        &["organization_id", "at", "id"],
        false,
    )
    .await?;
    index(
        m,
        "ix_audit_entity_at",
        AuditEntries::Table,
        &["entity_id", "at", "id"],
        false,
    )
    .await
}

#[derive(DeriveIden)]
enum TouchpointChanges {
    Table,
    Id,
    TxId,
    BrandId,
    TouchpointId,
    Kind,
    ActorId,
    ActorLabel,
    At,
}

pub(crate) async fn create_touchpoint_changes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(TouchpointChanges::Table)
            .col(big_pk_auto(TouchpointChanges::Id))
            // The writing transaction's id on PostgreSQL (0 on SQLite, whose single writer
            // commits in id order): the change feed pages by (tx_id, id) below the oldest
            // transaction still running, so a late commit can never land behind a cursor.
            .col(big_integer(TouchpointChanges::TxId).default(0))
            .col(uuid(TouchpointChanges::BrandId))
            .col(uuid(TouchpointChanges::TouchpointId))
            .col(string_len(TouchpointChanges::Kind, 16))
            .col(uuid_null(TouchpointChanges::ActorId))
            .col(string_len(TouchpointChanges::ActorLabel, 254))
            .col(timestamp_with_time_zone(TouchpointChanges::At))
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ix_touchpoint_changes_brand_tx",
        TouchpointChanges::Table,
        &["brand_id", "tx_id", "id"],
        false,
    )
    .await
}

#[derive(DeriveIden)]
enum IdempotencyRecords {
    Table,
    PrincipalId,
    Key,
    RequestHash,
    Response,
    CreatedAt,
    ExpiresAt,
}

async fn create_idempotency_records(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(IdempotencyRecords::Table)
            .col(uuid(IdempotencyRecords::PrincipalId))
            .col(string_len(IdempotencyRecords::Key, 200))
            .col(string_len(IdempotencyRecords::RequestHash, 64))
            .col(json(IdempotencyRecords::Response))
            .col(timestamp_with_time_zone(IdempotencyRecords::CreatedAt))
            .col(timestamp_with_time_zone(IdempotencyRecords::ExpiresAt))
            .primary_key(
                Index::create()
                    .col(IdempotencyRecords::PrincipalId)
                    .col(IdempotencyRecords::Key),
            )
            .to_owned(),
    )
    .await?;
    index(
        m,
        "ix_idempotency_expires",
        IdempotencyRecords::Table,
        &["expires_at"],
        false,
    )
    .await
}
