//! Lookups by primary key and by natural key.

use std::collections::HashMap;

use entity::{agreement, country, deployment, expert, flow, source};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Alias, Condition, Expr, ExprTrait},
};

/// Rows of a table by primary key (`id`), in no particular order.
pub async fn by_ids<E: EntityTrait>(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<E::Model>, DbErr> {
    E::find().filter(Expr::col((E::default(), Alias::new("id"))).is_in(ids.iter().copied())).all(db).await
}

/// A country by ISO 3166-1 alpha-3 or alpha-2 code, in any case.
pub async fn country_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<country::Model>, DbErr> {
    let code = code.trim().to_ascii_uppercase();
    let column = if code.len() == 2 { country::Column::Iso2 } else { country::Column::Iso3 };
    country::Entity::find().filter(column.eq(code)).one(db).await
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
