//! The `search` root field: one ranked list of the flows, agreements and experts whose
//! texts match what a journalist typed, each with a snippet that shows why.

use std::collections::HashMap;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use entity::{agreement, expert, flow};
use seed::search::kind;

use super::{
    agreement::{Agreement, AgreementFilter},
    connection::{NodeConnection, connection, wants_total, window},
    expert::{Expert, ExpertFilter},
    filter::{ToCondition, ids_where},
    flow::{Flow, FlowFilter},
    node::Node,
    resolve::{self, with_country_ids},
};
use crate::{
    config::ApiConfig,
    error::{ApiError, ApiResult},
    repo::{
        lookup::{self, WithId},
        page::{Page, Row},
        search::{Among, Hit, TextQuery, count, hits},
    },
};

/// A kind of record that `search` finds.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchKind {
    /// Flows, by title, description and recipient label.
    Flow,
    /// Agreements, by title.
    Agreement,
    /// Experts, teams and institutions, by name.
    Expert,
}

impl SearchKind {
    fn document(self) -> &'static str {
        match self {
            Self::Flow => kind::FLOW,
            Self::Agreement => kind::AGREEMENT,
            Self::Expert => kind::EXPERT,
        }
    }
}

/// Which records of each kind a search may find.
#[derive(InputObject, Clone, Debug, Default)]
pub struct SearchFilter {
    /// Only flows that match this filter.
    pub flows: Option<FlowFilter>,
    /// Only agreements that match this filter.
    pub agreements: Option<AgreementFilter>,
    /// Only experts that match this filter.
    pub experts: Option<ExpertFilter>,
}

/// A range of characters (Unicode scalar values, not bytes or UTF-16 units) in a text.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct TextRange {
    /// The first character, from 0.
    pub start: usize,
    /// The character after the last.
    pub end: usize,
}

/// An excerpt of a found record's text, with the words the search looked for marked.
#[derive(SimpleObject, Clone, Debug)]
pub struct Snippet {
    /// The field of the record the excerpt is from (`title`, `description`,
    /// `recipientLabel`, `name`).
    pub field: &'static str,
    /// The excerpt: the whole field when short, else about 200 characters around the first
    /// marked word, cut between words, with `…` where it was cut.
    pub text: String,
    /// Where the searched words are in `text`.
    pub highlights: Vec<TextRange>,
}

/// A record that a search found.
pub struct SearchHit {
    node: Node,
    score: f64,
    snippet: Option<Snippet>,
}

/// A record that a search found, how relevant it is, and why it was found.
#[Object]
impl SearchHit {
    /// The record: a `Flow`, an `Agreement` or an `Expert`.
    async fn node(&self) -> &Node {
        &self.node
    }

    /// Relevance, higher first: from 2 when every searched word is in the title (or
    /// name), else from 1; within each, the shorter the record's text, the higher. The
    /// same on SQLite and PostgreSQL.
    async fn score(&self) -> f64 {
        self.score
    }

    /// Why the record was found: its first field with a searched word, marked; null when
    /// only another form of the word matched that the marks do not recognise.
    async fn snippet(&self) -> Option<&Snippet> {
        self.snippet.as_ref()
    }
}

/// Characters of a snippet cut from a longer text.
const SNIPPET: usize = 200;

/// The first of `fields` (name and text) with a word `query` looks for, as a snippet.
fn snippet(query: &TextQuery, fields: &[(&'static str, Option<&str>)]) -> Option<Snippet> {
    fields.iter().find_map(|(field, text)| {
        let text = (*text)?;
        let marks = query.marks(text);
        let first = marks.first()?.start;
        let chars: Vec<char> = text.chars().collect();
        let (mut from, mut to) = (0, chars.len());
        if chars.len() > SNIPPET {
            from = first.saturating_sub(SNIPPET / 4);
            to = Ord::min(from + SNIPPET, chars.len());
            while from > 0 && chars[from - 1].is_alphanumeric() {
                from += 1;
            }
            while to < chars.len() && to > from && chars[to].is_alphanumeric() {
                to -= 1;
            }
        }
        let lead = usize::from(from > 0);
        let mut excerpt: String = if from > 0 { "…".to_owned() } else { String::new() };
        excerpt.extend(chars[from..to].iter().copied());
        if to < chars.len() {
            excerpt.push('…');
        }
        let highlights = marks
            .into_iter()
            .filter(|mark| mark.start >= from && mark.end <= to)
            .map(|mark| TextRange { start: mark.start - from + lead, end: mark.end - from + lead })
            .collect();
        Some(Snippet { field, text: excerpt, highlights })
    })
}

/// Root field for full-text search.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Flows, agreements and experts whose texts hold every word of `query`, the most
    /// relevant first (see `SearchHit.score`), each with a snippet. The words are matched
    /// whatever their case, accents and form, as `FlowFilter.text` says, which also
    /// describes phrases, `word*`, `OR` and `-word`.
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for (at most 256 characters and 16 words).")] query: String,
        #[graphql(desc = "Only records of these kinds (all when not given).")] kinds: Option<Vec<SearchKind>>,
        #[graphql(desc = "Only records that match these filters, per kind.")] filter: Option<SearchFilter>,
        #[graphql(desc = "Returns the first n hits.")] first: Option<i32>,
        #[graphql(desc = "Returns the hits after this cursor.")] after: Option<String>,
    ) -> ApiResult<NodeConnection<SearchHit>> {
        let text = TextQuery::parse(&query).map_err(|error| ApiError::bad_input(format!("`query`: {error}")))?;
        let window = window(resolve::state::<ApiConfig>(ctx)?, first, after, None, None)?;
        let kinds = kinds.unwrap_or_else(|| vec![SearchKind::Flow, SearchKind::Agreement, SearchKind::Expert]);
        let filter = filter.unwrap_or_default();
        let mut among = Vec::new();
        for kind in [SearchKind::Flow, SearchKind::Agreement, SearchKind::Expert] {
            if !kinds.contains(&kind) {
                continue;
            }
            let ids = match kind {
                SearchKind::Flow => ids_of::<flow::Entity, _>(with_country_ids(ctx, filter.flows.clone()).await?),
                SearchKind::Agreement => {
                    ids_of::<agreement::Entity, _>(with_country_ids(ctx, filter.agreements.clone()).await?)
                }
                SearchKind::Expert => ids_of::<expert::Entity, _>(with_country_ids(ctx, filter.experts.clone()).await?),
            };
            among.push(Among { kind: kind.document(), ids });
        }
        let db = resolve::db(ctx)?;
        let length = window.first.unwrap_or_default();
        let total = async { if wants_total(ctx) { count(db, &text, &among).await.map(Some) } else { Ok(None) } };
        let (mut found, total) =
            futures::try_join!(hits(db, &text, &among, window.after, length.saturating_add(1)), total)?;
        let has_next = found.len() as u64 > length && length > 0;
        found.truncate(usize::try_from(length).unwrap_or(usize::MAX));
        let rows = found_hits(ctx, &text, found).await?;
        let rows = rows
            .into_iter()
            .zip(1..)
            .map(|(model, offset)| Row { position: window.after.saturating_add(offset), model });
        Ok(connection(Page { rows: rows.collect(), total, has_next }, |hit| hit))
    }
}

/// The ids a filter leaves, as a subquery; none when there is no filter.
fn ids_of<E: WithId, F: ToCondition>(filter: Option<F>) -> Option<sea_orm::sea_query::SelectStatement> {
    filter.map(|filter| ids_where::<E>(filter.condition()))
}

/// The found records, in the order of `found`, with their snippets; the sources they come
/// from noted for `extensions.sources`.
async fn found_hits(ctx: &Context<'_>, query: &TextQuery, found: Vec<Hit>) -> ApiResult<Vec<SearchHit>> {
    let db = resolve::db(ctx)?;
    let ids = |kind: &str| -> Vec<i32> { found.iter().filter(|hit| hit.kind == kind).map(|hit| hit.id).collect() };
    let (flow_ids, agreement_ids, expert_ids) = (ids(kind::FLOW), ids(kind::AGREEMENT), ids(kind::EXPERT));
    let (flows, agreements, experts) = futures::try_join!(
        lookup::by_ids::<flow::Entity>(db, &flow_ids),
        lookup::by_ids::<agreement::Entity>(db, &agreement_ids),
        lookup::by_ids::<expert::Entity>(db, &expert_ids),
    )?;
    resolve::note_sources(ctx, &flows);
    resolve::note_sources(ctx, &agreements);
    resolve::note_sources(ctx, &experts);
    let mut flows: HashMap<i32, flow::Model> = flows.into_iter().map(|model| (model.id, model)).collect();
    let mut agreements: HashMap<i32, agreement::Model> =
        agreements.into_iter().map(|model| (model.id, model)).collect();
    let mut experts: HashMap<i32, expert::Model> = experts.into_iter().map(|model| (model.id, model)).collect();
    let mut hits = Vec::with_capacity(found.len());
    for Hit { kind, id, score } in found {
        let (node, snippet) = match kind.as_str() {
            kind::FLOW => {
                let Some(model) = flows.remove(&id) else { continue };
                let fields = [
                    ("title", model.title.as_deref()),
                    ("description", model.description.as_deref()),
                    ("recipientLabel", model.recipient_label.as_deref()),
                ];
                let snippet = snippet(query, &fields);
                (Node::Flow(Flow(model)), snippet)
            }
            kind::AGREEMENT => {
                let Some(model) = agreements.remove(&id) else { continue };
                let snippet = snippet(query, &[("title", Some(model.title.as_str()))]);
                (Node::Agreement(Agreement(model)), snippet)
            }
            _ => {
                let Some(model) = experts.remove(&id) else { continue };
                let snippet = snippet(query, &[("name", Some(model.name.as_str()))]);
                (Node::Expert(Expert(model)), snippet)
            }
        };
        hits.push(SearchHit { node, score, snippet });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_cut_long_texts_between_words_around_the_first_mark() {
        let query = TextQuery::parse("railway").expect("a query");
        let long = format!("{} the Mombasa railway opened {}", "word ".repeat(100), "more ".repeat(100));
        let snippet = snippet(&query, &[("title", Some("A road")), ("description", Some(&long))]).expect("a snippet");
        assert_eq!(snippet.field, "description");
        assert!(snippet.text.starts_with("…") && snippet.text.ends_with("…"), "{}", snippet.text);
        assert!(snippet.text.chars().count() <= SNIPPET + 2);
        let mark = snippet.highlights[0];
        let marked: String = snippet.text.chars().skip(mark.start).take(mark.end - mark.start).collect();
        assert_eq!(marked, "railway");
        assert!(!snippet.text.contains("wor…") && !snippet.text.starts_with("…ord"), "{}", snippet.text);
    }
}
