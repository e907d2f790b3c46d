//! IATI code lists that flows' codes come from: `code_list_item`, one row per list and code.
//!
//! - The lists ([`LISTS`]): FlowType, AidType, FinanceType, CollaborationType, TiedStatus,
//!   ActivityStatus and TransactionType, each from its own file, named by it (`AidType.xml`
//!   is the list `AidType`);
//! - every `<codelist-item>` is kept, withdrawn ones too (`withdrawn`, from
//!   `status="withdrawn"`): older files use them; the English name and description;
//! - the rows of these lists that a newer release no longer has are deleted.
//!
//! Sectors come from their own lists (the `sectors` dataset).

use crate::datasets::sectors::{CodelistItem, parse_codelist};
use crate::datasets::{Part, read_part};
use crate::error::ImportError;
use crate::run::{Input, Load};
use crate::store;
use crate::table::Parsed;
use entity::code_list_item;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::BTreeMap;

/// The lists imported, by IATI name.
pub const LISTS: &[&str] =
    &["FlowType", "AidType", "FinanceType", "CollaborationType", "TiedStatus", "ActivityStatus", "TransactionType"];

/// The list a file holds: its name without `.xml`, one of [`LISTS`].
fn list_of(file: &str) -> Option<&'static str> {
    let stem = file.strip_suffix(".xml").unwrap_or(file);
    LISTS.iter().copied().find(|list| *list == stem)
}

/// Each file, parsed before the import's transaction opens ([`super::read`]).
pub(crate) type Read = Vec<Part<Parsed<CodelistItem>>>;

/// Parses each file.
pub(crate) fn read(input: &Input) -> Read {
    input.parts.iter().map(|(file, bytes)| read_part(file, bytes, |bytes| parse_codelist(bytes, None))).collect()
}

/// Validates every file and makes the lists' rows equal the files.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let mut rows: BTreeMap<(String, String), code_list_item::Model> = BTreeMap::new();
    let mut lists = Vec::new();
    for (file, parsed) in read {
        let list = list_of(&file).ok_or_else(|| ImportError::UnknownCodeList(file.clone()))?;
        lists.push(list);
        for item in load.accept_part(&file, parsed?)? {
            let row = code_list_item::Model {
                list: list.to_owned(),
                code: item.code,
                name: item.name,
                description: item.description,
                withdrawn: !item.active,
                source_id: load.source_id,
            };
            rows.insert((row.list.clone(), row.code.clone()), row);
        }
    }
    let existing = code_list_item::Entity::find()
        .filter(code_list_item::Column::List.is_in(lists.iter().copied()))
        .all(load.txn)
        .await?;
    let rows = rows.into_values().collect();
    let key = |row: &code_list_item::Model| (row.list.clone(), row.code.clone());
    load.report.deleted +=
        store::replace_rows::<code_list_item::Entity, _>(load, "codes", existing, rows, key, true).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_name_their_lists() {
        assert_eq!(list_of("AidType.xml"), Some("AidType"));
        assert_eq!(list_of("Sector.xml"), None);
    }

    /// Real items of AidType.xml: codes are not digits only.
    #[test]
    fn codes_of_any_form_are_read() {
        let xml = r#"<codelist name="AidType"><codelist-items>
            <codelist-item><code>A01</code><name><narrative>General budget support</narrative></name></codelist-item>
            <codelist-item status="withdrawn"><code>D02</code><name><narrative>Other technical assistance</narrative></name></codelist-item>
        </codelist-items></codelist>"#;
        let parsed = parse_codelist(xml.as_bytes(), None).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let items: Vec<_> = parsed.records.iter().map(|item| (item.code.as_str(), item.active)).collect();
        assert_eq!(items, [("A01", true), ("D02", false)]);
    }
}
