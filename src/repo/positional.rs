//! Listed rows decoded by position, not by name.
//!
//! sea-orm's derived models read each column by name: the driver hashes the name to find
//! the column, and a `NULL` in an optional column builds, and throws away, an error message
//! that quotes the name. For the pages of a list that came to about a third of a nested
//! query's instructions. The listings ([`super::page`]) select every column of the table in
//! the entity's own order, so the model's columns are at known positions: [`model`] reads
//! each there, straight into the model's field, by the field's own type.
//!
//! Each listed model names its fields in column order below ([`Positional`]); a test checks
//! the names against the entity's columns, and the compiler checks that every field is
//! named and has a decoding.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    AgreementKind, AgreementStatus, BlocKind, ExchangeKind, ExpertKind, FlowKind, ImportStatus, SectorLevel, agreement,
    bloc, country, deployment, exchange, expert, flow, import_change, import_run, sector, source,
};
use sea_orm::{
    ActiveEnum, DbErr, QueryResult,
    sqlx::{self, Decode, Postgres, Row, Sqlite, postgres::PgRow, sqlite::SqliteRow},
};

/// A model read from a row's consecutive columns, in its entity's column order.
pub trait Positional: Sized {
    /// The fields' names as written in the model (`r#ref` for the column `ref`), in the
    /// order they are read.
    const COLUMNS: &'static [&'static str];

    /// The model whose first column is column `start` of `row`.
    fn read(row: AnyRow<'_>, start: usize) -> Result<Self, DbErr>;
}

/// The model whose columns start at position `start` of `row`, in the entity's order.
pub fn model<M: Positional>(row: &QueryResult, start: usize) -> Result<M, DbErr> {
    let row = if let Some(row) = row.try_as_pg_row() {
        AnyRow::Postgres(row)
    } else if let Some(row) = row.try_as_sqlite_row() {
        AnyRow::Sqlite(row)
    } else {
        return Err(DbErr::Type("rows by position are read from PostgreSQL and SQLite only".to_owned()));
    };
    M::read(row, start)
}

/// A row of either database this reads by position.
#[derive(Clone, Copy)]
pub enum AnyRow<'r> {
    /// A PostgreSQL row.
    Postgres(&'r PgRow),
    /// A SQLite row.
    Sqlite(&'r SqliteRow),
}

/// A field's type, decoded from the column at a position.
///
/// The driver's check that the column's database type suits the Rust type is skipped: it
/// cost more than the decoding (a string compares the column's type with five). The types
/// are the entity's own, which the migrations create, and every listed entity is read by
/// the tests on both databases.
trait Field: Sized {
    /// The value of column `at` of `row`.
    fn decode(row: AnyRow<'_>, at: usize) -> Result<Self, sqlx::Error>;
}

/// Reads the column at `*at` and moves `at` to the next one; an error names the position.
fn next<T: Field>(row: AnyRow<'_>, at: &mut usize) -> Result<T, DbErr> {
    let value = T::decode(row, *at).map_err(|error| DbErr::Type(format!("column {at}: {error}")));
    *at += 1;
    value
}

/// Types both drivers decode, bare and optional. A bare one is read as optional first:
/// SQLite's driver would read a `NULL` as 0, `""` or `false` where PostgreSQL's refuses it.
macro_rules! decoded {
    ($($ty:ty),*) => {$(
        impl Field for $ty {
            fn decode(row: AnyRow<'_>, at: usize) -> Result<Self, sqlx::Error> {
                unchecked::<Option<$ty>>(row, at)?.ok_or_else(|| sqlx::Error::Decode("unexpected NULL".into()))
            }
        }

        impl Field for Option<$ty> {
            fn decode(row: AnyRow<'_>, at: usize) -> Result<Self, sqlx::Error> {
                unchecked(row, at)
            }
        }
    )*};
}
decoded!(i32, i64, f64, bool, String, NaiveDate, DateTime<Utc>);

/// The column at `at` as `T`, without the driver's type check.
fn unchecked<T>(row: AnyRow<'_>, at: usize) -> Result<T, sqlx::Error>
where
    T: for<'r> Decode<'r, Postgres> + for<'r> Decode<'r, Sqlite>,
{
    match row {
        AnyRow::Postgres(row) => row.try_get_unchecked(at),
        AnyRow::Sqlite(row) => row.try_get_unchecked(at),
    }
}

/// The entities' enumerations, stored as their string values.
macro_rules! enumerated {
    ($($ty:ty),*) => {$(
        impl Field for $ty {
            fn decode(row: AnyRow<'_>, at: usize) -> Result<Self, sqlx::Error> {
                let value: String = unchecked(row, at)?;
                <$ty>::try_from_value(&value).map_err(|error| sqlx::Error::Decode(error.to_string().into()))
            }
        }
    )*};
}
enumerated!(AgreementKind, AgreementStatus, BlocKind, ExchangeKind, ExpertKind, FlowKind, ImportStatus, SectorLevel);

/// Implements [`Positional`] for each entity's model, from its fields in column order.
macro_rules! positional {
    ($($module:ident { $($field:ident),* $(,)? })*) => {$(
        impl Positional for $module::Model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn read(row: AnyRow<'_>, start: usize) -> Result<Self, DbErr> {
                let mut at = start;
                Ok(Self { $($field: next(row, &mut at)?),* })
            }
        }
    )*};
}

positional! {
    agreement {
        id, source_id, r#ref, title, kind, source_kind, status, signed_year, signed_on, in_force_year, in_force_on,
        terminated_on,
    }
    bloc { id, code, name, kind, source_id }
    country {
        id, iso3, iso2, m49, iso_numeric, name, official_name, region_code, region_name, sub_region_code,
        sub_region_name, intermediate_region_code, intermediate_region_name, wb_region, income_group,
        lending_category, is_developing, is_ldc, is_lldc, is_sids, latitude, longitude, source_id,
    }
    deployment { id, expert_id, r#ref, host_country_id, start_year, end_year, flow_id, agreement_id }
    exchange { id, source_id, r#ref, provider_id, partner_id, year, kind, count }
    expert { id, source_id, r#ref, name, kind, home_country_id, headcount }
    flow {
        id, source_id, r#ref, provider_id, recipient_id, recipient_label, year, kind, flow_type, flow_class,
        amount_usd_current, amount_usd_constant, constant_base_year, amount_usd_real, sector_id, agreement_id,
        title, description, status, start_on, end_on, recommended_for_research,
    }
    import_change { id, run_id, source_id, record, r#ref, change }
    import_run {
        id, source_id, file, started_at, finished_at, status, rows_read, rows_inserted, rows_updated, rows_deleted,
        rows_skipped, rows_left_out, references_unmatched, skip_reasons, messages,
    }
    sector { id, vocabulary, code, level, name, description, parent_id, active, source_id }
    source {
        id, key, title, publisher, url, licence, citation, version, retrieved_on, guidance, checksum, imported_at,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database, DbBackend, EntityTrait, IdenStatic, Iterable, Statement};

    use super::*;

    /// The names of `M`'s fields as [`Positional`] reads them.
    fn fields<M: Positional>() -> Vec<&'static str> {
        M::COLUMNS.iter().map(|field| field.trim_start_matches("r#")).collect()
    }

    /// The names of `E`'s columns, in its order.
    fn columns<E: EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|column| column.as_str()).collect()
    }

    #[test]
    fn every_model_reads_its_columns_in_the_entitys_order() {
        assert_eq!(fields::<agreement::Model>(), columns::<agreement::Entity>());
        assert_eq!(fields::<bloc::Model>(), columns::<bloc::Entity>());
        assert_eq!(fields::<country::Model>(), columns::<country::Entity>());
        assert_eq!(fields::<deployment::Model>(), columns::<deployment::Entity>());
        assert_eq!(fields::<exchange::Model>(), columns::<exchange::Entity>());
        assert_eq!(fields::<expert::Model>(), columns::<expert::Entity>());
        assert_eq!(fields::<flow::Model>(), columns::<flow::Entity>());
        assert_eq!(fields::<import_change::Model>(), columns::<import_change::Entity>());
        assert_eq!(fields::<import_run::Model>(), columns::<import_run::Entity>());
        assert_eq!(fields::<sector::Model>(), columns::<sector::Entity>());
        assert_eq!(fields::<source::Model>(), columns::<source::Entity>());
    }

    /// The bloc row `SELECT`ed by `sql` on an in-memory SQLite database.
    async fn bloc_of(sql: &str) -> Result<bloc::Model, DbErr> {
        let db = Database::connect("sqlite::memory:").await?;
        let row = db.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql)).await?.expect("one row");
        model(&row, 0)
    }

    #[tokio::test]
    async fn a_row_is_read_by_position_and_type() {
        let bloc = bloc_of("SELECT 7, 'G77', 'Group of 77', 'NEGOTIATING_GROUP', 3").await.expect("read");
        assert_eq!(
            bloc,
            bloc::Model {
                id: 7,
                code: "G77".to_owned(),
                name: "Group of 77".to_owned(),
                kind: BlocKind::NegotiatingGroup,
                source_id: 3,
            }
        );
    }

    #[tokio::test]
    async fn a_null_or_an_unknown_value_in_a_required_column_is_an_error_that_names_its_position() {
        // SQLite's driver alone would read the NULL as an empty string.
        let null = bloc_of("SELECT 7, NULL, 'Group of 77', 'NEGOTIATING_GROUP', 3").await.expect_err("NULL code");
        assert!(null.to_string().contains("column 1") && null.to_string().contains("NULL"), "{null}");
        let kind = bloc_of("SELECT 7, 'G77', 'Group of 77', 'CLUB', 3").await.expect_err("unknown kind");
        assert!(kind.to_string().contains("column 3"), "{kind}");
    }
}
