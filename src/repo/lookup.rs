//! Lookups by primary key and by natural key: every lookup the resolvers and loaders make
//! that is not a listing or an aggregate.

use std::collections::HashMap;

use entity::{
    agreement, bloc, bloc_member, code_list_item, country, country_income_group, deployment, exchange, expert, flow,
    flow_code, flow_repeat, import_change, import_run, sector, source,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    sea_query::{Condition, Expr, ExprTrait, JoinType},
};

use super::positional::Positional;

/// Tables whose primary key is an integer column `id`, and their rows.
pub trait WithId: EntityTrait<Model: HasId + Positional> {
    /// The primary key column.
    fn id() -> Self::Column;
}

/// Rows that have an integer primary key `id`.
pub trait HasId {
    /// The primary key.
    fn id(&self) -> i32;
}

macro_rules! with_id {
    ($($module:ident),*) => {$(
        impl WithId for $module::Entity {
            fn id() -> Self::Column {
                $module::Column::Id
            }
        }

        impl HasId for $module::Model {
            fn id(&self) -> i32 {
                self.id
            }
        }
    )*};
}
with_id!(agreement, bloc, country, deployment, exchange, expert, flow, import_change, import_run, sector, source);

/// Rows of a table by primary key, in no particular order; no statement for no ids.
pub async fn by_ids<E: WithId>(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<E::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    E::find().filter(E::id().is_in(ids.iter().copied())).all(db).await
}

/// A country by ISO 3166-1 alpha-3 or alpha-2 code, in any case.
pub async fn country_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<country::Model>, DbErr> {
    let code = code.trim().to_ascii_uppercase();
    let column = if code.len() == 2 { country::Column::Iso2 } else { country::Column::Iso3 };
    country::Entity::find().filter(column.eq(code)).one(db).await
}

/// Country ids by code: each of `codes` (upper case) that is an ISO3 or ISO2 code, with the
/// id of its country.
pub async fn country_ids_by_codes(db: &impl ConnectionTrait, codes: &[String]) -> Result<HashMap<String, i32>, DbErr> {
    let countries = country::Entity::find()
        .filter(
            country::Column::Iso3.is_in(codes.iter().cloned()).or(country::Column::Iso2.is_in(codes.iter().cloned())),
        )
        .all(db)
        .await?;
    let mut ids = HashMap::new();
    for country in countries {
        for code in codes {
            if *code == country.iso3 || Some(code) == country.iso2.as_ref() {
                ids.insert(code.clone(), country.id);
            }
        }
    }
    Ok(ids)
}

/// The sources with these ids or these keys, in no particular order.
pub async fn sources_by_ids_or_keys(
    db: &impl ConnectionTrait,
    ids: &[i32],
    keys: &[&str],
) -> Result<Vec<source::Model>, DbErr> {
    source::Entity::find()
        .filter(source::Column::Id.is_in(ids.iter().copied()).or(source::Column::Key.is_in(keys.iter().copied())))
        .all(db)
        .await
}

/// Source ids by source key.
pub async fn source_ids(db: &impl ConnectionTrait, keys: &[&str]) -> Result<HashMap<String, i32>, DbErr> {
    let sources = source::Entity::find().filter(source::Column::Key.is_in(keys.iter().copied())).all(db).await?;
    Ok(sources.into_iter().map(|source| (source.key, source.id)).collect())
}

/// A condition matching rows by `(source_id, ref)` pairs, given as `(source key, ref)`.
/// Pairs whose source is unknown match nothing.
async fn by_source_refs<C: ColumnTrait>(
    db: &impl ConnectionTrait,
    pairs: &[(&str, &str)],
    source_column: C,
    ref_column: C,
) -> Result<Condition, DbErr> {
    let keys: Vec<&str> = pairs.iter().map(|(key, _)| *key).collect();
    let ids = source_ids(db, &keys).await?;
    let mut condition = Condition::any().add(Expr::val(false));
    for (key, reference) in pairs {
        if let Some(id) = ids.get(*key) {
            condition = condition.add(source_column.eq(*id).and(ref_column.eq(*reference)));
        }
    }
    Ok(condition)
}

/// Flows by `(source key, ref)`.
pub async fn flows_by_refs(db: &impl ConnectionTrait, pairs: &[(&str, &str)]) -> Result<Vec<flow::Model>, DbErr> {
    let condition = by_source_refs(db, pairs, flow::Column::SourceId, flow::Column::Ref).await?;
    flow::Entity::find().filter(condition).all(db).await
}

/// Agreements by `(source key, ref)`.
pub async fn agreements_by_refs(
    db: &impl ConnectionTrait,
    pairs: &[(&str, &str)],
) -> Result<Vec<agreement::Model>, DbErr> {
    let condition = by_source_refs(db, pairs, agreement::Column::SourceId, agreement::Column::Ref).await?;
    agreement::Entity::find().filter(condition).all(db).await
}

/// The flow each of these flows repeats, for those that repeat one.
pub async fn repeated_flows(db: &impl ConnectionTrait, flows: &[i32]) -> Result<HashMap<i32, i32>, DbErr> {
    let rows: Vec<(i32, i32)> = flow_repeat::Entity::find()
        .select_only()
        .columns([flow_repeat::Column::FlowId, flow_repeat::Column::RepeatOfId])
        .filter(flow_repeat::Column::FlowId.is_in(flows.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Exchanges by `(source key, ref)`.
pub async fn exchanges_by_refs(
    db: &impl ConnectionTrait,
    pairs: &[(&str, &str)],
) -> Result<Vec<exchange::Model>, DbErr> {
    let condition = by_source_refs(db, pairs, exchange::Column::SourceId, exchange::Column::Ref).await?;
    exchange::Entity::find().filter(condition).all(db).await
}

/// Experts by `(source key, ref)`.
pub async fn experts_by_refs(db: &impl ConnectionTrait, pairs: &[(&str, &str)]) -> Result<Vec<expert::Model>, DbErr> {
    let condition = by_source_refs(db, pairs, expert::Column::SourceId, expert::Column::Ref).await?;
    expert::Entity::find().filter(condition).all(db).await
}

/// Deployments by `(expert id, ref)`.
pub async fn deployments_by_refs(
    db: &impl ConnectionTrait,
    pairs: &[(i32, &str)],
) -> Result<Vec<deployment::Model>, DbErr> {
    let mut condition = Condition::any().add(Expr::val(false));
    for (expert_id, reference) in pairs {
        condition =
            condition.add(deployment::Column::ExpertId.eq(*expert_id).and(deployment::Column::Ref.eq(*reference)));
    }
    deployment::Entity::find().filter(condition).all(db).await
}

/// A bloc by code (`G77`, `AU`).
pub async fn bloc_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<bloc::Model>, DbErr> {
    bloc::Entity::find().filter(bloc::Column::Code.eq(code.trim())).one(db).await
}

/// A sector by code (`12220`, `122`, `120`); codes are unique across levels.
pub async fn sector_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<sector::Model>, DbErr> {
    sector::Entity::find().filter(sector::Column::Code.eq(code.trim())).one(db).await
}

/// A source by key (`aiddata-gcof-1.0`).
pub async fn source_by_key(db: &impl ConnectionTrait, key: &str) -> Result<Option<source::Model>, DbErr> {
    source::Entity::find().filter(source::Column::Key.eq(key.trim())).one(db).await
}

/// Countries by ISO3 code.
pub async fn countries_by_iso3(db: &impl ConnectionTrait, codes: &[&str]) -> Result<Vec<country::Model>, DbErr> {
    country::Entity::find().filter(country::Column::Iso3.is_in(codes.iter().copied())).all(db).await
}

/// Blocs by code.
pub async fn blocs_by_codes(db: &impl ConnectionTrait, codes: &[&str]) -> Result<Vec<bloc::Model>, DbErr> {
    bloc::Entity::find().filter(bloc::Column::Code.is_in(codes.iter().copied())).all(db).await
}

/// Sectors by `(vocabulary, code)`.
pub async fn sectors_by_codes(db: &impl ConnectionTrait, pairs: &[(&str, &str)]) -> Result<Vec<sector::Model>, DbErr> {
    let mut condition = Condition::any().add(Expr::val(false));
    for (vocabulary, code) in pairs {
        condition = condition.add(sector::Column::Vocabulary.eq(*vocabulary).and(sector::Column::Code.eq(*code)));
    }
    sector::Entity::find().filter(condition).all(db).await
}

/// Sources by key.
pub async fn sources_by_keys(db: &impl ConnectionTrait, keys: &[&str]) -> Result<Vec<source::Model>, DbErr> {
    source::Entity::find().filter(source::Column::Key.is_in(keys.iter().copied())).all(db).await
}

/// The codes of the blocs each country belongs to (every country given has an entry).
pub async fn bloc_codes_by_country(
    db: &impl ConnectionTrait,
    countries: &[i32],
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let rows: Vec<(i32, String)> = bloc_member::Entity::find()
        .select_only()
        .column(bloc_member::Column::CountryId)
        .column(bloc::Column::Code)
        .join(JoinType::InnerJoin, bloc_member::Relation::Bloc.def())
        .filter(bloc_member::Column::CountryId.is_in(countries.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut codes: HashMap<i32, Vec<String>> = countries.iter().map(|id| (*id, Vec::new())).collect();
    for (country, code) in rows {
        codes.entry(country).or_default().push(code);
    }
    Ok(codes)
}

/// The income groups of countries year by year, oldest first.
pub async fn income_groups_by_country(
    db: &impl ConnectionTrait,
    countries: &[i32],
) -> Result<HashMap<i32, Vec<country_income_group::Model>>, DbErr> {
    let rows = country_income_group::Entity::find()
        .filter(country_income_group::Column::CountryId.is_in(countries.iter().copied()))
        .order_by_asc(country_income_group::Column::CountryId)
        .order_by_asc(country_income_group::Column::Year)
        .all(db)
        .await?;
    let mut series: HashMap<i32, Vec<country_income_group::Model>> =
        countries.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        series.entry(row.country_id).or_default().push(row);
    }
    Ok(series)
}

/// A code its source gives a flow, with the code list's name for it when the list has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowCode {
    /// The IATI code list (`AidType`, `ActivityStatus` …).
    pub list: String,
    /// The code.
    pub code: String,
    /// The list's item for the code, when it has one.
    pub item: Option<code_list_item::Model>,
}

/// The codes of flows, by flow, ordered by list; one statement.
pub async fn codes_by_flow(db: &impl ConnectionTrait, flows: &[i32]) -> Result<HashMap<i32, Vec<FlowCode>>, DbErr> {
    let rows = flow_code::Entity::find()
        .filter(flow_code::Column::FlowId.is_in(flows.iter().copied()))
        .order_by_asc(flow_code::Column::FlowId)
        .order_by_asc(flow_code::Column::List)
        .find_also_related(code_list_item::Entity)
        .all(db)
        .await?;
    let mut codes: HashMap<i32, Vec<FlowCode>> = flows.iter().map(|id| (*id, Vec::new())).collect();
    for (code, item) in rows {
        codes.entry(code.flow_id).or_default().push(FlowCode { list: code.list, code: code.code, item });
    }
    Ok(codes)
}
