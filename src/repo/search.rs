//! Full-text queries: what a client types ("railway kenya", `"saúde pública"`, `hosp*`,
//! `becas OR bolsas -doctorado`), parsed into terms and written in the query language of
//! the database's engine (FTS5 on SQLite, `tsquery` on PostgreSQL) over the index that
//! `seed::search` builds.
//!
//! - Words must all match, in any order; each is folded (case and accents) and looked for
//!   under its stem in every language the index holds, as [`seed::search`] indexes them.
//! - `"quoted words"` must match as a phrase; an unbalanced quote runs to the end.
//! - `OR` between two items matches either; `-item` leaves out what matches it.
//! - `word*` matches words that start with `word`.
//!
//! Everything else that is not a letter or digit separates words, so no input reaches the
//! engines' own syntax: every term is written out quoted, made of letters and digits only.

use std::fmt::Write as _;

use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, Order,
    sea_query::{Alias, Condition, Expr, ExprTrait, Query, SelectStatement},
};
use seed::search::{fold, stems};

/// The longest search text taken, in characters.
pub const MAX_LENGTH: usize = 256;
/// The most terms (words, phrases' words included) a search takes.
pub const MAX_TERMS: usize = 16;

/// Why a search text cannot be searched.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    /// Over [`MAX_LENGTH`] characters.
    #[error("the search text is {0} characters long; at most {MAX_LENGTH} are searched")]
    TooLong(usize),
    /// Over [`MAX_TERMS`] terms.
    #[error("the search text has {0} words; at most {MAX_TERMS} are searched")]
    TooManyTerms(usize),
    /// Nothing to look for: only operators, exclusions or punctuation.
    #[error("the search text has no word to look for (only operators, exclusions or punctuation)")]
    NoWords,
}

/// One thing to find: a word, a word's beginning, or a phrase (folded words).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Word(String),
    Prefix(String),
    Phrase(Vec<String>),
}

/// A parsed search: every group must match (one of its items), no excluded item may.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextQuery {
    groups: Vec<Vec<Item>>,
    excluded: Vec<Item>,
}

impl TextQuery {
    /// Parses what a client typed.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        let length = text.chars().count();
        if length > MAX_LENGTH {
            return Err(QueryError::TooLong(length));
        }
        let mut query = Self { groups: Vec::new(), excluded: Vec::new() };
        let mut rest = text;
        let mut join = false;
        while let Some(start) = rest.find(|c: char| c == '"' || c == '-' || c.is_alphanumeric()) {
            rest = &rest[start..];
            let negated = rest.starts_with('-');
            if negated {
                rest = &rest[1..];
                if !rest.starts_with(['"']) && !rest.starts_with(char::is_alphanumeric) {
                    continue;
                }
            }
            let item = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').unwrap_or(quoted.len());
                let words: Vec<String> = seed::search::words(&quoted[..end]).map(fold).collect();
                rest = quoted.get(end + 1..).unwrap_or_default();
                match words.len() {
                    0 => None,
                    1 => words.into_iter().next().map(Item::Word),
                    _ => Some(Item::Phrase(words)),
                }
            } else {
                let end = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
                let word = &rest[..end];
                rest = &rest[end..];
                let prefix = rest.starts_with('*');
                if word == "OR" && !negated {
                    join = !query.groups.is_empty();
                    continue;
                }
                let folded = fold(word);
                match (folded.is_empty(), prefix) {
                    (true, _) => None,
                    (false, true) => Some(Item::Prefix(folded)),
                    (false, false) => Some(Item::Word(folded)),
                }
            };
            let Some(item) = item else { continue };
            if negated {
                query.excluded.push(item);
            } else if join && let Some(group) = query.groups.last_mut() {
                group.push(item);
            } else {
                query.groups.push(vec![item]);
            }
            join = false;
        }
        let terms: usize = query.groups.iter().flatten().chain(&query.excluded).map(Item::terms).sum();
        if terms > MAX_TERMS {
            return Err(QueryError::TooManyTerms(terms));
        }
        if query.groups.is_empty() {
            return Err(QueryError::NoWords);
        }
        Ok(query)
    }

    /// The query in FTS5's syntax (SQLite).
    pub fn fts5(&self) -> String {
        let groups: Vec<String> = self.groups.iter().map(|group| any(group, Item::fts5, " OR ")).collect();
        let mut query = format!("({})", groups.join(" AND "));
        if !self.excluded.is_empty() {
            write!(query, " NOT {}", any(&self.excluded, Item::fts5, " OR ")).expect("a string takes writes");
        }
        query
    }

    /// The query as a `tsquery` (PostgreSQL); in the title alone when `title` says so (the
    /// title's terms have the weight `A`).
    pub fn tsquery(&self) -> String {
        let item = Item::tsquery;
        let groups: Vec<String> = self.groups.iter().map(|group| any_with(group, &item, " | ")).collect();
        let mut query = format!("({})", groups.join(" & "));
        if !self.excluded.is_empty() {
            write!(query, " & !{}", any_with(&self.excluded, &item, " | ")).expect("a string takes writes");
        }
        query
    }

    /// Whether a `search_document` row matches; in its title alone when `title` says so.
    fn matches(&self, backend: DbBackend, title: bool) -> Expr {
        match backend {
            // The title's own vector: small, where the whole record's may be stored apart
            // (TOAST) and costly to read for each of thousands of hits.
            DbBackend::Postgres if title => {
                Expr::cust_with_values("title_vector @@ CAST($1 AS tsquery)", [self.tsquery()])
            }
            DbBackend::Postgres => Expr::cust_with_values("vector @@ CAST($1 AS tsquery)", [self.tsquery()]),
            _ => {
                let query = if title { format!("title_terms : ({})", self.fts5()) } else { self.fts5() };
                Expr::cust_with_values("id IN (SELECT rowid FROM search_index WHERE search_index MATCH ?)", [query])
            }
        }
    }

    /// The ids of the documents of `kind` that match, as a subquery for `column IN (…)`.
    pub fn matching(&self, backend: DbBackend, kind: &str) -> SelectStatement {
        let mut select = Query::select();
        select.column(Alias::new("node_id")).from(Alias::new("search_document"));
        select.and_where(Expr::col(Alias::new("kind")).eq(kind));
        select.and_where(self.matches(backend, false));
        select
    }
}

impl TextQuery {
    /// The words of `text` that the query looks for, as character ranges (not bytes):
    /// those whose stem, in any language, is a stem of a query word or a phrase's word, or
    /// that start as a `word*` does. Left-out words are not marked.
    pub fn marks(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let items: Vec<&Item> = self.groups.iter().flatten().collect();
        let mut words: Vec<String> = Vec::new();
        let mut starts: Vec<String> = Vec::new();
        for item in items {
            match item {
                Item::Word(word) => words.extend(stems(word)),
                Item::Phrase(phrase) => phrase.iter().for_each(|word| words.extend(stems(word))),
                Item::Prefix(word) => starts.extend(prefixes(word)),
            }
        }
        let mut marks = Vec::new();
        let mut start = None;
        for (index, (_, c)) in text.char_indices().chain([(text.len(), ' ')]).enumerate() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(index),
                (false, Some(from)) => {
                    start = None;
                    let word: String = text.chars().skip(from).take(index - from).collect();
                    let folded = fold(&word);
                    let found = stems(&folded).iter().any(|stem| words.contains(stem))
                        || starts.iter().any(|prefix| {
                            folded.starts_with(prefix.as_str())
                                || stems(&folded).iter().any(|stem| stem.starts_with(prefix.as_str()))
                        });
                    if found {
                        marks.push(from..index);
                    }
                }
                _ => {}
            }
        }
        marks
    }
}

/// Where a search looks: a kind of record, and the subquery of the ids of that kind its
/// filter leaves (all when none).
#[derive(Clone, Debug)]
pub struct Among {
    /// The kind of search document (`seed::search::kind`).
    pub kind: &'static str,
    /// The ids of that kind that may be found.
    pub ids: Option<SelectStatement>,
}

/// A record a search found, and how relevant it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The kind of record (`seed::search::kind`).
    pub kind: String,
    /// The record's id in its table.
    pub id: i32,
    /// Relevance: 2 and more when every term is in the title (or name), 1 and more when
    /// not; the fraction grows as the record's text gets shorter.
    pub score: f64,
}

/// The rows of `search_document` that `query` matches, among `among`.
fn found(backend: DbBackend, query: &TextQuery, among: &[Among]) -> SelectStatement {
    let mut select = Query::select();
    select.from(Alias::new("search_document")).and_where(query.matches(backend, false));
    let mut kinds = Condition::any();
    for Among { kind, ids } in among {
        let mut this = Condition::all().add(Expr::col(Alias::new("kind")).eq(*kind));
        if let Some(ids) = ids {
            this = this.add(Expr::col(Alias::new("node_id")).in_subquery(ids.clone()));
        }
        kinds = kinds.add(this);
    }
    select.cond_where(kinds);
    select
}

/// `length` hits from the 0-based `start` of the ranked list of what `query` finds among
/// `among`: the records whose title (or name) holds every term first, then the shorter
/// the record's text the higher, ties by kind and id. The order is computed from the
/// terms and their lengths, the same on both databases.
pub async fn hits(
    db: &impl ConnectionTrait,
    query: &TextQuery,
    among: &[Among],
    start: u64,
    length: u64,
) -> Result<Vec<Hit>, DbErr> {
    let backend = db.get_database_backend();
    let mut select = found(backend, query, among);
    let tier = Expr::case(query.matches(backend, true), 2).finally(1);
    let size = Expr::col(Alias::new("size"));
    select
        .columns([Alias::new("kind"), Alias::new("node_id")])
        .expr_as(tier, Alias::new("tier"))
        .expr_as(size, Alias::new("size"))
        .order_by_expr(Expr::col(Alias::new("tier")), Order::Desc)
        .order_by_expr(Expr::col(Alias::new("size")), Order::Asc)
        .order_by(Alias::new("kind"), Order::Asc)
        .order_by(Alias::new("node_id"), Order::Asc)
        .limit(Ord::min(length, i64::MAX.unsigned_abs()))
        .offset(Ord::min(start, i64::MAX.unsigned_abs()));
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| {
            let tier: i32 = row.try_get("", "tier")?;
            let size: i32 = row.try_get("", "size")?;
            Ok(Hit {
                kind: row.try_get("", "kind")?,
                id: row.try_get("", "node_id")?,
                score: f64::from(tier) + 100.0 / (100.0 + f64::from(size)),
            })
        })
        .collect()
}

/// How many records `query` finds among `among`.
pub async fn count(db: &impl ConnectionTrait, query: &TextQuery, among: &[Among]) -> Result<u64, DbErr> {
    let mut select = found(db.get_database_backend(), query, among);
    select.expr_as(Expr::cust("COUNT(*)"), Alias::new("total"));
    let total: i64 = match db.query_one(&select).await? {
        Some(row) => row.try_get("", "total")?,
        None => 0,
    };
    Ok(u64::try_from(total).unwrap_or_default())
}

/// The items as alternatives, each written by `write`.
fn any(items: &[Item], write: fn(&Item) -> String, or: &str) -> String {
    any_with(items, &write, or)
}

fn any_with(items: &[Item], write: &dyn Fn(&Item) -> String, or: &str) -> String {
    let written: Vec<String> = items.iter().map(write).collect();
    format!("({})", written.join(or))
}

impl Item {
    fn terms(&self) -> usize {
        match self {
            Item::Phrase(words) => words.len(),
            _ => 1,
        }
    }

    /// The item in FTS5's syntax: each stem quoted, alternatives over the languages.
    fn fts5(&self) -> String {
        let alternatives: Vec<String> = match self {
            Item::Word(word) => stems(word).iter().map(|stem| format!("\"{stem}\"")).collect(),
            Item::Prefix(word) => prefixes(word).iter().map(|stem| format!("\"{stem}\"*")).collect(),
            Item::Phrase(words) => phrases(words).iter().map(|phrase| format!("\"{}\"", phrase.join(" "))).collect(),
        };
        format!("({})", alternatives.join(" OR "))
    }

    /// The item as a `tsquery`: each stem quoted, alternatives over the languages, only
    /// where the terms have `weight` when one is given.
    fn tsquery(&self) -> String {
        let term = |stem: &String| format!("'{stem}'");
        let alternatives: Vec<String> = match self {
            Item::Word(word) => stems(word).iter().map(term).collect(),
            Item::Prefix(word) => prefixes(word).iter().map(|stem| format!("'{stem}':*")).collect(),
            Item::Phrase(words) => phrases(words)
                .iter()
                .map(|phrase| {
                    let quoted: Vec<String> = phrase.iter().map(term).collect();
                    format!("({})", quoted.join(" <-> "))
                })
                .collect(),
        };
        format!("({})", alternatives.join(" | "))
    }
}

/// What a `word*` may start: the word as typed, or its stem in any language (the index
/// holds stems, so "hospitals*" must also find `hospit`).
fn prefixes(word: &str) -> Vec<String> {
    let mut prefixes = vec![word.to_owned()];
    for stem in stems(word) {
        if !prefixes.contains(&stem) {
            prefixes.push(stem);
        }
    }
    prefixes
}

/// A phrase's words stemmed in each language in turn: the index holds each record's
/// words stemmed in its own language.
fn phrases(words: &[String]) -> Vec<Vec<String>> {
    let mut phrases: Vec<Vec<String>> = Vec::new();
    for language in seed::search::Language::ALL {
        let phrase: Vec<String> = words.iter().map(|word| seed::search::stem_in(word, language)).collect();
        if !phrases.contains(&phrase) {
            phrases.push(phrase);
        }
    }
    phrases
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts5(text: &str) -> String {
        TextQuery::parse(text).expect("a query").fts5()
    }

    #[test]
    fn words_phrases_alternatives_exclusions_and_prefixes() {
        assert_eq!(fts5("Railway"), "(((\"railway\")))");
        assert_eq!(fts5("saúde"), fts5("SAUDE"));
        assert_eq!(fts5("hosp*"), "(((\"hosp\"*)))");
        assert_eq!(fts5("\"rural road\""), "(((\"rural road\")))");
        assert_eq!(fts5("wind OR dam -loan"), "(((\"wind\") OR (\"dam\"))) NOT ((\"loan\"))");
        // A word has a stem per language: "solar" is also Spanish and Portuguese "sol".
        assert_eq!(fts5("solar"), "(((\"solar\" OR \"sol\")))");
        let tsquery = TextQuery::parse("wind OR dam -loan \"rural road\"").expect("a query").tsquery();
        assert_eq!(tsquery, "((('wind') | ('dam')) & ((('rural' <-> 'road')))) & !(('loan'))");
    }

    #[test]
    fn nothing_typed_reaches_the_engines_syntax() {
        for text in ["NEAR(a b)", "a:b", "title:x", "'x' | y", "x' & !y", "{title}: x", "^x", "a AND b", "x\"y"] {
            let query = TextQuery::parse(text).expect("words");
            for term in query.fts5().split('"').skip(1).step_by(2) {
                assert!(term.chars().all(|c| c.is_alphanumeric() || c == ' '), "{text}: {term}");
            }
            for term in query.tsquery().split('\'').skip(1).step_by(2) {
                assert!(term.chars().all(char::is_alphanumeric), "{text}: {term}");
            }
        }
    }

    #[test]
    fn marks_are_the_words_looked_for_in_characters() {
        let query = TextQuery::parse("saude hosp* -loan \"rural road\"").expect("a query");
        let text = "Saúde: hospitals, a rural road, no loan";
        let marked: Vec<String> = query
            .marks(text)
            .into_iter()
            .map(|range| text.chars().skip(range.start).take(range.len()).collect())
            .collect();
        assert_eq!(marked, ["Saúde", "hospitals", "rural", "road"]);
    }

    #[test]
    fn texts_without_words_or_too_long_are_refused() {
        for text in ["", "*", "OR", "-x", "\"", "\" \"", "- -", "***"] {
            assert_eq!(TextQuery::parse(text), Err(QueryError::NoWords), "{text:?}");
        }
        assert_eq!(TextQuery::parse(&"a".repeat(10_000)), Err(QueryError::TooLong(10_000)));
        assert_eq!(TextQuery::parse(&"a ".repeat(20)), Err(QueryError::TooManyTerms(20)));
        assert!(TextQuery::parse("\"unbalanced quote").is_ok());
    }
}
