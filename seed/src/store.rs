//! Storing what the loaders built, the same way for every dataset: flows and agreements
//! upserted by (source, ref), their parties by (agreement, country), experts by
//! (source, ref), their sectors by (expert, sector) and deployments by (expert, ref), all
//! inside the run's transaction; and the id lookups loaders share (ids by `ref`, DAC
//! sector ids by code).
//!
//! Every loader stores through here, and this module imports no loader, so the dataset
//! modules depend on it and on nothing of each other.

use crate::error::ImportError;
use crate::run::Load;
use crate::sync::{upsert, upsert_changes};
use entity::{
    agreement, agreement_bloc_party, agreement_party, deployment, exchange, expert, expert_sector, flow, flow_code,
    flow_repeat, price_index, sector,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The vocabulary of every DAC sector row.
pub(crate) const DAC_VOCABULARY: &str = "DAC";

/// Rows of a parent table whose children are read per `IN (...)` list: well under both
/// databases' bind-parameter limits.
const IN_LIST: usize = 500;

/// An expert with its sectors and deployments (their `expert_id` is filled in here).
#[derive(Clone, Debug)]
pub(crate) struct ExpertRows {
    pub expert: expert::Model,
    pub sector_ids: Vec<i32>,
    pub deployments: Vec<deployment::Model>,
}

/// Makes the source's flows those of `rows` (deleting the others); [`flow_ids`] then gives
/// their ids. Their real amounts are set from the stored price index ([`real_amount`]).
pub(crate) async fn flows(load: &mut Load<'_>, mut rows: Vec<flow::Model>) -> Result<(), ImportError> {
    let series = price_series(load.txn).await?;
    for row in &mut rows {
        row.amount_usd_real =
            real_amount(row.year, row.amount_usd_current, row.amount_usd_constant, row.constant_base_year, &series);
    }
    let existing = flow::Entity::find().filter(flow::Column::SourceId.eq(load.source_id)).all(load.txn).await?;
    if existing.iter().chain(&rows).any(|row| row.kind != entity::FlowKind::Trade) {
        load.stale_totals.add(load.source_id);
    }
    replace::<flow::Entity>(load, "FLOW", existing, rows, |row| (row.id, row.r#ref.clone()), flow::Column::Id).await
}

/// The ids of all the source's flows, by `ref`: for the loaders that link rows to them
/// (the trade flows link nothing, and do not read their 98,532 ids back).
pub(crate) async fn flow_ids(load: &Load<'_>) -> Result<HashMap<String, i32>, ImportError> {
    ids_by_ref::<flow::Entity>(load, flow::Column::Id, flow::Column::Ref, flow::Column::SourceId).await
}

/// The stored CPI-U series, by year.
pub(crate) async fn price_series(db: &impl ConnectionTrait) -> Result<HashMap<i32, f64>, DbErr> {
    let rows = price_index::Entity::find().all(db).await?;
    Ok(rows.into_iter().map(|row| (row.year, row.cpi_u)).collect())
}

/// A flow's real amount: US dollars of 1982–84 prices by the CPI-U `series`. The current
/// amount over the index of the flow's year, else the constant amount over the index of
/// its base year (rebased), times 100; none where the series lacks the year. The one
/// definition of real amounts: the API scales it to the year a client asks for.
pub(crate) fn real_amount(
    year: Option<i32>,
    current: Option<f64>,
    constant: Option<f64>,
    constant_base_year: Option<i32>,
    series: &HashMap<i32, f64>,
) -> Option<f64> {
    let deflated =
        |amount: f64, year: Option<i32>| year.and_then(|year| series.get(&year)).map(|cpi| amount * 100.0 / cpi);
    match current {
        Some(current) => deflated(current, year),
        None => constant.and_then(|constant| deflated(constant, constant_base_year)),
    }
}

/// Sets again the real amount of every stored flow whose amount the `series` now prices
/// differently (after the series changed), one update per such flow.
pub(crate) async fn reprice_flows(db: &impl ConnectionTrait, series: &HashMap<i32, f64>) -> Result<u64, DbErr> {
    use flow::Column;
    type Priced = (i32, Option<i32>, Option<f64>, Option<f64>, Option<i32>, Option<f64>);
    let stored: Vec<Priced> = flow::Entity::find()
        .select_only()
        .columns([
            Column::Id,
            Column::Year,
            Column::AmountUsdCurrent,
            Column::AmountUsdConstant,
            Column::ConstantBaseYear,
            Column::AmountUsdReal,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let mut changed = 0;
    for (id, year, current, constant, base, real) in stored {
        let priced = real_amount(year, current, constant, base, series);
        if priced != real {
            flow::Entity::update_many()
                .col_expr(Column::AmountUsdReal, sea_orm::sea_query::Expr::value(priced))
                .filter(Column::Id.eq(id))
                .exec(db)
                .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Makes the source's agreements those of `rows` (deleting the others, with their
/// parties and sectors) and returns the ids of all its agreements by `ref`.
pub(crate) async fn agreements(
    load: &mut Load<'_>,
    rows: Vec<agreement::Model>,
) -> Result<HashMap<String, i32>, ImportError> {
    let existing =
        agreement::Entity::find().filter(agreement::Column::SourceId.eq(load.source_id)).all(load.txn).await?;
    let key = |row: &agreement::Model| (row.id, row.r#ref.clone());
    replace::<agreement::Entity>(load, "AGREEMENT", existing, rows, key, agreement::Column::Id).await?;
    ids_by_ref::<agreement::Entity>(load, agreement::Column::Id, agreement::Column::Ref, agreement::Column::SourceId)
        .await
}

/// Makes the source's exchanges those of `rows` (deleting the others).
pub(crate) async fn exchanges(load: &mut Load<'_>, rows: Vec<exchange::Model>) -> Result<(), ImportError> {
    let existing = exchange::Entity::find().filter(exchange::Column::SourceId.eq(load.source_id)).all(load.txn).await?;
    let key = |row: &exchange::Model| (row.id, row.r#ref.clone());
    replace::<exchange::Entity>(load, "EXCHANGE", existing, rows, key, exchange::Column::Id).await
}

/// Makes a source's records of one kind equal `rows`: upserts them by `ref`, and deletes
/// the stored ones that `rows` no longer has (their links go with them: the schema's
/// foreign keys cascade or set null). Counts and logs what changed (`record`: the kind's
/// name in the log). `key` gives a row's id and `ref`.
///
/// When the run skipped rows for errors (with `skip_bad_rows`, or keys no table resolves),
/// nothing is deleted: a record missing from `rows` may be one of those rows, still in the
/// file; the records kept so are noted.
async fn replace<E>(
    load: &mut Load<'_>,
    record: &'static str,
    existing: Vec<E::Model>,
    rows: Vec<E::Model>,
    key: impl Fn(&E::Model) -> (i32, String),
    id: E::Column,
) -> Result<(), ImportError>
where
    E: EntityTrait,
    E::Model: sea_orm::IntoActiveModel<E::ActiveModel> + Clone,
    E::ActiveModel: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    let kept: std::collections::HashSet<String> = rows.iter().map(|row| key(row).1).collect();
    let (mut stale, mut existing): (Vec<E::Model>, Vec<E::Model>) =
        existing.into_iter().partition(|row| !kept.contains(&key(row).1));
    if load.report.skipped > 0 && !stale.is_empty() {
        let message = format!(
            "{} {record} records that the file no longer has were kept, not deleted: rows were skipped for errors",
            stale.len()
        );
        load.note(0, &message);
        existing.append(&mut stale);
    }
    let stale_ids: Vec<i32> = stale.iter().map(|row| key(row).0).collect();
    for chunk in stale_ids.chunks(IN_LIST) {
        E::delete_many().filter(id.is_in(chunk.to_vec())).exec(load.txn).await?;
    }
    load.report.deleted += stale_ids.len() as u64;
    load.log_changes(record, "DELETED", stale.iter().map(|row| key(row).1).collect());
    let changes = upsert_changes::<E, _, _>(load.txn, existing, rows, |row| key(row).1, Some(id)).await?;
    load.log_changes(record, "INSERTED", changes.inserted);
    load.log_changes(record, "UPDATED", changes.updated);
    load.count(changes.tally);
    Ok(())
}

/// Makes the source's experts those of `rows` (deleting the others, with their sectors and
/// deployments), then upserts their sectors and deployments.
pub(crate) async fn experts(load: &mut Load<'_>, rows: Vec<ExpertRows>) -> Result<(), ImportError> {
    let models = rows.iter().map(|row| row.expert.clone()).collect();
    let existing = expert::Entity::find().filter(expert::Column::SourceId.eq(load.source_id)).all(load.txn).await?;
    replace::<expert::Entity>(load, "EXPERT", existing, models, |row| (row.id, row.r#ref.clone()), expert::Column::Id)
        .await?;
    let ids =
        ids_by_ref::<expert::Entity>(load, expert::Column::Id, expert::Column::Ref, expert::Column::SourceId).await?;

    let mut sectors = Vec::new();
    let mut deployments = Vec::new();
    let mut expert_ids = Vec::new();
    for row in rows {
        let Some(expert_id) = ids.get(&row.expert.r#ref).copied() else { continue };
        expert_ids.push(expert_id);
        sectors.extend(row.sector_ids.into_iter().map(|sector_id| expert_sector::Model { expert_id, sector_id }));
        deployments.extend(row.deployments.into_iter().map(|deployment| deployment::Model { expert_id, ..deployment }));
    }
    let mut existing_sectors = Vec::new();
    let mut existing_deployments = Vec::new();
    for chunk in expert_ids.chunks(IN_LIST) {
        existing_sectors.extend(
            expert_sector::Entity::find()
                .filter(expert_sector::Column::ExpertId.is_in(chunk.to_vec()))
                .all(load.txn)
                .await?,
        );
        existing_deployments.extend(
            deployment::Entity::find().filter(deployment::Column::ExpertId.is_in(chunk.to_vec())).all(load.txn).await?,
        );
    }
    let tally = upsert::<expert_sector::Entity, _, _>(
        load.txn,
        existing_sectors,
        sectors,
        |row| (row.expert_id, row.sector_id),
        None,
    )
    .await?;
    load.count(tally);
    let tally = upsert::<deployment::Entity, _, _>(
        load.txn,
        existing_deployments,
        deployments,
        |row| (row.expert_id, row.r#ref.clone()),
        Some(deployment::Column::Id),
    )
    .await?;
    load.count(tally);
    Ok(())
}

/// Makes the country parties of a source's agreements (`agreement_ids`: all of them) equal
/// `rows` ([`replace_rows`]); none is deleted when rows were skipped for errors, as in
/// [`replace`].
pub(crate) async fn parties(
    load: &mut Load<'_>,
    agreement_ids: Vec<i32>,
    rows: Vec<agreement_party::Model>,
) -> Result<(), ImportError> {
    let existing =
        linked::<agreement_party::Entity>(load, agreement_party::Column::AgreementId, &agreement_ids).await?;
    replace_rows::<agreement_party::Entity, _>(
        load,
        "parties",
        existing,
        rows,
        |row| (row.agreement_id, row.country_id),
        load.report.skipped == 0,
    )
    .await?;
    Ok(())
}

/// Makes the bloc parties of a source's agreements (`agreement_ids`: all of them) equal
/// `rows` ([`replace_rows`]).
pub(crate) async fn bloc_parties(
    load: &mut Load<'_>,
    agreement_ids: Vec<i32>,
    rows: Vec<agreement_bloc_party::Model>,
) -> Result<(), ImportError> {
    let existing =
        linked::<agreement_bloc_party::Entity>(load, agreement_bloc_party::Column::AgreementId, &agreement_ids).await?;
    replace_rows::<agreement_bloc_party::Entity, _>(
        load,
        "bloc parties",
        existing,
        rows,
        |row| (row.agreement_id, row.bloc_id),
        true,
    )
    .await?;
    Ok(())
}

/// Makes the stored rows that `existing` holds equal `rows`: upserts them by `key`, and,
/// when `delete_stale`, deletes by primary key the existing rows whose key `rows` lacks,
/// noting how many as `what`. Returns how many it deleted.
pub(crate) async fn replace_rows<E, K>(
    load: &mut Load<'_>,
    what: &str,
    existing: Vec<E::Model>,
    rows: Vec<E::Model>,
    key: impl Fn(&E::Model) -> K,
    delete_stale: bool,
) -> Result<u64, ImportError>
where
    E: EntityTrait,
    E::Model: sea_orm::IntoActiveModel<E::ActiveModel> + Clone,
    E::ActiveModel: sea_orm::ActiveModelTrait<Entity = E> + Send,
    K: Eq + std::hash::Hash + Clone,
{
    let keep: std::collections::HashSet<K> = rows.iter().map(&key).collect();
    let (stale, existing): (Vec<E::Model>, Vec<E::Model>) =
        existing.into_iter().partition(|row| !keep.contains(&key(row)));
    let mut deleted = 0;
    if delete_stale {
        for row in stale {
            E::delete(sea_orm::IntoActiveModel::into_active_model(row)).exec(load.txn).await?;
            deleted += 1;
        }
    }
    if deleted > 0 {
        load.note(0, &format!("{deleted} {what} no longer in the files were removed"));
    }
    let tally = upsert::<E, _, _>(load.txn, existing, rows, key, None).await?;
    load.count(tally);
    Ok(deleted)
}

/// The rows of a link table `E` whose `column` is one of `ids`, read in chunks.
async fn linked<E: EntityTrait>(load: &Load<'_>, column: E::Column, ids: &[i32]) -> Result<Vec<E::Model>, DbErr> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(IN_LIST) {
        rows.extend(E::find().filter(column.is_in(chunk.to_vec())).all(load.txn).await?);
    }
    Ok(rows)
}

/// Makes the codes of a source's flows (`flow_ids`: all of them) equal `rows`
/// ([`replace_rows`]).
pub(crate) async fn flow_codes(
    load: &mut Load<'_>,
    flow_ids: Vec<i32>,
    rows: Vec<flow_code::Model>,
) -> Result<(), ImportError> {
    let existing = linked::<flow_code::Entity>(load, flow_code::Column::FlowId, &flow_ids).await?;
    replace_rows::<flow_code::Entity, _>(
        load,
        "flow codes",
        existing,
        rows,
        |row| (row.flow_id, row.list.clone()),
        true,
    )
    .await?;
    Ok(())
}

/// Links each flow of the source `repeating` to the flow of the source `original` with the
/// same `ref` (the same project published in two datasets), replacing the links the
/// repeating source's flows had ([`replace_rows`]); returns the `ref`s linked, sorted.
pub(crate) async fn link_repeats(
    load: &mut Load<'_>,
    repeating: i32,
    original: i32,
) -> Result<Vec<String>, ImportError> {
    let ids = |source: i32| {
        flow::Entity::find()
            .select_only()
            .columns([flow::Column::Ref, flow::Column::Id])
            .filter(flow::Column::SourceId.eq(source))
            .into_tuple::<(String, i32)>()
            .all(load.txn)
    };
    let repeating_ids: HashMap<String, i32> = ids(repeating).await?.into_iter().collect();
    let original_ids: HashMap<String, i32> = ids(original).await?.into_iter().collect();
    let mut linked_refs = Vec::new();
    let mut rows = Vec::new();
    for (reference, flow_id) in &repeating_ids {
        if let Some(repeat_of_id) = original_ids.get(reference) {
            linked_refs.push(reference.clone());
            rows.push(flow_repeat::Model { flow_id: *flow_id, repeat_of_id: *repeat_of_id });
        }
    }
    linked_refs.sort_unstable();
    rows.sort_by_key(|row| row.flow_id);
    let flow_ids: Vec<i32> = repeating_ids.into_values().collect();
    let existing = linked::<flow_repeat::Entity>(load, flow_repeat::Column::FlowId, &flow_ids).await?;
    load.stale_totals.add(repeating);
    replace_rows::<flow_repeat::Entity, _>(load, "repeats", existing, rows, |row| row.flow_id, true).await?;
    Ok(linked_refs)
}

/// The ids of the run's source's rows of `E` by `ref` (`id`, `reference` and `source`:
/// the entity's id, ref and source columns).
pub(crate) async fn ids_by_ref<E: EntityTrait>(
    load: &Load<'_>,
    id: E::Column,
    reference: E::Column,
    source: E::Column,
) -> Result<HashMap<String, i32>, ImportError> {
    let rows: Vec<(i32, String)> = E::find()
        .select_only()
        .columns([id, reference])
        .filter(source.eq(load.source_id))
        .into_tuple()
        .all(load.txn)
        .await?;
    Ok(rows.into_iter().map(|(id, reference)| (reference, id)).collect())
}

/// The ids of the DAC sectors by code.
pub(crate) async fn sector_ids<C: ConnectionTrait>(db: &C) -> Result<HashMap<String, i32>, DbErr> {
    let rows: Vec<(i32, String)> = sector::Entity::find()
        .select_only()
        .columns([sector::Column::Id, sector::Column::Code])
        .filter(sector::Column::Vocabulary.eq(DAC_VOCABULARY))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, code)| (code, id)).collect())
}

/// A flow row with the columns every loader sets the same way left empty.
pub(crate) fn flow_row(source_id: i32, reference: String, provider_id: i32, kind: entity::FlowKind) -> flow::Model {
    flow::Model {
        id: 0,
        source_id,
        r#ref: reference,
        provider_id,
        recipient_id: None,
        recipient_label: None,
        year: None,
        kind,
        flow_type: None,
        flow_class: None,
        amount_usd_current: None,
        amount_usd_constant: None,
        constant_base_year: None,
        amount_usd_real: None,
        sector_id: None,
        agreement_id: None,
        title: None,
        description: None,
        status: None,
        start_on: None,
        end_on: None,
        recommended_for_research: None,
    }
}
