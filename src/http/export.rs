//! `GET /export/…`: flows, flow aggregates and exchanges as CSV or NDJSON, with the same
//! filter as the GraphQL API (`?filter=` a `FlowFilter` or an `ExchangeFilter` as JSON,
//! `&orderBy=` a `[FlowOrder!]` or an `[ExchangeOrder!]`).
//!
//! Rows stream from the database to the client in chunks, never all in memory. CSV is
//! UTF-8 with a byte-order mark, so spreadsheets read accents right, and quoted where
//! needed. The sources and licences of the exported rows are a sidecar
//! (`/export/flows.sources.csv`, `/export/exchanges.sources.csv`, linked from every export
//! in a `Link` header). Aggregates leave out flows that repeat another source's, as
//! `flowStats` does.

use axum::{
    Extension,
    body::{Body, Bytes},
    extract::{Path, Query, State, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use std::time::Duration;

use futures::StreamExt;
use sea_orm::{DatabaseConnection, QueryResult, StreamTrait, prelude::Date};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

use super::{AppState, rate_limit::Client};
use crate::{
    error::{ApiError, ErrorCode, excerpt},
    graphql::{
        caveats::Caveat,
        exports::{
            exchange_condition, exchange_order, flow_aggregate_condition, flow_condition, flow_dimensions, flow_order,
        },
    },
    repo::{
        export::{EXCHANGE_COLUMNS, FLOW_COLUMNS, exchanges_statement, flow_stats_table, flows_statement},
        lookup,
        stats::{
            exchanges,
            flows::{self, FlowDimension},
        },
    },
};

/// Query parameters of the exports; any other is refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// A `FlowFilter` (an `ExchangeFilter` for exchanges) as JSON.
    filter: Option<String>,
    /// A `[FlowOrder!]` (an `[ExchangeOrder!]` for exchanges) as JSON.
    #[serde(rename = "orderBy")]
    order_by: Option<String>,
    /// For aggregates: `FlowDimension`s separated by commas (`YEAR,RECIPIENT_REGION`).
    #[serde(rename = "groupBy")]
    group_by: Option<String>,
    /// For aggregates: `follow` the publishers' guidance on rows to leave out (the default)
    /// or `ignore` it.
    guidance: Option<String>,
    /// For aggregates: the kinds counted, `official_finance` (the default), `trade` or `all`
    /// (the default when grouping by `KIND`).
    #[serde(rename = "kindFamily")]
    kind_family: Option<String>,
}

/// The formats of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Ndjson,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Ndjson => "application/x-ndjson",
        }
    }
}

/// Cost points an export spends from the client's rate limit, a fifth of the largest query:
/// streams are already bounded by their few slots and their deadline, and a journalist
/// downloading a few selections in a row must not be refused.
const EXPORT_POINTS: u64 = 10_000;

/// The files `GET /export/{file}` serves, with the query parameters each takes.
const EXPORTS: [(&str, &[&str]); 9] = [
    ("flows.csv", &["filter", "orderBy"]),
    ("flows.ndjson", &["filter", "orderBy"]),
    ("flow-stats.csv", &["filter", "groupBy", "guidance", "kindFamily"]),
    ("flow-stats.ndjson", &["filter", "groupBy", "guidance", "kindFamily"]),
    ("flows.sources.csv", &["filter"]),
    ("flow-stats.caveats.csv", &["filter", "groupBy", "guidance", "kindFamily"]),
    ("exchanges.csv", &["filter", "orderBy"]),
    ("exchanges.ndjson", &["filter", "orderBy"]),
    ("exchanges.sources.csv", &["filter"]),
];

impl ExportParams {
    /// Refuses a parameter that `file` does not take, naming the ones it does: a
    /// misplaced parameter must not be silently ignored.
    fn check(&self, file: &str, allowed: &[&str]) -> Result<(), ApiError> {
        let given = [
            ("filter", self.filter.is_some()),
            ("orderBy", self.order_by.is_some()),
            ("groupBy", self.group_by.is_some()),
            ("guidance", self.guidance.is_some()),
            ("kindFamily", self.kind_family.is_some()),
        ];
        match given.iter().find(|(name, set)| *set && !allowed.contains(name)) {
            Some((name, _)) => Err(ApiError::bad_input(format!(
                "`{file}` takes no parameter `{name}`; it takes {}",
                quoted(allowed.iter())
            ))),
            None => Ok(()),
        }
    }
}

/// Rows per chunk sent to the client.
const CHUNK_ROWS: usize = 500;

/// `GET /export/{file}`: one of [`EXPORTS`].
pub async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    client: Option<Extension<Client>>,
    params: Result<Query<ExportParams>, QueryRejection>,
) -> Response {
    let Some((_, allowed)) = EXPORTS.iter().find(|(name, _)| *name == file) else {
        return unknown_export(&file);
    };
    let params = match params {
        Ok(Query(params)) => params,
        Err(rejection) => {
            let message = format!(
                "bad query string: {}; `{file}` takes {}",
                excerpt(&rejection.body_text(), 200),
                quoted(allowed.iter())
            );
            return error_response(ApiError::bad_input(message));
        }
    };
    if let Err(error) = params.check(&file, allowed) {
        return error_response(error);
    }
    if let Some(Extension(Client(client))) = client
        && let Some(standing) = state.rate_limiter.spend(client, EXPORT_POINTS).await
        && !standing.allowed
    {
        return super::rate_limit::spent(standing);
    }
    let result = match file.as_str() {
        "flows.csv" => flows(&state, params, Format::Csv).await,
        "flows.ndjson" => flows(&state, params, Format::Ndjson).await,
        "flow-stats.csv" => flow_stats(&state.db, params, Format::Csv).await,
        "flow-stats.ndjson" => flow_stats(&state.db, params, Format::Ndjson).await,
        "flows.sources.csv" => flow_sources(&state.db, params).await,
        "flow-stats.caveats.csv" => flow_stats_caveats(&state.db, params).await,
        "exchanges.csv" => exchanges(&state, params, Format::Csv).await,
        "exchanges.ndjson" => exchanges(&state, params, Format::Ndjson).await,
        "exchanges.sources.csv" => exchange_sources(&state.db, params).await,
        _ => return unknown_export(&file),
    };
    result.unwrap_or_else(error_response)
}

/// Names in backquotes, separated by commas, for messages.
fn quoted<'a>(names: impl Iterator<Item = &'a &'a str>) -> String {
    names.map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

/// 404 for a file that is not one of [`EXPORTS`], naming them.
fn unknown_export(file: &str) -> Response {
    let message = format!(
        "no export named `{}`; the exports are {}",
        excerpt(file, 80),
        quoted(EXPORTS.iter().map(|(name, _)| name))
    );
    super::problem(StatusCode::NOT_FOUND, &ApiError::not_found(message))
}

fn error_response(error: ApiError) -> Response {
    let status = match error.code() {
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::ServiceUnavailable | ErrorCode::Timeout => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    super::problem(status, &error)
}

/// The headers every export carries; `records` names the sidecar of their sources
/// (`flows`, `exchanges`).
fn headers(response: &mut Response, format: Format, name: &str, records: &str, params: &ExportParams) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    let extension = if format == Format::Csv { "csv" } else { "ndjson" };
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"southgraph-{name}.{extension}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    let filter = params.filter.as_deref().map(|f| format!("?filter={}", percent_encode(f))).unwrap_or_default();
    if let Ok(value) = HeaderValue::from_str(&format!("</export/{records}.sources.csv{filter}>; rel=\"describedby\"")) {
        headers.insert(header::LINK, value);
    }
}

/// Percent-encodes a query parameter value.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// One CSV record, quoted where needed.
fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if writer.write_record(cells).is_err() {
        return Vec::new();
    }
    writer.into_inner().unwrap_or_default()
}

/// One NDJSON line from column names and cells (empty cells become null).
fn ndjson_line(columns: &[String], cells: &[String]) -> Vec<u8> {
    let object: serde_json::Map<String, serde_json::Value> = columns
        .iter()
        .zip(cells)
        .map(|(column, cell)| {
            let value = if cell.is_empty() {
                serde_json::Value::Null
            } else if let Ok(number) = cell.parse::<f64>() {
                serde_json::Number::from_f64(number).map_or_else(|| json!(cell), serde_json::Value::Number)
            } else {
                json!(cell)
            };
            (column.clone(), value)
        })
        .collect();
    let mut line = serde_json::to_vec(&object).unwrap_or_default();
    line.push(b'\n');
    line
}

fn encode(format: Format, columns: &[String], cells: &[String]) -> Vec<u8> {
    match format {
        Format::Csv => csv_line(cells),
        Format::Ndjson => ndjson_line(columns, cells),
    }
}

/// The cells of an exported flow.
fn flow_cells(row: &QueryResult) -> Result<Vec<String>, sea_orm::DbErr> {
    let text = |column: &str| -> Result<String, sea_orm::DbErr> {
        Ok(row.try_get::<Option<String>>("", column)?.unwrap_or_default())
    };
    let integer = |column: &str| -> Result<String, sea_orm::DbErr> {
        Ok(row.try_get::<Option<i32>>("", column)?.map(|v| v.to_string()).unwrap_or_default())
    };
    let number = |column: &str| -> Result<String, sea_orm::DbErr> {
        Ok(row.try_get::<Option<f64>>("", column)?.map(|v| v.to_string()).unwrap_or_default())
    };
    let date = |column: &str| -> Result<String, sea_orm::DbErr> {
        Ok(row.try_get::<Option<Date>>("", column)?.map(|v| v.to_string()).unwrap_or_default())
    };
    FLOW_COLUMNS
        .iter()
        .map(|column| match *column {
            "year" | "constant_base_year" => integer(column),
            "amount_usd_current" | "amount_usd_constant" => number(column),
            "start_date" | "end_date" => date(column),
            "recommended_for_research" => {
                Ok(row.try_get::<Option<bool>>("", column)?.map(|v| v.to_string()).unwrap_or_default())
            }
            _ => text(column),
        })
        .collect()
}

/// The last line of an export that stopped early, so that a reader of the file sees it is
/// incomplete: an NDJSON object `{"error": {code, message}}`, or a CSV row whose one cell
/// starts with `#ERROR`.
fn failure(format: Format, code: ErrorCode, reason: &str) -> Bytes {
    let message = format!("export stopped: {reason}; the rows above are incomplete");
    Bytes::from(match format {
        Format::Csv => csv_line(&[format!("#ERROR {}: {message}", code.as_str())]),
        Format::Ndjson => {
            let mut line = json!({ "error": { "code": code.as_str(), "message": message } }).to_string().into_bytes();
            line.push(b'\n');
            line
        }
    })
}

/// The cells of an exported exchange.
fn exchange_cells(row: &QueryResult) -> Result<Vec<String>, sea_orm::DbErr> {
    EXCHANGE_COLUMNS
        .iter()
        .map(|column| match *column {
            "year" | "count" => Ok(row.try_get::<i32>("", column)?.to_string()),
            _ => row.try_get::<String>("", column),
        })
        .collect()
}

/// Streams the flows a filter matches.
async fn flows(state: &AppState, params: ExportParams, format: Format) -> Result<Response, ApiError> {
    let statement = flows_statement(
        flow_condition(params.filter.as_deref(), state.db.get_database_backend())?,
        flow_order(params.order_by.as_deref())?,
    );
    let rows = Rows { statement, columns: FLOW_COLUMNS, cells: flow_cells, name: "flows" };
    stream(state, rows, params, format)
}

/// Streams the exchanges a filter matches.
async fn exchanges(state: &AppState, params: ExportParams, format: Format) -> Result<Response, ApiError> {
    let condition = exchange_condition(params.filter.as_deref())?;
    let statement = exchanges_statement(condition, exchange_order(params.order_by.as_deref())?);
    let rows = Rows { statement, columns: EXCHANGE_COLUMNS, cells: exchange_cells, name: "exchanges" };
    stream(state, rows, params, format)
}

/// The rows of a streamed export: its statement, columns, how a row becomes cells, and the
/// name of its records (`flows`, `exchanges`).
struct Rows {
    statement: sea_orm::sea_query::SelectStatement,
    columns: &'static [&'static str],
    cells: fn(&QueryResult) -> Result<Vec<String>, sea_orm::DbErr>,
    name: &'static str,
}

/// Streams the rows of a statement. The stream holds a database connection, so it takes
/// one of the few export slots, ends at the export deadline, and gives up on a client that
/// has not read for the idle timeout.
fn stream(state: &AppState, rows: Rows, params: ExportParams, format: Format) -> Result<Response, ApiError> {
    let Rows { statement, columns, cells, name } = rows;
    let Ok(slot) = state.exports.clone().try_acquire_owned() else {
        return Err(ApiError::unavailable("every export slot is taken; try again in a minute"));
    };
    let db = state.db.clone();
    let idle = Duration::from_millis(state.http.export_idle_timeout_ms);
    let deadline = Duration::from_secs(state.http.export_timeout_s);
    let columns: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let mut head = Vec::new();
    if format == Format::Csv {
        head.extend_from_slice("\u{feff}".as_bytes());
        head.extend(csv_line(&columns));
    }
    tokio::spawn(async move {
        let _slot = slot;
        let send = |item| sender.send_timeout(item, idle);
        if !head.is_empty() && send(Ok(Bytes::from(head))).await.is_err() {
            return;
        }
        let streamed = tokio::time::timeout(deadline, async {
            let stream = match db.stream(&statement).await {
                Ok(stream) => stream,
                Err(err) => {
                    tracing::error!(%err, export = name, "export failed before its first row");
                    send(Ok(failure(format, ErrorCode::Internal, "the database failed"))).await.ok();
                    return;
                }
            };
            futures::pin_mut!(stream);
            let mut chunk = Vec::new();
            let mut rows = 0;
            while let Some(row) = stream.next().await {
                match row.and_then(|row| cells(&row)) {
                    Ok(cells) => chunk.extend(encode(format, &columns, &cells)),
                    Err(err) => {
                        tracing::error!(%err, export = name, rows, "export failed while streaming");
                        chunk.extend(failure(format, ErrorCode::Internal, "the database failed"));
                        send(Ok(Bytes::from(chunk))).await.ok();
                        return;
                    }
                }
                rows += 1;
                if rows % CHUNK_ROWS == 0 && send(Ok(Bytes::from(std::mem::take(&mut chunk)))).await.is_err() {
                    tracing::info!(rows, "export stopped: the client stopped reading or went away");
                    return;
                }
            }
            send(Ok(Bytes::from(chunk))).await.ok();
        })
        .await;
        if streamed.is_err() {
            tracing::warn!(deadline_s = deadline.as_secs(), export = name, "export stopped at its deadline");
            let reason = format!("the export's deadline of {} s was reached", deadline.as_secs());
            // Waits for room as any chunk does: a full channel must not drop the last line.
            sender.send_timeout(Ok(failure(format, ErrorCode::Timeout, &reason)), idle).await.ok();
        }
    });
    // Fused: the compression layer may poll again after the end.
    let body = Body::from_stream(
        futures::stream::unfold(
            receiver,
            |mut receiver| async move { receiver.recv().await.map(|item| (item, receiver)) },
        )
        .fuse(),
    );
    let mut response = Response::new(body);
    headers(&mut response, format, name, name, &params);
    Ok(response)
}

async fn flow_stats(db: &DatabaseConnection, params: ExportParams, format: Format) -> Result<Response, ApiError> {
    let dimensions = flow_dimensions(params.group_by.as_deref().unwrap_or_default())?;
    let (condition, _) = stats_condition(db, &params, &dimensions)?;
    let (columns, rows) = flow_stats_table(db, condition, &dimensions).await?;
    let mut response = table(format, "flow-stats", "flows", &params, &columns, &rows);
    // The caveats of these figures, beside their sources.
    let caveats = format!("</export/flow-stats.caveats.csv?{}>; rel=\"describedby\"", stats_query(&params));
    let links = response.headers().get(header::LINK).and_then(|link| link.to_str().ok()).map(str::to_owned);
    let joined = links.map_or_else(|| caveats.clone(), |links| format!("{links}, {caveats}"));
    if let Ok(value) = HeaderValue::from_str(&joined) {
        response.headers_mut().insert(header::LINK, value);
    }
    Ok(response)
}

/// The condition of a flow-stats export, and the caveats its rules imply.
fn stats_condition(
    db: &DatabaseConnection,
    params: &ExportParams,
    dimensions: &[FlowDimension],
) -> Result<(flows::FlowSet, Vec<Caveat>), ApiError> {
    flow_aggregate_condition(
        params.filter.as_deref(),
        params.guidance.as_deref(),
        params.kind_family.as_deref(),
        dimensions.contains(&FlowDimension::Kind),
        db.get_database_backend(),
    )
}

/// The query string of a flow-stats export's parameters, percent-encoded.
fn stats_query(params: &ExportParams) -> String {
    [
        ("filter", &params.filter),
        ("groupBy", &params.group_by),
        ("guidance", &params.guidance),
        ("kindFamily", &params.kind_family),
    ]
    .iter()
    .filter_map(|(name, value)| value.as_deref().map(|value| format!("{name}={}", percent_encode(value))))
    .collect::<Vec<_>>()
    .join("&")
}

/// The caveats of a flow-stats export (`code`, `caveat`): what to footnote about its
/// figures, as `extensions.caveats` says for GraphQL answers. Its sums include real
/// dollars, so the caveats about amounts are always considered.
async fn flow_stats_caveats(db: &DatabaseConnection, params: ExportParams) -> Result<Response, ApiError> {
    let dimensions = flow_dimensions(params.group_by.as_deref().unwrap_or_default())?;
    let (condition, ruled) = stats_condition(db, &params, &dimensions)?;
    let groups = flows::flow_stats(db, condition, &dimensions, &[], None, false, flows::Amounts::ALL).await?;
    let ids: Vec<i32> = groups.iter().flat_map(|group| group.sources.iter().copied()).collect();
    let guided = lookup::by_ids::<entity::source::Entity>(db, &ids).await?.iter().any(|s| s.guidance.is_some());
    let about_guidance = |caveat: &Caveat| matches!(caveat, Caveat::GuidanceFollowed | Caveat::GuidanceIgnored);
    let mut caveats: Vec<Caveat> = ruled.into_iter().filter(|caveat| guided || !about_guidance(caveat)).collect();
    caveats.extend(Caveat::of_groups(&groups, &dimensions, true));
    caveats.push(Caveat::RealDollars);
    caveats.sort_by_key(|caveat| caveat.code());
    caveats.dedup();
    let columns = ["code", "caveat"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> =
        caveats.into_iter().map(|caveat| vec![caveat.code().to_owned(), caveat.message().to_owned()]).collect();
    Ok(table(Format::Csv, "caveats", "flows", &params, &columns, &rows))
}

fn table(
    format: Format,
    name: &str,
    records: &str,
    params: &ExportParams,
    columns: &[String],
    rows: &[Vec<String>],
) -> Response {
    let mut body = Vec::new();
    if format == Format::Csv {
        body.extend_from_slice("\u{feff}".as_bytes());
        body.extend(csv_line(columns));
    }
    for row in rows {
        body.extend(encode(format, columns, row));
    }
    let mut response = Response::new(Body::from(body));
    headers(&mut response, format, name, records, params);
    response
}

/// The sources of the flows a filter matches.
async fn flow_sources(db: &DatabaseConnection, params: ExportParams) -> Result<Response, ApiError> {
    let all = flows::flow_stats(
        db,
        flows::FlowSet::flows(flow_condition(params.filter.as_deref(), db.get_database_backend())?),
        &[],
        &[],
        None,
        false,
        flows::Amounts::default(),
    )
    .await?;
    let ids: Vec<i32> = all.iter().flat_map(|group| group.sources.iter().copied()).collect();
    sources(db, &ids, "flows", params).await
}

/// The sources of the exchanges a filter matches.
async fn exchange_sources(db: &DatabaseConnection, params: ExportParams) -> Result<Response, ApiError> {
    let condition = exchange_condition(params.filter.as_deref())?;
    let all = exchanges::exchange_stats(db, condition, &[], 1, false).await?;
    let ids: Vec<i32> = all.iter().flat_map(|group| group.sources.iter().copied()).collect();
    sources(db, &ids, "exchanges", params).await
}

/// A table of sources: key, title, publisher, licence, citation, URL, version.
async fn sources(
    db: &DatabaseConnection,
    ids: &[i32],
    records: &str,
    params: ExportParams,
) -> Result<Response, ApiError> {
    let mut found = lookup::by_ids::<entity::source::Entity>(db, ids).await?;
    found.sort_by(|a, b| a.key.cmp(&b.key));
    let columns: Vec<String> =
        ["source", "title", "publisher", "licence", "citation", "url", "version", "retrieved_on"]
            .map(String::from)
            .to_vec();
    let rows: Vec<Vec<String>> = found
        .into_iter()
        .map(|s| vec![s.key, s.title, s.publisher, s.licence, s.citation, s.url, s.version, s.retrieved_on])
        .collect();
    Ok(table(Format::Csv, "sources", records, &params, &columns, &rows))
}
