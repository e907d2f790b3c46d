//! Countries from datahub's country-codes, 2020 edition (the last with UN M49's
//! "Developed / Developing Countries" column).
//!
//! - natural key: ISO 3166-1 alpha-3; rows without one are reported and left out;
//! - `name` is the CLDR display name (short, as people write it: "Bolivia", "Palestine"),
//!   falling back to UNTERM English Short; `official_name` is `official_name_en`;
//! - M49, region, sub-region and intermediate region codes are written with three digits;
//! - `is_developing` is "Developed / Developing Countries" = `Developing`; LDC, LLDC and
//!   SIDS are true when their column is not blank;
//! - Taiwan has no M49 data in the file: it is kept, with `is_developing = false`, noted;
//! - latitude and longitude are world-countries' centroid (bundled, ODbL), whose source row
//!   (`country-crosswalk-5.1.0`) this import writes, with that of the Natural Earth map the
//!   ISO numeric codes key (`natural-earth-4.1.0`, the explorer's);
//! - World Bank region, income group and lending category are not in this file: they are
//!   left as stored (null on a first import).

use crate::datasets::read_first;
use crate::error::{FieldError, ImportError, ParseError};
use crate::run::{Input, Load};
use crate::source::{self, COUNTRY_CROSSWALK, NATURAL_EARTH};
use crate::sync::upsert;
use crate::table::{CsvRow, CsvTable, LeftOut, Parsed};
use crate::{bundle, text, world_countries};
use entity::country;
use sea_orm::EntityTrait;
use std::collections::HashMap;

/// One country as the file gives it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CountryRecord {
    pub line: u64,
    pub iso3: String,
    pub iso2: Option<String>,
    pub m49: Option<String>,
    pub iso_numeric: Option<String>,
    pub name: String,
    pub official_name: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub sub_region_code: Option<String>,
    pub sub_region_name: Option<String>,
    pub intermediate_region_code: Option<String>,
    pub intermediate_region_name: Option<String>,
    pub is_developing: bool,
    pub is_ldc: bool,
    pub is_lldc: bool,
    pub is_sids: bool,
}

/// Parses the CSV.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<CountryRecord>, ParseError> {
    let text = text::decode_utf8(bytes)?;
    let table = CsvTable::parse(&text)?;
    let columns = Columns {
        iso3: table.column("ISO3166-1-Alpha-3")?,
        iso2: table.column("ISO3166-1-Alpha-2")?,
        m49: table.column("M49")?,
        iso_numeric: table.column("ISO3166-1-numeric")?,
        cldr_name: table.column("CLDR display name")?,
        unterm_short: table.column("UNTERM English Short")?,
        official_name: table.column("official_name_en")?,
        region_code: table.column("Region Code")?,
        region_name: table.column("Region Name")?,
        sub_region_code: table.column("Sub-region Code")?,
        sub_region_name: table.column("Sub-region Name")?,
        intermediate_region_code: table.column("Intermediate Region Code")?,
        intermediate_region_name: table.column("Intermediate Region Name")?,
        developing: table.column("Developed / Developing Countries")?,
        ldc: table.column("Least Developed Countries (LDC)")?,
        lldc: table.column("Land Locked Developing Countries (LLDC)")?,
        sids: table.column("Small Island Developing States (SIDS)")?,
    };
    let mut parsed = Parsed::new();
    let mut seen = HashMap::new();
    for row in &table.rows {
        parsed.rows_read += 1;
        match parse_row(row, &columns) {
            Ok(None) => parsed.left_out.push(LeftOut::row(
                row.line,
                "no ISO 3166-1 alpha-3 code",
                format!(
                    "row without ISO 3166-1 alpha-3 code (M49 `{}`, name `{}`) not imported",
                    row.raw(columns.m49).trim(),
                    row.raw(columns.unterm_short).trim()
                ),
            )),
            Ok(Some(record)) => {
                if let Some(first) = seen.insert(record.iso3.clone(), record.line) {
                    parsed.errors.push(FieldError::new(
                        row.line,
                        columns.iso3.name,
                        format!("`{}` already on line {first}", record.iso3),
                    ));
                } else {
                    parsed.records.push(record);
                }
            }
            Err(error) => parsed.errors.push(error),
        }
    }
    Ok(parsed)
}

struct Columns {
    iso3: crate::table::Column,
    iso2: crate::table::Column,
    m49: crate::table::Column,
    iso_numeric: crate::table::Column,
    cldr_name: crate::table::Column,
    unterm_short: crate::table::Column,
    official_name: crate::table::Column,
    region_code: crate::table::Column,
    region_name: crate::table::Column,
    sub_region_code: crate::table::Column,
    sub_region_name: crate::table::Column,
    intermediate_region_code: crate::table::Column,
    intermediate_region_name: crate::table::Column,
    developing: crate::table::Column,
    ldc: crate::table::Column,
    lldc: crate::table::Column,
    sids: crate::table::Column,
}

fn parse_row(row: &CsvRow, columns: &Columns) -> Result<Option<CountryRecord>, FieldError> {
    let Some(iso3) = row.text(columns.iso3) else {
        return Ok(None);
    };
    if !is_letters(iso3, 3) {
        return Err(row.invalid(columns.iso3, iso3, "an ISO 3166-1 alpha-3 code"));
    }
    let iso2 = row.text(columns.iso2);
    if let Some(iso2) = iso2.filter(|code| !is_letters(code, 2)) {
        return Err(row.invalid(columns.iso2, iso2, "an ISO 3166-1 alpha-2 code"));
    }
    let name = row
        .text(columns.cldr_name)
        .or_else(|| row.text(columns.unterm_short))
        .ok_or_else(|| FieldError::new(row.line, columns.cldr_name.name, "is blank"))?;
    let is_developing = match row.text(columns.developing) {
        Some("Developing") => true,
        Some("Developed") | None => false,
        Some(other) => {
            return Err(row.invalid(columns.developing, other, "`Developed` or `Developing`"));
        }
    };
    let code = |column| three_digits(row, column, "an M49 code");
    let text = |column| row.text(column).map(str::to_owned);
    Ok(Some(CountryRecord {
        line: row.line,
        iso3: iso3.to_owned(),
        iso2: iso2.map(str::to_owned),
        m49: code(columns.m49)?,
        iso_numeric: three_digits(row, columns.iso_numeric, "an ISO 3166-1 numeric code")?,
        name: name.to_owned(),
        official_name: text(columns.official_name),
        region_code: code(columns.region_code)?,
        region_name: text(columns.region_name),
        sub_region_code: code(columns.sub_region_code)?,
        sub_region_name: text(columns.sub_region_name),
        intermediate_region_code: code(columns.intermediate_region_code)?,
        intermediate_region_name: text(columns.intermediate_region_name),
        is_developing,
        is_ldc: row.text(columns.ldc).is_some(),
        is_lldc: row.text(columns.lldc).is_some(),
        is_sids: row.text(columns.sids).is_some(),
    }))
}

fn is_letters(code: &str, length: usize) -> bool {
    code.len() == length && code.bytes().all(|byte| byte.is_ascii_uppercase())
}

/// A numeric code (M49, ISO 3166-1) of one to three digits, written with three (`2` →
/// `002`); `expected` names it in the error.
fn three_digits(row: &CsvRow, column: crate::table::Column, expected: &str) -> Result<Option<String>, FieldError> {
    row.text(column)
        .map(|value| {
            value
                .parse::<u16>()
                .ok()
                .filter(|number| *number < 1000 && value.bytes().all(|byte| byte.is_ascii_digit()))
                .map(|number| format!("{number:03}"))
                .ok_or_else(|| row.invalid(column, value, expected))
        })
        .transpose()
}

/// The file and the bundled world-countries, parsed before the import's transaction opens
/// ([`super::read`]).
pub(crate) struct Read {
    /// The countries of the file.
    countries: Result<Parsed<CountryRecord>, ImportError>,
    /// The centroids, from the bundled world-countries.
    centroids: Result<Centroids, ImportError>,
}

/// Each country's centroid, from the bundled world-countries.
struct Centroids {
    /// Latitude and longitude by ISO3.
    by_iso3: HashMap<String, (f64, f64)>,
    /// SHA-256 of the file.
    checksum: String,
}

/// Parses the file and the bundled world-countries.
pub(crate) fn read(input: &Input) -> Read {
    Read { countries: read_first(input, parse), centroids: centroids() }
}

/// Validates and upserts the countries.
pub(crate) async fn import(load: &mut Load<'_>, read: Read) -> Result<(), ImportError> {
    let records = load.accept(read.countries?)?;
    let Centroids { by_iso3: centroids, checksum: crosswalk } = read.centroids?;
    let existing = country::Entity::find().all(load.txn).await?;
    let stored: HashMap<&str, &country::Model> = existing.iter().map(|row| (row.iso3.as_str(), row)).collect();
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        if record.m49.is_none() {
            load.note(
                record.line,
                &format!(
                    "{} ({}) has no M49 data in this edition: kept with is_developing = false",
                    record.name, record.iso3
                ),
            );
        }
        let old = stored.get(record.iso3.as_str());
        let (latitude, longitude) =
            centroids.get(&record.iso3).map_or((None, None), |(lat, lng)| (Some(*lat), Some(*lng)));
        rows.push(country::Model {
            id: old.map_or(0, |old| old.id),
            iso3: record.iso3,
            iso2: record.iso2,
            m49: record.m49,
            iso_numeric: record.iso_numeric,
            name: record.name,
            official_name: record.official_name,
            region_code: record.region_code,
            region_name: record.region_name,
            sub_region_code: record.sub_region_code,
            sub_region_name: record.sub_region_name,
            intermediate_region_code: record.intermediate_region_code,
            intermediate_region_name: record.intermediate_region_name,
            wb_region: old.and_then(|old| old.wb_region.clone()),
            income_group: old.and_then(|old| old.income_group.clone()),
            lending_category: old.and_then(|old| old.lending_category.clone()),
            is_developing: record.is_developing,
            is_ldc: record.is_ldc,
            is_lldc: record.is_lldc,
            is_sids: record.is_sids,
            latitude,
            longitude,
            source_id: load.source_id,
        });
    }
    let tally =
        upsert::<country::Entity, _, _>(load.txn, existing, rows, |row| row.iso3.clone(), Some(country::Column::Id))
            .await?;
    load.count(tally);
    // The sources of the centroids and of the map the numeric codes key, cited by the API.
    source::upsert_source(load.txn, &(&COUNTRY_CROSSWALK).into(), &crosswalk, load.started_at).await?;
    let map = source::sha256_hex(NATURAL_EARTH.citation.as_bytes());
    source::upsert_source(load.txn, &(&NATURAL_EARTH).into(), &map, load.started_at).await?;
    Ok(())
}

/// The centroids of the bundled world-countries.
fn centroids() -> Result<Centroids, ImportError> {
    let file = bundle::WORLD_COUNTRIES;
    let bytes = file.bytes().map_err(|source| ImportError::Io { path: format!("bundled {}", file.name), source })?;
    let countries = world_countries::parse(&bytes).map_err(|error| ImportError::from_parse(file.name, error))?;
    let by_iso3 =
        countries.iter().filter_map(|entry| entry.centroid().map(|centroid| (entry.cca3.clone(), centroid))).collect();
    Ok(Centroids { by_iso3, checksum: source::sha256_hex(&bytes) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header and real rows of country-codes-2020-with-developing.csv: Taiwan (no M49
    /// data), Afghanistan, Albania, Namibia ("NA" is its ISO2, not a missing value), the
    /// State of Palestine (UNTERM name with a footnote star) and the M49-only row for Sark.
    const EXCERPT: &str = concat!(
        "FIFA,Dial,ISO3166-1-Alpha-3,MARC,is_independent,ISO3166-1-numeric,GAUL,FIPS,WMO,ISO3166-1-Alpha-2,ITU,IOC,DS,UNTERM Spanish Formal,Global Code,Intermediate Region Code,official_name_fr,UNTERM French Short,ISO4217-currency_name,Developed / Developing Countries,UNTERM Russian Formal,UNTERM English Short,ISO4217-currency_alphabetic_code,Small Island Developing States (SIDS),UNTERM Spanish Short,ISO4217-currency_numeric_code,UNTERM Chinese Formal,UNTERM French Formal,UNTERM Russian Short,M49,Sub-region Code,Region Code,official_name_ar,ISO4217-currency_minor_unit,UNTERM Arabic Formal,UNTERM Chinese Short,Land Locked Developing Countries (LLDC),Intermediate Region Name,official_name_es,UNTERM English Formal,official_name_cn,official_name_en,ISO4217-currency_country_name,Least Developed Countries (LDC),Region Name,UNTERM Arabic Short,Sub-region Name,official_name_ru,Global Name,Capital,Continent,TLD,Languages,Geoname ID,CLDR display name,EDGAR\n",
        "TPE,886,TWN,ch,Yes,158,925,TW,\u{a0},TW,\u{a0},TPE,RC,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,Taipei,AS,.tw,\"zh-TW,zh,nan,hak\",1668284,Taiwan,\n",
        "AFG,93,AFG,af,Yes,004,1,AF,AF,AF,AFG,AFG,AFG,República Islámica del Afganistán (la),True,,Afghanistan,Afghanistan (l') [masc.],Afghani,Developing,Исламская Республика Афганистан,Afghanistan,AFN,,Afganistán (el),971,阿富汗伊斯兰共和国,République islamique d'Afghanistan,Афганистан,004,34,142,أفغانستان,2,جمهورية أفغانستان الإسلامية,阿富汗,x,,Afganistán,the Islamic Republic of Afghanistan,阿富汗,Afghanistan,AFGHANISTAN,x,Asia,أفغانستان,Southern Asia,Афганистан,World,Kabul,AS,.af,\"fa-AF,ps,uz-AF,tk\",1149361,Afghanistan,B2\n",
        "ALB,355,ALB,aa,Yes,008,3,AL,AB,AL,ALB,ALB,AL,la República de Albania,True,,Albanie,Albanie (l') [fém.],Lek,Developed,Республика Албания,Albania,ALL,,Albania,008,阿尔巴尼亚共和国,la République d'Albanie,Албания,008,39,150,ألبانيا,2,جمهورية ألبانيا,阿尔巴尼亚,,,Albania,the Republic of Albania,阿尔巴尼亚,Albania,ALBANIA,,Europe,ألبانيا,Southern Europe,Албания,World,Tirana,EU,.al,\"sq,el\",783754,Albania,B3\n",
        "NAM,264,NAM,sx,Yes,516,172,WA,NM,NA,NMB,NAM,NAM,la República de Namibia,True,18,Namibie,Namibie (la),\"Namibia Dollar,Rand\",Developing,Республика Намибия,Namibia,\"NAD,ZAR\",,Namibia,\"516,710\",纳米比亚共和国,la République de Namibie,Намибия,516,202,2,ناميبيا,\"2,2\",جمهورية ناميبيا,纳米比亚,,Southern Africa,Namibia,the Republic of Namibia,纳米比亚,Namibia,NAMIBIA,,Africa,ناميبيا,Sub-Saharan Africa,Намибия,World,Windhoek,AF,.na,\"en-NA,af,de,hz,naq\",3355338,Namibia,T6\n",
        "PLE,970,PSE,\"gz,wj\",In contention,275,\"91,267\",\"GZ,WE\",\u{a0},PS,\u{a0},PLE,\u{a0},Estado  de Palestina,True,,État de Palestine,État de Palestine  *,No universal currency,Developing,Государство Палестина,State of Palestine  *,,,Estado  de Palestina  *,,巴勒斯坦国,État de Palestine,Государство Палестина  *,275,145,142,دولة فلسطين,,دولة فلسطين,巴勒斯坦国  *,,,Estado de Palestina,State of Palestine,巴勒斯坦国,State of Palestine,\"PALESTINE, STATE OF\",,Asia,دولة فلسطين  *,Western Asia,Государство Палестина,World,East Jerusalem,AS,.ps,ar-PS,6254930,Palestine,\n",
        ",,,,,,,,,,,,,,True,,,,,,,,,,,,,,,680,155,150,,,,,,,,,,,,,Europe,,Northern Europe,,World,,,,,,,\n",
    );

    #[test]
    fn parses_real_rows_with_their_quirks() {
        let parsed = parse(EXCERPT.as_bytes()).unwrap();
        assert_eq!(parsed.rows_read, 6);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.left_out.len(), 1);
        assert_eq!(parsed.left_out[0].line, 7);
        let by_iso3: HashMap<_, _> = parsed.records.iter().map(|r| (r.iso3.as_str(), r)).collect();
        let taiwan = by_iso3["TWN"];
        assert_eq!((taiwan.m49.as_deref(), taiwan.is_developing), (None, false));
        assert_eq!(taiwan.iso_numeric.as_deref(), Some("158"));
        let afghanistan = by_iso3["AFG"];
        assert!(afghanistan.is_developing && afghanistan.is_ldc && afghanistan.is_lldc);
        assert_eq!(afghanistan.region_code.as_deref(), Some("142"));
        assert!(!by_iso3["ALB"].is_developing);
        let namibia = by_iso3["NAM"];
        assert_eq!(namibia.iso2.as_deref(), Some("NA"));
        assert_eq!(namibia.region_code.as_deref(), Some("002"));
        assert_eq!(by_iso3["PSE"].name, "Palestine");
        assert_eq!(by_iso3["PSE"].official_name.as_deref(), Some("State of Palestine"));
    }

    #[test]
    fn a_broken_code_names_line_and_field() {
        let broken = EXCERPT.replace("Developing,Исламская", "Developping,Исламская");
        let parsed = parse(broken.as_bytes()).unwrap();
        assert_eq!(
            parsed.errors[0].in_file("c.csv"),
            "c.csv line 3, field `Developed / Developing Countries`: `Developping` is not `Developed` or `Developing`"
        );
    }
}
