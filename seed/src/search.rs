//! The full-text search index: the words of each flow, agreement and expert, as search
//! terms in `search_document`, which the database indexes with its own engine (SQLite's
//! FTS5 table `search_index`, kept in step by triggers; PostgreSQL's `tsvector` column
//! `vector` and its GIN index).
//!
//! The terms are made here, the same way for both databases, so that a query finds the
//! same records on both: a word is a run of letters and digits, lowercased, with its
//! accents removed ("Saúde" is `saude`), then reduced to its stem by the Snowball
//! stemmer of the record's language (the algorithms PostgreSQL's `english`, `portuguese`
//! and `spanish` configurations use), so that "railways" finds "railway" and "becas"
//! finds "beca". Queries go through the same [`fold`] and [`stems`].
//!
//! Each import brings the documents of its source in step, inside its transaction.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use entity::search_document;
use rust_stemmers::{Algorithm, Stemmer};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, Statement};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

use crate::sync;

/// The languages records are written in, each with its stemmer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// English (most sources).
    English,
    /// Portuguese (Brazil's ABC actions).
    Portuguese,
    /// Spanish (Colombia's activities).
    Spanish,
}

impl Language {
    /// Every language a record may be in: a query word is looked for under its stem in
    /// each.
    pub const ALL: [Self; 3] = [Self::English, Self::Portuguese, Self::Spanish];

    fn stemmer(self) -> Stemmer {
        Stemmer::create(match self {
            Self::English => Algorithm::English,
            Self::Portuguese => Algorithm::Portuguese,
            Self::Spanish => Algorithm::Spanish,
        })
    }
}

/// The longest word indexed, in characters: longer runs (hashes, joined words) are left
/// out, as PostgreSQL leaves out words over 2 KB.
const LONGEST_WORD: usize = 64;

/// The words of `text`: runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty())
}

/// A word as searched: lowercased, accents removed (`Cooperación` is `cooperacion`).
/// Empty when nothing of it is a letter or digit.
pub fn fold(word: &str) -> String {
    word.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).filter(|c| c.is_alphanumeric()).collect()
}

/// A folded word's stem in each language, without repeats.
pub fn stems(folded: &str) -> Vec<String> {
    let mut stems: Vec<String> = Vec::with_capacity(Language::ALL.len());
    for language in Language::ALL {
        let stem = stem_in(folded, language);
        if !stems.contains(&stem) {
            stems.push(stem);
        }
    }
    stems
}

/// A folded word's stem in `language`.
pub fn stem_in(folded: &str, language: Language) -> String {
    stem(&language.stemmer(), folded).into_owned()
}

fn stem<'a>(stemmer: &Stemmer, folded: &'a str) -> Cow<'a, str> {
    // Numbers and codes stay whole.
    if folded.chars().any(|c| c.is_ascii_digit()) { Cow::Borrowed(folded) } else { stemmer.stem(folded) }
}

/// The search terms of `text` in `language`, separated by spaces: what the databases index.
pub fn terms(text: &str, language: Language) -> String {
    Terms::new(language).of(text)
}

/// Makes the search terms of many texts in one language, each word folded and stemmed
/// once: the records of a dataset repeat their words, and stemming is most of the work.
struct Terms {
    stemmer: Stemmer,
    /// The term of each word met so far, empty for a word left out.
    known: HashMap<String, String>,
}

impl Terms {
    fn new(language: Language) -> Self {
        Self { stemmer: language.stemmer(), known: HashMap::new() }
    }

    /// The terms of `text`, separated by spaces.
    fn of(&mut self, text: &str) -> String {
        let mut terms = String::with_capacity(text.len());
        for word in words(text) {
            let term = match self.known.get(word) {
                Some(term) => term,
                None => {
                    let folded = fold(word);
                    let term = if folded.chars().count() > LONGEST_WORD {
                        String::new()
                    } else {
                        stem(&self.stemmer, &folded).into_owned()
                    };
                    self.known.entry(word.to_owned()).or_insert(term)
                }
            };
            if term.is_empty() {
                continue;
            }
            if !terms.is_empty() {
                terms.push(' ');
            }
            terms.push_str(term);
        }
        terms
    }
}

/// What kind of record a search document is.
pub mod kind {
    /// A flow: its title, then its description and recipient label.
    pub const FLOW: &str = "flow";
    /// An agreement: its title.
    pub const AGREEMENT: &str = "agreement";
    /// An expert (or a group of experts): the name.
    pub const EXPERT: &str = "expert";
}

#[derive(FromQueryResult)]
struct Text {
    id: i32,
    title: Option<String>,
    body: Option<String>,
    label: Option<String>,
}

/// Brings the search documents of the source `source_id` in step with its records as they
/// are now, their words read in `language`: documents of new or changed records are
/// written, those of records gone are deleted, and the others left alone, so that a
/// re-import that changes nothing writes nothing (and the index has nothing to redo).
pub(crate) async fn index_source(db: &impl ConnectionTrait, source_id: i32, language: Language) -> Result<(), DbErr> {
    let documents = documents(db, source_id, language).await?;
    let stored =
        search_document::Entity::find().filter(search_document::Column::SourceId.eq(source_id)).all(db).await?;
    let record = |d: &search_document::Model| (d.kind.clone(), d.node_id);
    let current: HashSet<(String, i32)> = documents.iter().map(record).collect();
    let gone: Vec<i32> = stored.iter().filter(|d| !current.contains(&record(d))).map(|d| d.id).collect();
    for ids in gone.chunks(BATCH) {
        search_document::Entity::delete_many().filter(search_document::Column::Id.is_in(ids.to_vec())).exec(db).await?;
    }
    let changes =
        sync::upsert::<search_document::Entity, _, _>(db, stored, documents, record, Some(search_document::Column::Id))
            .await?;
    let written = changes.inserted + changes.updated + gone.len() as u64;
    if written > 0 && db.get_database_backend() == DbBackend::Postgres {
        // Merge the GIN index's pending list now, in one sorted pass, so that the import
        // commits an index the planner uses (migration 20).
        db.execute_unprepared("SELECT gin_clean_pending_list('idx_search_document_vector'::regclass)").await?;
    }
    Ok(())
}

/// The search documents of the source's records, as they are now.
async fn documents(
    db: &impl ConnectionTrait,
    source_id: i32,
    language: Language,
) -> Result<Vec<search_document::Model>, DbErr> {
    let texts = [
        (
            kind::FLOW,
            "SELECT id, title, description AS body, recipient_label AS label FROM flow \
             WHERE source_id = $1 AND (title IS NOT NULL OR description IS NOT NULL)",
        ),
        (kind::AGREEMENT, "SELECT id, title, NULL AS body, NULL AS label FROM agreement WHERE source_id = $1"),
        (kind::EXPERT, "SELECT id, name AS title, NULL AS body, NULL AS label FROM expert WHERE source_id = $1"),
    ];
    let backend = db.get_database_backend();
    let mut terms = Terms::new(language);
    let mut documents = Vec::new();
    for (kind, sql) in texts {
        let sql = if backend == DbBackend::Sqlite { sql.replace("$1", "?") } else { sql.to_owned() };
        let rows =
            Text::find_by_statement(Statement::from_sql_and_values(backend, sql, [source_id.into()])).all(db).await?;
        documents.extend(rows.into_iter().map(|text| {
            let title_terms = terms.of(text.title.as_deref().unwrap_or_default());
            let mut body = terms.of(text.body.as_deref().unwrap_or_default());
            if let Some(label) = &text.label {
                body.push(' ');
                body.push_str(&terms.of(label));
            }
            let body_terms = body.trim().to_owned();
            // In characters, as both databases' LENGTH counts: the ranking's tiebreak.
            let size = i32::try_from(title_terms.chars().count() + body_terms.chars().count()).unwrap_or(i32::MAX);
            search_document::Model {
                id: 0,
                kind: kind.to_owned(),
                node_id: text.id,
                source_id,
                title_terms,
                body_terms,
                size,
            }
        }));
    }
    Ok(documents)
}

/// Ids per `DELETE`: well under both databases' limits on bound values.
const BATCH: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_stemmed_in_their_language() {
        assert_eq!(fold("Saúde"), "saude");
        assert_eq!(fold("COOPERACIÓN"), "cooperacion");
        assert_eq!(terms("Railways in Kenya", Language::English), "railway in kenya");
        assert_eq!(terms("Becas de estudio", Language::Spanish), terms("beca de estudios", Language::Spanish));
        assert_eq!(
            terms("Cooperação técnica", Language::Portuguese),
            terms("cooperacao tecnica", Language::Portuguese)
        );
        assert_eq!(terms("Phase 2, 2015-2017: US$1.5bn", Language::English), "phase 2 2015 2017 us 1 5bn");
        let long = "x".repeat(LONGEST_WORD + 1);
        assert_eq!(terms(&format!("Railways, railways {long} RAILWAYS"), Language::English), "railway railway railway");
    }

    #[test]
    fn a_query_word_has_its_stem_in_every_language() {
        let stems = stems("becas");
        assert!(stems.contains(&terms("becas", Language::Spanish)), "{stems:?}");
        assert!(stems.contains(&terms("becas", Language::English)), "{stems:?}");
        assert_eq!(super::stems("2015"), ["2015"]);
    }
}
