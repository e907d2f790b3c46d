//! The `Node` interface and the `node(id:)` / `nodes(ids:)` root fields.
//!
//! `nodes` groups the IDs by type and fetches each type in one statement.

use std::sync::Arc;

use std::collections::HashMap;

use async_graphql::{Context, ID, Interface, Object};
use entity::{import_run, source};

use super::{
    agreement::Agreement,
    bloc::Bloc,
    country::Country,
    exchange::Exchange,
    expert::{Deployment, Expert},
    flow::Flow,
    id::NodeKey,
    resolve,
    sector::Sector,
    source::{ImportRun, Source},
};
use crate::{
    config::ApiConfig,
    error::{ApiError, ApiResult},
    repo::lookup,
};

/// An object with a stable, opaque global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ApiResult<ID>", desc = "Opaque, stable global ID."))]
pub enum Node {
    /// A country.
    Country(Country),
    /// A bloc.
    Bloc(Bloc),
    /// A sector.
    Sector(Sector),
    /// A source.
    Source(Source),
    /// An agreement.
    Agreement(Agreement),
    /// A flow.
    Flow(Flow),
    /// An expert.
    Expert(Expert),
    /// A deployment.
    Deployment(Deployment),
    /// An exchange.
    Exchange(Exchange),
    /// An import run.
    ImportRun(ImportRun),
}

/// Root fields that resolve global IDs.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global ID; null when it no longer exists. A malformed ID is a
    /// `BAD_USER_INPUT` error.
    async fn node(&self, ctx: &Context<'_>, #[graphql(desc = "A global ID.")] id: ID) -> ApiResult<Option<Node>> {
        let key = NodeKey::decode(&id)?;
        Ok(fetch(ctx, std::slice::from_ref(&key)).await?.remove(&key))
    }

    /// The objects with these global IDs, in the same order; null for each that no longer
    /// exists.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global IDs.")] ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        let max = resolve::state::<ApiConfig>(ctx)?.max_page_size;
        if ids.len() as u64 > max {
            return Err(ApiError::bad_input(format!("`ids` holds {} IDs; at most {max} are allowed", ids.len())));
        }
        let keys = ids.iter().map(|id| NodeKey::decode(id)).collect::<ApiResult<Vec<_>>>()?;
        let mut found = fetch(ctx, &keys).await?;
        Ok(keys.iter().map(|key| found.remove(key)).collect())
    }
}

/// Fetches the objects of these keys, one statement per type (plus the sources of keys
/// that name one).
async fn fetch(ctx: &Context<'_>, keys: &[NodeKey]) -> ApiResult<HashMap<NodeKey, Node>> {
    let db = resolve::db(ctx)?;
    let mut found = HashMap::new();
    let mut countries = Vec::new();
    let mut blocs = Vec::new();
    let mut sectors = Vec::new();
    let mut sources = Vec::new();
    let (mut agreements, mut flows, mut experts, mut deployments, mut runs, mut exchanges) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for key in keys {
        match key {
            NodeKey::Country(iso3) => countries.push(iso3.as_str()),
            NodeKey::Bloc(code) => blocs.push(code.as_str()),
            NodeKey::Sector(vocabulary, code) => sectors.push((vocabulary.as_str(), code.as_str())),
            NodeKey::Source(key) => sources.push(key.as_str()),
            NodeKey::Agreement(source, reference) => agreements.push((source.as_str(), reference.as_str())),
            NodeKey::Flow(source, reference) => flows.push((source.as_str(), reference.as_str())),
            NodeKey::Expert(source, reference) => experts.push((source.as_str(), reference.as_str())),
            NodeKey::Exchange(source, reference) => exchanges.push((source.as_str(), reference.as_str())),
            NodeKey::Deployment(source, expert, reference) => deployments.push((source, expert, reference)),
            NodeKey::ImportRun(source, number) => {
                if let Ok(number) = number.parse::<i32>() {
                    runs.push((source.as_str(), number));
                }
            }
        }
    }
    if !countries.is_empty() {
        for model in lookup::countries_by_iso3(db, &countries).await? {
            found.insert(NodeKey::Country(model.iso3.clone()), Node::Country(Country(Arc::new(model))));
        }
    }
    if !blocs.is_empty() {
        for model in lookup::blocs_by_codes(db, &blocs).await? {
            found.insert(NodeKey::Bloc(model.code.clone()), Node::Bloc(Bloc(model)));
        }
    }
    if !sectors.is_empty() {
        for model in lookup::sectors_by_codes(db, &sectors).await? {
            found.insert(
                NodeKey::Sector(model.vocabulary.clone(), model.code.clone()),
                Node::Sector(Sector(Arc::new(model))),
            );
        }
    }
    if !sources.is_empty() {
        for model in lookup::sources_by_keys(db, &sources).await? {
            found.insert(NodeKey::Source(model.key.clone()), Node::Source(Source(Arc::new(model))));
        }
    }
    let agreements =
        if agreements.is_empty() { Vec::new() } else { lookup::agreements_by_refs(db, &agreements).await? };
    let flows = if flows.is_empty() { Vec::new() } else { lookup::flows_by_refs(db, &flows).await? };
    let exchanges = if exchanges.is_empty() { Vec::new() } else { lookup::exchanges_by_refs(db, &exchanges).await? };
    let mut wanted_experts = experts.clone();
    wanted_experts.extend(deployments.iter().map(|(source, expert, _)| (source.as_str(), expert.as_str())));
    let expert_models =
        if wanted_experts.is_empty() { Vec::new() } else { lookup::experts_by_refs(db, &wanted_experts).await? };
    let run_ids: Vec<i32> = runs.iter().map(|(_, number)| *number).collect();
    let run_models =
        if run_ids.is_empty() { Vec::new() } else { lookup::by_ids::<import_run::Entity>(db, &run_ids).await? };

    let source_ids: Vec<i32> = agreements
        .iter()
        .map(|m| m.source_id)
        .chain(flows.iter().map(|m| m.source_id))
        .chain(exchanges.iter().map(|m| m.source_id))
        .chain(expert_models.iter().map(|m| m.source_id))
        .chain(run_models.iter().map(|m| m.source_id))
        .collect();
    let source_keys: HashMap<i32, String> = if source_ids.is_empty() {
        HashMap::new()
    } else {
        lookup::by_ids::<source::Entity>(db, &source_ids).await?.into_iter().map(|m| (m.id, m.key)).collect()
    };
    let key_of = |id: i32| source_keys.get(&id).cloned().unwrap_or_default();

    for model in agreements {
        found.insert(
            NodeKey::Agreement(key_of(model.source_id), model.r#ref.clone()),
            Node::Agreement(Agreement(model)),
        );
    }
    for model in flows {
        found.insert(NodeKey::Flow(key_of(model.source_id), model.r#ref.clone()), Node::Flow(Flow(model)));
    }
    for model in exchanges {
        found.insert(NodeKey::Exchange(key_of(model.source_id), model.r#ref.clone()), Node::Exchange(Exchange(model)));
    }
    let mut expert_keys: HashMap<i32, (String, String)> = HashMap::new();
    for model in expert_models {
        let (source, reference) = (key_of(model.source_id), model.r#ref.clone());
        expert_keys.insert(model.id, (source.clone(), reference.clone()));
        if experts.contains(&(source.as_str(), reference.as_str())) {
            found.insert(NodeKey::Expert(source, reference), Node::Expert(Expert(model)));
        }
    }
    let pairs: Vec<(i32, &str)> = deployments
        .iter()
        .filter_map(|(source, expert, reference)| {
            let id = expert_keys.iter().find(|(_, key)| key.0 == **source && key.1 == **expert)?.0;
            Some((*id, reference.as_str()))
        })
        .collect();
    if !pairs.is_empty() {
        for model in lookup::deployments_by_refs(db, &pairs).await? {
            if let Some((source, expert)) = expert_keys.get(&model.expert_id).cloned() {
                found.insert(
                    NodeKey::Deployment(source, expert, model.r#ref.clone()),
                    Node::Deployment(Deployment(model)),
                );
            }
        }
    }
    for model in run_models {
        let source = key_of(model.source_id);
        if runs.contains(&(source.as_str(), model.id)) {
            found.insert(
                NodeKey::ImportRun(source.clone(), model.id.to_string()),
                Node::ImportRun(ImportRun(model, source)),
            );
        }
    }
    Ok(found)
}
