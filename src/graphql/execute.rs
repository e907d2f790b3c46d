//! Running a request: what every response gets beside the resolvers' answers.
//!
//! This wraps the execution rather than living in async-graphql extensions: with any
//! extension registered, async-graphql sends every field through the extension chain,
//! which cost a tenth of the server's time on a list of 50 flows.

use std::sync::Arc;

use async_graphql::{BatchRequest, BatchResponse, Request, Response};
use sea_orm::DatabaseConnection;

use super::{
    ApiSchema, field_order,
    provenance::{Provenance, cite_sources},
};
use crate::repo::reference::Snapshot;

/// Runs a single or batched request, each operation on its own ([`execute`]).
pub async fn execute_batch(
    schema: &ApiSchema,
    db: &DatabaseConnection,
    snapshot: Option<Arc<Snapshot>>,
    batch: BatchRequest,
) -> BatchResponse {
    match batch {
        BatchRequest::Single(request) => BatchResponse::Single(execute(schema, db, snapshot, request).await),
        BatchRequest::Batch(requests) => {
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                responses.push(execute(schema, db, snapshot.clone(), request).await);
            }
            BatchResponse::Batch(responses)
        }
    }
}

/// Runs a request, then puts every object's fields in query order and adds
/// `extensions.sources`, the sources of what it returned. With a `snapshot` of the
/// reference tables, rows it holds are read from it instead of the database.
pub async fn execute(
    schema: &ApiSchema,
    db: &DatabaseConnection,
    snapshot: Option<Arc<Snapshot>>,
    mut request: Request,
) -> Response {
    let provenance = Provenance::default();
    // Parsed once: the limits have parsed it already, the executor takes it, and the
    // field order reads a copy, cheaper than parsing again.
    let document = request.parsed_query().ok().cloned();
    let operation_name = request.operation_name.clone();
    let variables = request.variables.clone();
    if let Some(snapshot) = &snapshot {
        request = request.data(snapshot.clone());
    }
    let mut response = schema.execute(request.data(provenance.clone())).await;
    if let Some(document) = &document {
        field_order::sort(&mut response, document, operation_name.as_deref(), &variables);
    }
    cite_sources(db, snapshot.as_deref(), &provenance, &mut response).await;
    response
}
