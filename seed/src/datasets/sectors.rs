//! DAC sectors in one vocabulary, `DAC` ([`DAC_VOCABULARY`]), three levels, one row per code:
//!
//! - **PURPOSE**: the 5-digit CRS purpose codes of IATI's `Sector.xml` (`12220`), parent =
//!   the 3-digit category in their `<category>` element;
//! - **CATEGORY**: the 3-digit codes of IATI's `SectorCategory.xml` (`122`, `130`, `230`,
//!   `231` …), plus `420` Women in Development, a withdrawn category that AidData still uses
//!   (name from AidData's `crs_sector_name`, `active = false`);
//! - **GROUP**: the DAC group headings AidData's `crs_sector_code` uses that IATI does not
//!   list — [`DAC_GROUPS`]: `110` Education, `120` Health, `150` Government and Civil
//!   Society, `310` Agriculture, Forestry and Fishing, `320` Industry, Mining,
//!   Construction, `330` Trade and Tourism, `700` Emergency Response (names as in AidData's
//!   `crs_sector_name`; their `source` is `dac-sector-groups`).
//!
//! Codes never collide: where a DAC group heading and an IATI category share a code
//! (`130`, `140`, `160`, `210`, `220`, `230`, `240`, `250`, `410`, `430`, `510`, `520`, `530`,
//! `600`, `910`, `920`, `930`, `998`) they are the same sector in the DAC list, stored once
//! as a CATEGORY without parent. So every code AidData uses finds exactly one row, and
//! `sector(code:)` is unambiguous.
//!
//! Parent of a 3-digit category `C`: the row whose code is `C` rounded down to tens, else
//! to hundreds, when such a row exists and is not `C` itself (`111` → `110`, `231` → `230`,
//! `720` → `700`); otherwise none.

use crate::datasets::{Part, read_part};
use crate::error::{FieldError, ImportError, ParseError};
use crate::run::{Input, Load};
use crate::source::{self, DAC_SECTOR_GROUPS};
use crate::store::{DAC_VOCABULARY, sector_ids};
use crate::sync::upsert;
use crate::table::Parsed;
use crate::{text, xml};
use entity::{SectorLevel, sector};
use quick_xml::events::Event;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::HashSet;

/// DAC group headings that AidData's `crs_sector_code` uses and IATI's SectorCategory
/// lacks, with AidData's `crs_sector_name`.
pub const DAC_GROUPS: &[(&str, &str)] = &[
    ("110", "Education"),
    ("120", "Health"),
    ("150", "Government and Civil Society"),
    ("310", "Agriculture, Forestry and Fishing"),
    ("320", "Industry, Mining, Construction"),
    ("330", "Trade and Tourism"),
    ("700", "Emergency Response"),
];

/// Withdrawn 3-digit categories that AidData uses and IATI no longer lists.
pub const WITHDRAWN_CATEGORIES: &[(&str, &str)] = &[("420", "Women in Development")];

/// One `<codelist-item>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CodelistItem {
    pub line: u64,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub active: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    Nothing,
    Code,
    Category,
    Name,
    Description,
}

/// Parses an IATI codelist XML file; `digits`, when given, is the number of digits every
/// code must have (DAC sector codes); otherwise a code is any text without spaces.
pub(crate) fn parse_codelist(bytes: &[u8], digits: Option<usize>) -> Result<Parsed<CodelistItem>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut parsed = Parsed::new();
    let mut item: Option<CodelistItem> = None;
    let mut capture = Capture::Nothing;
    let mut in_name = false;
    let mut in_description = false;
    let mut buffer = String::new();
    let lines = xml::Lines::new(&text);
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|error| xml::invalid(lines.at(reader.error_position()), &error))?;
        match event {
            Event::Eof => break,
            Event::Start(start) => match start.name().as_ref() {
                b"codelist-item" => {
                    let withdrawn = start
                        .try_get_attribute("status")
                        .ok()
                        .flatten()
                        .is_some_and(|status| status.value.as_ref() == b"withdrawn");
                    item = Some(CodelistItem {
                        line: lines.at(position),
                        code: String::new(),
                        name: String::new(),
                        description: None,
                        category: None,
                        active: !withdrawn,
                    });
                }
                _ if item.is_none() => {}
                b"code" => capture = Capture::Code,
                b"category" => capture = Capture::Category,
                b"name" => in_name = true,
                b"description" => in_description = true,
                b"narrative" => {
                    let language = start.try_get_attribute("xml:lang").ok().flatten();
                    let english = language.is_none_or(|lang| lang.value.as_ref() == b"en");
                    capture = match (english, in_name, in_description) {
                        (true, true, _) => Capture::Name,
                        (true, _, true) => Capture::Description,
                        _ => Capture::Nothing,
                    };
                }
                _ => {}
            },
            Event::Text(content) if capture != Capture::Nothing => {
                let content = content.decode().map_err(|error| ParseError::File(format!("bad text: {error}")))?;
                buffer.push_str(&content);
            }
            Event::GeneralRef(reference) if capture != Capture::Nothing => {
                buffer.push_str(&xml::reference_text(&reference));
            }
            Event::End(end) => {
                let Some(current) = item.as_mut() else {
                    continue;
                };
                let value = std::mem::take(&mut buffer).trim().to_owned();
                match (end.name().as_ref(), capture) {
                    (b"code", Capture::Code) => current.code = value,
                    (b"category", Capture::Category) => current.category = Some(value),
                    (b"narrative", Capture::Name) if current.name.is_empty() => current.name = value,
                    (b"narrative", Capture::Description) if current.description.is_none() => {
                        current.description = Some(value).filter(|text| !text.is_empty());
                    }
                    (b"name", _) => in_name = false,
                    (b"description", _) => in_description = false,
                    (b"codelist-item", _) => {
                        if let Some(done) = item.take() {
                            parsed.rows_read += 1;
                            match validate(done, digits) {
                                Ok(done) => parsed.records.push(done),
                                Err(error) => parsed.errors.push(error),
                            }
                        }
                    }
                    _ => {}
                }
                capture = Capture::Nothing;
            }
            _ => {}
        }
    }
    Ok(parsed)
}

fn validate(item: CodelistItem, digits: Option<usize>) -> Result<CodelistItem, FieldError> {
    match digits {
        Some(digits) if item.code.len() != digits || !item.code.bytes().all(|byte| byte.is_ascii_digit()) => {
            return Err(FieldError::new(
                item.line,
                "code",
                format!("`{}` is not a {digits}-digit DAC code", item.code),
            ));
        }
        None if item.code.is_empty() || item.code.chars().any(char::is_whitespace) => {
            return Err(FieldError::new(item.line, "code", format!("`{}` is not a code", item.code)));
        }
        _ => {}
    }
    if item.name.is_empty() {
        return Err(FieldError::new(item.line, "name", "is blank"));
    }
    // A DAC code's category is a 3-digit code; other lists' categories are theirs (AidType's `A` …).
    if let Some(category) = item
        .category
        .as_deref()
        .filter(|_| digits.is_some())
        .filter(|category| category.len() != 3 || !category.bytes().all(|byte| byte.is_ascii_digit()))
    {
        return Err(FieldError::new(item.line, "category", format!("`{category}` is not a 3-digit DAC category")));
    }
    Ok(item)
}

/// The parent code of a 3-digit category among `known` codes (see the module docs).
pub(crate) fn category_parent(code: &str, known: &HashSet<String>) -> Option<String> {
    let number: u16 = code.parse().ok()?;
    [number / 10 * 10, number / 100 * 100]
        .into_iter()
        .filter(|parent| *parent != number)
        .map(|parent| format!("{parent:03}"))
        .find(|parent| known.contains(parent))
}

/// The categories' and the purposes' files, parsed before the import's transaction opens
/// ([`super::read`]).
pub(crate) type Read = Result<[Part<Parsed<CodelistItem>>; 2], ImportError>;

/// Parses both files.
pub(crate) fn read(input: &Input) -> Read {
    let [(categories_file, categories), (purposes_file, purposes)] = input.parts.as_slice() else {
        return Err(ImportError::BadFile {
            file: input.file.clone(),
            problem: "sectors need SectorCategory.xml and Sector.xml".to_owned(),
        });
    };
    Ok([
        read_part(categories_file, categories, |bytes| parse_codelist(bytes, Some(3))),
        read_part(purposes_file, purposes, |bytes| parse_codelist(bytes, Some(5))),
    ])
}

/// Validates and upserts the three levels.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let [(categories_file, categories), (purposes_file, purposes)] = read?;
    let categories = load.accept_part(&categories_file, categories?)?;
    let purposes = load.accept_part(&purposes_file, purposes?)?;

    let groups_source = source::upsert_source(
        load.txn,
        &(&DAC_SECTOR_GROUPS).into(),
        &source::sha256_hex(format!("{DAC_GROUPS:?}{WITHDRAWN_CATEGORIES:?}").as_bytes()),
        load.started_at,
    )
    .await?;
    let row =
        |code: &str, level, name: &str, description: Option<String>, parent_id, active, source_id| sector::Model {
            id: 0,
            vocabulary: DAC_VOCABULARY.to_owned(),
            code: code.to_owned(),
            level,
            name: name.to_owned(),
            description,
            parent_id,
            active,
            source_id,
        };

    let groups = DAC_GROUPS
        .iter()
        .map(|(code, name)| row(code, SectorLevel::Group, name, None, None, true, groups_source))
        .collect();
    upsert_level(load, groups).await?;

    let mut ids = sector_ids(load.txn).await?;
    let mut known: HashSet<String> = ids.keys().cloned().collect();
    known.extend(categories.iter().map(|item| item.code.clone()));
    let mut rows: Vec<sector::Model> = Vec::new();
    let top_level: Vec<_> = categories.iter().filter(|item| category_parent(&item.code, &known).is_none()).collect();
    for item in &top_level {
        rows.push(row(
            &item.code,
            SectorLevel::Category,
            &item.name,
            item.description.clone(),
            None,
            item.active,
            load.source_id,
        ));
    }
    for (code, name) in WITHDRAWN_CATEGORIES {
        rows.push(row(code, SectorLevel::Category, name, None, None, false, groups_source));
    }
    upsert_level(load, rows).await?;

    ids = sector_ids(load.txn).await?;
    let nested = categories
        .iter()
        .filter_map(|item| {
            let parent = category_parent(&item.code, &known)?;
            Some(row(
                &item.code,
                SectorLevel::Category,
                &item.name,
                item.description.clone(),
                ids.get(&parent).copied(),
                item.active,
                load.source_id,
            ))
        })
        .collect();
    upsert_level(load, nested).await?;

    ids = sector_ids(load.txn).await?;
    let mut rows = Vec::with_capacity(purposes.len());
    for item in purposes {
        let parent_id = match item.category.as_deref() {
            Some(category) => match ids.get(category) {
                Some(id) => Some(*id),
                None => {
                    load.note_in(
                        &purposes_file,
                        item.line,
                        &format!("category `{category}` of {} is not in SectorCategory.xml: no parent", item.code),
                    );
                    None
                }
            },
            None => None,
        };
        rows.push(row(
            &item.code,
            SectorLevel::Purpose,
            &item.name,
            item.description,
            parent_id,
            item.active,
            load.source_id,
        ));
    }
    upsert_level(load, rows).await?;
    Ok(())
}

async fn upsert_level(load: &mut Load<'_>, rows: Vec<sector::Model>) -> Result<(), ImportError> {
    let codes: Vec<String> = rows.iter().map(|row| row.code.clone()).collect();
    let existing = sector::Entity::find()
        .filter(sector::Column::Vocabulary.eq(DAC_VOCABULARY))
        .filter(sector::Column::Code.is_in(codes))
        .all(load.txn)
        .await?;
    let tally =
        upsert::<sector::Entity, _, _>(load.txn, existing, rows, |row| row.code.clone(), Some(sector::Column::Id))
            .await?;
    load.count(tally);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real items of IATI's SectorCategory.xml: 111 with a French narrative and a
    /// description, and the withdrawn 230.
    const CATEGORIES: &str = r#"<codelist name="SectorCategory" xml:lang="en" complete="1" embedded="0">
    <metadata>
        <name>
            <narrative>DAC 3 Digit Sector</narrative>
        </name>
    </metadata>
    <codelist-items>
        <codelist-item>
            <code>111</code>
            <name>
                <narrative>Education, Level Unspecified</narrative>
                <narrative xml:lang="fr">Education, Niveau non spécifié</narrative>
            </name>
            <description>
                <narrative>The codes in this category are to be used only when level of education is unspecified or unknown (e.g. training of primary school teachers should be coded under 11220).</narrative>
            </description>
        </codelist-item>
        <codelist-item status="withdrawn" withdrawal-date="2020-02-28">
            <code>230</code>
            <name>
                <narrative>ENERGY GENERATION AND SUPPLY</narrative>
            </name>
        </codelist-item>
    </codelist-items>
</codelist>"#;

    /// A real item of Sector.xml.
    const PURPOSES: &str = r#"<codelist name="Sector" xml:lang="en" category-codelist="SectorCategory" complete="1" embedded="0">
    <codelist-items>
        <codelist-item status="active">
            <code>11110</code>
            <name>
                <narrative>Education policy and administrative management</narrative>
                <narrative xml:lang="fr">Politique de l'éducation et gestion administrative</narrative>
            </name>
            <category>111</category>
        </codelist-item>
    </codelist-items>
</codelist>"#;

    #[test]
    fn parses_categories_with_english_names_and_status() {
        let parsed = parse_codelist(CATEGORIES.as_bytes(), Some(3)).unwrap();
        assert!(parsed.errors.is_empty());
        let [education, energy] = parsed.records.as_slice() else { panic!() };
        assert_eq!((education.code.as_str(), education.name.as_str()), ("111", "Education, Level Unspecified"));
        assert!(education.description.as_deref().unwrap().starts_with("The codes"));
        assert_eq!(education.line, 8);
        assert!(education.active && !energy.active);
    }

    #[test]
    fn parses_purposes_with_their_category() {
        let parsed = parse_codelist(PURPOSES.as_bytes(), Some(5)).unwrap();
        assert_eq!(parsed.records[0].category.as_deref(), Some("111"));
        assert_eq!(parsed.records[0].name, "Education policy and administrative management");
    }

    #[test]
    fn escaped_characters_are_resolved() {
        let xml = "<codelist><codelist-items><codelist-item><code>160</code><name><narrative>Other Social Infrastructure &amp; Services</narrative></name></codelist-item></codelist-items></codelist>";
        let parsed = parse_codelist(xml.as_bytes(), Some(3)).unwrap();
        assert_eq!(parsed.records[0].name, "Other Social Infrastructure & Services");
    }

    #[test]
    fn a_bad_code_names_its_line() {
        let broken = CATEGORIES.replace("<code>230</code>", "<code>23O</code>");
        let parsed = parse_codelist(broken.as_bytes(), Some(3)).unwrap();
        assert_eq!(
            parsed.errors[0].in_file("SectorCategory.xml"),
            "SectorCategory.xml line 18, field `code`: `23O` is not a 3-digit DAC code"
        );
    }

    #[test]
    fn category_parents_follow_the_dac_group_ranges() {
        let known: HashSet<String> =
            ["110", "230", "700", "130", "111", "231", "720"].iter().map(|c| c.to_string()).collect();
        assert_eq!(category_parent("111", &known).as_deref(), Some("110"));
        assert_eq!(category_parent("231", &known).as_deref(), Some("230"));
        assert_eq!(category_parent("720", &known).as_deref(), Some("700"));
        assert_eq!(category_parent("130", &known), None);
        assert_eq!(category_parent("230", &known), None);
    }
}
