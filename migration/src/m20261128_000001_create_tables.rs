//! The initial schema: every table of the data model, with foreign keys, natural keys and
//! the indexes that filters, orderings and relations use.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(Clone, Copy, DeriveIden)]
enum Source {
    Table,
    Id,
    Key,
    Title,
    Publisher,
    Url,
    Licence,
    Citation,
    Version,
    RetrievedOn,
    Checksum,
    ImportedAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum Country {
    Table,
    Id,
    Iso3,
    Iso2,
    M49,
    Name,
    OfficialName,
    RegionCode,
    RegionName,
    SubRegionCode,
    SubRegionName,
    IntermediateRegionCode,
    IntermediateRegionName,
    WbRegion,
    IncomeGroup,
    LendingCategory,
    IsDeveloping,
    IsLdc,
    IsLldc,
    IsSids,
    Latitude,
    Longitude,
    SourceId,
}

#[derive(Clone, Copy, DeriveIden)]
enum Bloc {
    Table,
    Id,
    Code,
    Name,
    Kind,
    SourceId,
}

#[derive(Clone, Copy, DeriveIden)]
enum BlocMember {
    Table,
    BlocId,
    CountryId,
    SourceId,
}

#[derive(Clone, Copy, DeriveIden)]
enum Sector {
    Table,
    Id,
    Vocabulary,
    Code,
    Level,
    Name,
    Description,
    ParentId,
    Active,
    SourceId,
}

#[derive(Clone, Copy, DeriveIden)]
enum Agreement {
    Table,
    Id,
    SourceId,
    Ref,
    Title,
    Kind,
    SourceKind,
    Status,
    SignedYear,
    SignedOn,
    InForceYear,
    InForceOn,
    TerminatedOn,
}

#[derive(Clone, Copy, DeriveIden)]
enum AgreementParty {
    Table,
    AgreementId,
    CountryId,
    JoinedYear,
    WithdrawnYear,
}

#[derive(Clone, Copy, DeriveIden)]
enum AgreementSector {
    Table,
    AgreementId,
    SectorId,
}

#[derive(Clone, Copy, DeriveIden)]
#[allow(clippy::enum_variant_names)] // column names, as in the entity
enum Flow {
    Table,
    Id,
    SourceId,
    Ref,
    ProviderId,
    RecipientId,
    RecipientLabel,
    Year,
    Kind,
    FlowType,
    FlowClass,
    AmountUsdCurrent,
    AmountUsdConstant,
    ConstantBaseYear,
    SectorId,
    AgreementId,
    Title,
    Description,
    Status,
    StartOn,
    EndOn,
    RecommendedForResearch,
}

#[derive(Clone, Copy, DeriveIden)]
enum Expert {
    Table,
    Id,
    SourceId,
    Ref,
    Name,
    Kind,
    HomeCountryId,
    Headcount,
}

#[derive(Clone, Copy, DeriveIden)]
enum ExpertSector {
    Table,
    ExpertId,
    SectorId,
}

#[derive(Clone, Copy, DeriveIden)]
enum Deployment {
    Table,
    Id,
    ExpertId,
    Ref,
    HostCountryId,
    StartYear,
    EndYear,
    FlowId,
    AgreementId,
}

#[derive(Clone, Copy, DeriveIden)]
enum ImportRun {
    Table,
    Id,
    SourceId,
    File,
    StartedAt,
    FinishedAt,
    Status,
    RowsRead,
    RowsInserted,
    RowsUpdated,
    RowsSkipped,
    Messages,
}

/// A foreign key from `table.column` to `target.id`.
fn fk<T: Iden + Clone + 'static, C: Iden + 'static, R: Iden + Clone + 'static>(
    table: T,
    column: C,
    target: R,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(target, Alias::new("id")).on_delete(on_delete).to_owned()
}

/// A non-unique index named `idx_<table>_<columns>`.
fn index<T: Iden + Clone + 'static>(table: T, name: &str, columns: Vec<Alias>) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for column in columns {
        statement.col(column);
    }
    statement.to_owned()
}

fn cols(names: &[&str]) -> Vec<Alias> {
    names.iter().map(|name| Alias::new(*name)).collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};

        manager
            .create_table(
                Table::create()
                    .table(Source::Table)
                    .col(pk_auto(Source::Id))
                    .col(string(Source::Key).unique_key())
                    .col(string(Source::Title))
                    .col(string(Source::Publisher))
                    .col(string(Source::Url))
                    .col(string(Source::Licence))
                    .col(text(Source::Citation))
                    .col(string(Source::Version))
                    .col(string(Source::RetrievedOn))
                    .col(string_null(Source::Checksum))
                    .col(timestamp_with_time_zone_null(Source::ImportedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Country::Table)
                    .col(pk_auto(Country::Id))
                    .col(string_len(Country::Iso3, 3).unique_key())
                    .col(string_len_null(Country::Iso2, 2).unique_key())
                    .col(string_len_null(Country::M49, 3).unique_key())
                    .col(string(Country::Name))
                    .col(string_null(Country::OfficialName))
                    .col(string_null(Country::RegionCode))
                    .col(string_null(Country::RegionName))
                    .col(string_null(Country::SubRegionCode))
                    .col(string_null(Country::SubRegionName))
                    .col(string_null(Country::IntermediateRegionCode))
                    .col(string_null(Country::IntermediateRegionName))
                    .col(string_null(Country::WbRegion))
                    .col(string_null(Country::IncomeGroup))
                    .col(string_null(Country::LendingCategory))
                    .col(boolean(Country::IsDeveloping))
                    .col(boolean(Country::IsLdc))
                    .col(boolean(Country::IsLldc))
                    .col(boolean(Country::IsSids))
                    .col(double_null(Country::Latitude))
                    .col(double_null(Country::Longitude))
                    .col(integer(Country::SourceId))
                    .foreign_key(&mut fk(Country::Table, Country::SourceId, Source::Table, Restrict))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_country_name", cols(&["name", "id"])),
            ("idx_country_region", cols(&["region_code"])),
            ("idx_country_sub_region", cols(&["sub_region_code"])),
            ("idx_country_income_group", cols(&["income_group"])),
        ] {
            manager.create_index(index(Country::Table, name, columns)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Bloc::Table)
                    .col(pk_auto(Bloc::Id))
                    .col(string(Bloc::Code).unique_key())
                    .col(string(Bloc::Name))
                    .col(string_len(Bloc::Kind, 64))
                    .col(integer(Bloc::SourceId))
                    .foreign_key(&mut fk(Bloc::Table, Bloc::SourceId, Source::Table, Restrict))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BlocMember::Table)
                    .col(integer(BlocMember::BlocId))
                    .col(integer(BlocMember::CountryId))
                    .col(integer(BlocMember::SourceId))
                    .primary_key(Index::create().col(BlocMember::BlocId).col(BlocMember::CountryId))
                    .foreign_key(&mut fk(BlocMember::Table, BlocMember::BlocId, Bloc::Table, Cascade))
                    .foreign_key(&mut fk(BlocMember::Table, BlocMember::CountryId, Country::Table, Cascade))
                    .foreign_key(&mut fk(BlocMember::Table, BlocMember::SourceId, Source::Table, Restrict))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(BlocMember::Table, "idx_bloc_member_country", cols(&["country_id", "bloc_id"])))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sector::Table)
                    .col(pk_auto(Sector::Id))
                    .col(string(Sector::Vocabulary))
                    .col(string(Sector::Code))
                    .col(string_len(Sector::Level, 16))
                    .col(string(Sector::Name))
                    .col(text_null(Sector::Description))
                    .col(integer_null(Sector::ParentId))
                    .col(boolean(Sector::Active))
                    .col(integer(Sector::SourceId))
                    .foreign_key(&mut fk(Sector::Table, Sector::ParentId, Sector::Table, SetNull))
                    .foreign_key(&mut fk(Sector::Table, Sector::SourceId, Source::Table, Restrict))
                    .index(
                        Index::create()
                            .name("uq_sector_vocabulary_code")
                            .col(Sector::Vocabulary)
                            .col(Sector::Code)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(Sector::Table, "idx_sector_parent", cols(&["parent_id"]))).await?;

        manager
            .create_table(
                Table::create()
                    .table(Agreement::Table)
                    .col(pk_auto(Agreement::Id))
                    .col(integer(Agreement::SourceId))
                    .col(string(Agreement::Ref))
                    .col(text(Agreement::Title))
                    .col(string_len(Agreement::Kind, 64))
                    .col(string_null(Agreement::SourceKind))
                    .col(string_len(Agreement::Status, 64))
                    .col(integer_null(Agreement::SignedYear))
                    .col(date_null(Agreement::SignedOn))
                    .col(integer_null(Agreement::InForceYear))
                    .col(date_null(Agreement::InForceOn))
                    .col(date_null(Agreement::TerminatedOn))
                    .foreign_key(&mut fk(Agreement::Table, Agreement::SourceId, Source::Table, Restrict))
                    .index(
                        Index::create()
                            .name("uq_agreement_source_ref")
                            .col(Agreement::SourceId)
                            .col(Agreement::Ref)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in
            [("idx_agreement_signed_year", cols(&["signed_year", "id"])), ("idx_agreement_kind", cols(&["kind"]))]
        {
            manager.create_index(index(Agreement::Table, name, columns)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AgreementParty::Table)
                    .col(integer(AgreementParty::AgreementId))
                    .col(integer(AgreementParty::CountryId))
                    .col(integer_null(AgreementParty::JoinedYear))
                    .col(integer_null(AgreementParty::WithdrawnYear))
                    .primary_key(Index::create().col(AgreementParty::AgreementId).col(AgreementParty::CountryId))
                    .foreign_key(&mut fk(AgreementParty::Table, AgreementParty::AgreementId, Agreement::Table, Cascade))
                    .foreign_key(&mut fk(AgreementParty::Table, AgreementParty::CountryId, Country::Table, Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                AgreementParty::Table,
                "idx_agreement_party_country",
                cols(&["country_id", "agreement_id"]),
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AgreementSector::Table)
                    .col(integer(AgreementSector::AgreementId))
                    .col(integer(AgreementSector::SectorId))
                    .primary_key(Index::create().col(AgreementSector::AgreementId).col(AgreementSector::SectorId))
                    .foreign_key(&mut fk(
                        AgreementSector::Table,
                        AgreementSector::AgreementId,
                        Agreement::Table,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(AgreementSector::Table, AgreementSector::SectorId, Sector::Table, Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                AgreementSector::Table,
                "idx_agreement_sector_sector",
                cols(&["sector_id", "agreement_id"]),
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Flow::Table)
                    .col(pk_auto(Flow::Id))
                    .col(integer(Flow::SourceId))
                    .col(string(Flow::Ref))
                    .col(integer(Flow::ProviderId))
                    .col(integer_null(Flow::RecipientId))
                    .col(string_null(Flow::RecipientLabel))
                    .col(integer_null(Flow::Year))
                    .col(string_len(Flow::Kind, 64))
                    .col(string_null(Flow::FlowType))
                    .col(string_null(Flow::FlowClass))
                    .col(double_null(Flow::AmountUsdCurrent))
                    .col(double_null(Flow::AmountUsdConstant))
                    .col(integer_null(Flow::ConstantBaseYear))
                    .col(integer_null(Flow::SectorId))
                    .col(integer_null(Flow::AgreementId))
                    .col(text_null(Flow::Title))
                    .col(text_null(Flow::Description))
                    .col(string_null(Flow::Status))
                    .col(date_null(Flow::StartOn))
                    .col(date_null(Flow::EndOn))
                    .col(boolean_null(Flow::RecommendedForResearch))
                    .foreign_key(&mut fk(Flow::Table, Flow::SourceId, Source::Table, Restrict))
                    .foreign_key(&mut fk(Flow::Table, Flow::ProviderId, Country::Table, Restrict))
                    .foreign_key(&mut fk(Flow::Table, Flow::RecipientId, Country::Table, Restrict))
                    .foreign_key(&mut fk(Flow::Table, Flow::SectorId, Sector::Table, SetNull))
                    .foreign_key(&mut fk(Flow::Table, Flow::AgreementId, Agreement::Table, SetNull))
                    .index(Index::create().name("uq_flow_source_ref").col(Flow::SourceId).col(Flow::Ref).unique())
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_flow_provider", cols(&["provider_id", "id"])),
            ("idx_flow_recipient", cols(&["recipient_id", "id"])),
            ("idx_flow_sector", cols(&["sector_id", "id"])),
            ("idx_flow_agreement", cols(&["agreement_id", "id"])),
            ("idx_flow_year", cols(&["year", "id"])),
            ("idx_flow_kind", cols(&["kind"])),
        ] {
            manager.create_index(index(Flow::Table, name, columns)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Expert::Table)
                    .col(pk_auto(Expert::Id))
                    .col(integer(Expert::SourceId))
                    .col(string(Expert::Ref))
                    .col(text(Expert::Name))
                    .col(string_len(Expert::Kind, 64))
                    .col(integer_null(Expert::HomeCountryId))
                    .col(integer_null(Expert::Headcount))
                    .foreign_key(&mut fk(Expert::Table, Expert::SourceId, Source::Table, Restrict))
                    .foreign_key(&mut fk(Expert::Table, Expert::HomeCountryId, Country::Table, SetNull))
                    .index(Index::create().name("uq_expert_source_ref").col(Expert::SourceId).col(Expert::Ref).unique())
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(Expert::Table, "idx_expert_home_country", cols(&["home_country_id", "id"]))).await?;

        manager
            .create_table(
                Table::create()
                    .table(ExpertSector::Table)
                    .col(integer(ExpertSector::ExpertId))
                    .col(integer(ExpertSector::SectorId))
                    .primary_key(Index::create().col(ExpertSector::ExpertId).col(ExpertSector::SectorId))
                    .foreign_key(&mut fk(ExpertSector::Table, ExpertSector::ExpertId, Expert::Table, Cascade))
                    .foreign_key(&mut fk(ExpertSector::Table, ExpertSector::SectorId, Sector::Table, Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(ExpertSector::Table, "idx_expert_sector_sector", cols(&["sector_id", "expert_id"])))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Deployment::Table)
                    .col(pk_auto(Deployment::Id))
                    .col(integer(Deployment::ExpertId))
                    .col(string(Deployment::Ref))
                    .col(integer_null(Deployment::HostCountryId))
                    .col(integer_null(Deployment::StartYear))
                    .col(integer_null(Deployment::EndYear))
                    .col(integer_null(Deployment::FlowId))
                    .col(integer_null(Deployment::AgreementId))
                    .foreign_key(&mut fk(Deployment::Table, Deployment::ExpertId, Expert::Table, Cascade))
                    .foreign_key(&mut fk(Deployment::Table, Deployment::HostCountryId, Country::Table, SetNull))
                    .foreign_key(&mut fk(Deployment::Table, Deployment::FlowId, Flow::Table, SetNull))
                    .foreign_key(&mut fk(Deployment::Table, Deployment::AgreementId, Agreement::Table, SetNull))
                    .index(
                        Index::create()
                            .name("uq_deployment_expert_ref")
                            .col(Deployment::ExpertId)
                            .col(Deployment::Ref)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(Deployment::Table, "idx_deployment_host_country", cols(&["host_country_id", "id"])))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ImportRun::Table)
                    .col(pk_auto(ImportRun::Id))
                    .col(integer(ImportRun::SourceId))
                    .col(string(ImportRun::File))
                    .col(timestamp_with_time_zone(ImportRun::StartedAt))
                    .col(timestamp_with_time_zone(ImportRun::FinishedAt))
                    .col(string_len(ImportRun::Status, 16))
                    .col(integer(ImportRun::RowsRead))
                    .col(integer(ImportRun::RowsInserted))
                    .col(integer(ImportRun::RowsUpdated))
                    .col(integer(ImportRun::RowsSkipped))
                    .col(text_null(ImportRun::Messages))
                    .foreign_key(&mut fk(ImportRun::Table, ImportRun::SourceId, Source::Table, Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(ImportRun::Table, "idx_import_run_source", cols(&["source_id", "id"]))).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ImportRun::Table.into_iden(),
            Deployment::Table.into_iden(),
            ExpertSector::Table.into_iden(),
            Expert::Table.into_iden(),
            Flow::Table.into_iden(),
            AgreementSector::Table.into_iden(),
            AgreementParty::Table.into_iden(),
            Agreement::Table.into_iden(),
            Sector::Table.into_iden(),
            BlocMember::Table.into_iden(),
            Bloc::Table.into_iden(),
            Country::Table.into_iden(),
            Source::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
