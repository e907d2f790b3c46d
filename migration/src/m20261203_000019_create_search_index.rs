//! The full-text search index (`seed::search` makes its terms): `search_document` holds
//! the search terms of each flow, agreement and expert, and each database indexes them
//! with its own engine. On SQLite an FTS5 table, `search_index`, reads them from
//! `search_document` (external content) and triggers keep it in step; on PostgreSQL a
//! generated `tsvector` column, `vector` (title terms weighted `A`, the others `B`), has a
//! GIN index. The terms are already folded and stemmed, so both read them with their
//! simplest tokenizer.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE: [&str; 4] = [
    "CREATE VIRTUAL TABLE search_index USING fts5(title_terms, body_terms, content = 'search_document', \
     content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_document_inserted AFTER INSERT ON search_document BEGIN \
     INSERT INTO search_index (rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms); END",
    "CREATE TRIGGER search_document_deleted AFTER DELETE ON search_document BEGIN \
     INSERT INTO search_index (search_index, rowid, title_terms, body_terms) \
     VALUES ('delete', old.id, old.title_terms, old.body_terms); END",
    "CREATE TRIGGER search_document_updated AFTER UPDATE ON search_document BEGIN \
     INSERT INTO search_index (search_index, rowid, title_terms, body_terms) \
     VALUES ('delete', old.id, old.title_terms, old.body_terms); \
     INSERT INTO search_index (rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms); END",
];

const POSTGRES: [&str; 2] = [
    "ALTER TABLE search_document ADD COLUMN vector tsvector GENERATED ALWAYS AS \
     (setweight(to_tsvector('simple', title_terms), 'A') || setweight(to_tsvector('simple', body_terms), 'B')) STORED",
    "CREATE INDEX idx_search_document_vector ON search_document USING GIN (vector) WITH (fastupdate = off)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let document = || Alias::new("search_document");
        manager
            .create_table(
                Table::create()
                    .table(document())
                    .col(ColumnDef::new(Alias::new("id")).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Alias::new("kind")).string_len(16).not_null())
                    .col(ColumnDef::new(Alias::new("node_id")).integer().not_null())
                    .col(ColumnDef::new(Alias::new("source_id")).integer().not_null())
                    .col(ColumnDef::new(Alias::new("title_terms")).text().not_null())
                    .col(ColumnDef::new(Alias::new("body_terms")).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(document(), Alias::new("source_id"))
                            .to(Alias::new("source"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_search_document_source")
                    .table(document())
                    .col(Alias::new("source_id"))
                    .to_owned(),
            )
            .await?;
        let statements: &[&str] =
            if manager.get_database_backend() == DbBackend::Postgres { &POSTGRES } else { &SQLITE };
        for sql in statements {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP TABLE search_index").await?;
        }
        manager.drop_table(Table::drop().table(Alias::new("search_document")).to_owned()).await
    }
}
