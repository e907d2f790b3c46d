//! The one way loaders turn a country reference into a `country.id`: ISO 3166 alpha-3 and
//! alpha-2, UN M49 numeric (with or without leading zeros), DAC recipient codes, and names.
//!
//! Names come, in this order of precedence, from the documented [`ALIASES`], the country
//! table (short name and official name from country-codes), and world-countries (English
//! common and official names, alternative spellings, Portuguese, Spanish and French names).
//! A name that two countries share at the same precedence matches neither.

use crate::world_countries::WorldCountry;
use entity::country;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect};
use std::collections::HashMap;

/// Names the datasets use that no country list gives, each with why it is needed.
pub const ALIASES: &[(&str, &str)] = &[
    // UNCTAD IIA Navigator writes Taiwan this way; country-codes calls it "Taiwan".
    ("Taiwan Province of China", "TWN"),
    // UNCTAD writes the two Chinese SARs with "China SAR" after a comma.
    ("Hong Kong, China SAR", "HKG"),
    ("Macao, China SAR", "MAC"),
    // UNCTAD's abbreviated name of North Korea.
    ("Korea, Dem. People's Rep. of", "PRK"),
    // UNCTAD's inverted name of the DR Congo ("Congo" alone is the Republic of the Congo).
    ("Congo, Democratic Republic of the", "COD"),
    // UNCTAD's inverted names, as ISO 3166 lists them.
    ("Korea, Republic of", "KOR"),
    ("Iran, Islamic Republic of", "IRN"),
    ("Moldova, Republic of", "MDA"),
    ("Tanzania, United Republic of", "TZA"),
    ("Venezuela, Bolivarian Republic of", "VEN"),
    ("Bolivia, Plurinational State of", "BOL"),
    ("Micronesia, Federated States of", "FSM"),
    // AidData's name of Serbia and Montenegro's successor in early rows.
    ("Serbia and Montenegro", "SRB"),
    // UNCTAD's current name of Turkey, newer than both country lists.
    ("Türkiye", "TUR"),
    // UNCTAD and DESTA use the pre-2018 / pre-2019 names.
    ("Swaziland", "SWZ"),
    ("Macedonia", "MKD"),
    ("The former Yugoslav Republic of Macedonia", "MKD"),
    ("Czech Republic", "CZE"),
    // AidData's Colombia AIMS IATI release names its donors; two are misspelt or short:
    // "United Kindom" (sic) and "Korea" (the Republic of Korea: KOR in AidData's own
    // donor_trans_crosswalk.tsv).
    ("United Kindom", "GBR"),
    ("Korea", "KOR"),
    // Romania's ISO 3166 alpha-3 code until 2002, which Yotov et al.'s trade data still use
    // (loaders look a code up as ISO3 first, then here).
    ("ROM", "ROU"),
];

/// ISO 3166-1 numeric codes that UN M49 does not list but datasets use as if it did.
pub const ISO_NUMERIC_OUTSIDE_M49: &[(u16, &str)] = &[
    // Taiwan: ISO 3166-1 numeric 158; M49 has no row for it. DESTA uses 158.
    (158, "TWN"),
];

/// How strongly a name belongs to a country: aliases beat the country table, which beats
/// world-countries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Alias,
    CountryTable,
    WorldCountries,
}

/// The columns read from `country`: id, iso3, iso2, m49, name, official name.
type CountryRow = (i32, String, Option<String>, Option<String>, String, Option<String>);

/// The codes and names of one stored country.
#[derive(Clone, Debug)]
pub(crate) struct CountryKeys {
    pub id: i32,
    pub iso3: String,
    pub iso2: Option<String>,
    pub m49: Option<String>,
    pub name: String,
    pub official_name: Option<String>,
}

/// Resolves country codes and names to `country.id`.
#[derive(Clone, Debug, Default)]
pub struct CountryResolver {
    by_iso3: HashMap<String, i32>,
    by_iso2: HashMap<String, i32>,
    by_m49: HashMap<u16, i32>,
    by_dac: HashMap<String, i32>,
    by_name: HashMap<String, (Precedence, Option<i32>)>,
}

impl CountryResolver {
    /// Builds the resolver from the country table (read through `db`, so inside a
    /// transaction it sees the transaction's rows) and the bundled world-countries names.
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, DbErr> {
        let rows: Vec<CountryRow> = country::Entity::find()
            .select_only()
            .columns([
                country::Column::Id,
                country::Column::Iso3,
                country::Column::Iso2,
                country::Column::M49,
                country::Column::Name,
                country::Column::OfficialName,
            ])
            .into_tuple()
            .all(db)
            .await?;
        let keys: Vec<CountryKeys> = rows
            .into_iter()
            .map(|(id, iso3, iso2, m49, name, official_name)| CountryKeys { id, iso3, iso2, m49, name, official_name })
            .collect();
        // The bundled file is checked by a unit test; were it unreadable, names from
        // world-countries would simply not match, and unmatched names are reported.
        let world = crate::bundle::WORLD_COUNTRIES
            .bytes()
            .ok()
            .and_then(|bytes| crate::world_countries::parse(&bytes).ok())
            .unwrap_or_default();
        Ok(Self::from_parts(&keys, &world))
    }

    /// Builds the resolver from countries and world-countries entries (pure).
    pub(crate) fn from_parts(countries: &[CountryKeys], world: &[WorldCountry]) -> Self {
        let mut resolver = Self::default();
        for country in countries {
            resolver.by_iso3.insert(country.iso3.clone(), country.id);
            if let Some(iso2) = &country.iso2 {
                resolver.by_iso2.insert(iso2.clone(), country.id);
            }
            if let Some(number) = country.m49.as_deref().and_then(numeric_code) {
                resolver.by_m49.insert(number, country.id);
            }
            resolver.add_name(&country.name, country.id, Precedence::CountryTable);
            if let Some(official) = &country.official_name {
                resolver.add_name(official, country.id, Precedence::CountryTable);
            }
        }
        for (number, iso3) in ISO_NUMERIC_OUTSIDE_M49 {
            if let Some(id) = resolver.by_iso3.get(*iso3).copied() {
                resolver.by_m49.entry(*number).or_insert(id);
            }
        }
        for entry in world {
            if let Some(id) = resolver.by_iso3.get(&entry.cca3).copied() {
                for name in entry.names() {
                    resolver.add_name(name, id, Precedence::WorldCountries);
                }
            }
        }
        for (alias, iso3) in ALIASES {
            if let Some(id) = resolver.by_iso3.get(*iso3).copied() {
                resolver.add_name(alias, id, Precedence::Alias);
            }
        }
        resolver
    }

    fn add_name(&mut self, name: &str, id: i32, precedence: Precedence) {
        let key = normalise_name(name);
        if key.is_empty() {
            return;
        }
        match self.by_name.get_mut(&key) {
            None => {
                self.by_name.insert(key, (precedence, Some(id)));
            }
            Some(entry) if precedence < entry.0 => *entry = (precedence, Some(id)),
            Some(entry) if precedence == entry.0 && entry.1 != Some(id) => entry.1 = None,
            Some(_) => {}
        }
    }

    /// Records a DAC recipient code of a country (AidData's `recipient_oecd_code` beside its
    /// `recipient_iso3`); a code seen for two countries matches neither.
    pub fn learn_dac_code(&mut self, dac_code: &str, iso3: &str) {
        let Some(id) = self.iso3(iso3) else { return };
        let code = dac_code.trim().to_owned();
        if code.is_empty() {
            return;
        }
        match self.by_dac.get(&code) {
            Some(known) if *known != id => {
                self.by_dac.insert(code, -1);
            }
            _ => {
                self.by_dac.insert(code, id);
            }
        }
    }

    /// The country with an ISO 3166-1 alpha-3 code.
    pub fn iso3(&self, code: &str) -> Option<i32> {
        self.by_iso3.get(&code.trim().to_ascii_uppercase()).copied()
    }

    /// The country with an ISO 3166-1 alpha-2 code.
    pub fn iso2(&self, code: &str) -> Option<i32> {
        self.by_iso2.get(&code.trim().to_ascii_uppercase()).copied()
    }

    /// The country with a UN M49 numeric code (`4`, `004` and `0004` are the same), or one
    /// of [`ISO_NUMERIC_OUTSIDE_M49`].
    pub fn m49(&self, code: &str) -> Option<i32> {
        numeric_code(code).and_then(|number| self.by_m49.get(&number).copied())
    }

    /// The country with a DAC recipient code learnt by [`Self::learn_dac_code`].
    pub fn dac(&self, code: &str) -> Option<i32> {
        self.by_dac.get(code.trim()).copied().filter(|id| *id >= 0)
    }

    /// The country with a name, compared without case, spacing, a leading "the" or a
    /// trailing footnote star.
    pub fn name(&self, name: &str) -> Option<i32> {
        self.by_name.get(&normalise_name(name)).and_then(|(_, id)| *id)
    }

    /// The number of countries known.
    pub fn len(&self) -> usize {
        self.by_iso3.len()
    }

    /// Whether no country is known (the country table is empty).
    pub fn is_empty(&self) -> bool {
        self.by_iso3.is_empty()
    }
}

/// A numeric code of one to four digits, as a number.
fn numeric_code(code: &str) -> Option<u16> {
    let code = code.trim();
    (!code.is_empty() && code.len() <= 4 && code.bytes().all(|byte| byte.is_ascii_digit()))
        .then(|| code.parse().ok())
        .flatten()
}

/// Lower case, single spaces (also for non-breaking ones), no trailing `*`, no leading "the ".
pub(crate) fn normalise_name(name: &str) -> String {
    let spaced = name
        .trim()
        .trim_end_matches('*')
        .split(|c: char| c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    match spaced.strip_prefix("the ") {
        Some(rest) => rest.to_owned(),
        None => spaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(id: i32, iso3: &str, iso2: &str, m49: &str, name: &str, official: &str) -> CountryKeys {
        CountryKeys {
            id,
            iso3: iso3.into(),
            iso2: Some(iso2.into()),
            m49: (!m49.is_empty()).then(|| m49.into()),
            name: name.into(),
            official_name: Some(official.into()),
        }
    }

    fn resolver() -> CountryResolver {
        // Real rows of country-codes (CLDR display name, official_name_en).
        let countries = [
            keys(1, "AFG", "AF", "004", "Afghanistan", "Afghanistan"),
            keys(2, "PSE", "PS", "275", "Palestine", "State of Palestine"),
            keys(3, "TWN", "TW", "", "Taiwan", ""),
            keys(4, "KOR", "KR", "410", "South Korea", "Republic of Korea"),
            keys(5, "MRT", "MR", "478", "Mauritania", "Mauritania"),
        ];
        CountryResolver::from_parts(&countries, &[])
    }

    #[test]
    fn codes_in_four_systems() {
        let mut resolver = resolver();
        assert_eq!(resolver.iso3("afg"), Some(1));
        assert_eq!(resolver.iso2("PS"), Some(2));
        assert_eq!(resolver.m49("4"), Some(1));
        assert_eq!(resolver.m49("004"), Some(1));
        resolver.learn_dac_code("256", "MRT");
        assert_eq!(resolver.dac("256"), Some(5));
    }

    #[test]
    fn taiwan_resolves_by_its_iso_numeric_code_and_kosovo_does_not() {
        let resolver = resolver();
        assert_eq!(resolver.m49("158"), Some(3));
        assert_eq!(resolver.m49("900"), None);
    }

    #[test]
    fn names_with_commas_stars_and_the() {
        let resolver = resolver();
        assert_eq!(resolver.name("Korea, Republic of"), Some(4));
        assert_eq!(resolver.name("the Republic of Korea"), Some(4));
        assert_eq!(resolver.name("State of Palestine  *"), Some(2));
        assert_eq!(resolver.name("Taiwan Province of China"), Some(3));
        assert_eq!(resolver.name("Atlantis"), None);
    }

    #[test]
    fn a_name_shared_by_two_countries_matches_neither() {
        let mut resolver = resolver();
        resolver.add_name("Congo", 10, Precedence::WorldCountries);
        resolver.add_name("Congo", 11, Precedence::WorldCountries);
        assert_eq!(resolver.name("Congo"), None);
        resolver.add_name("Congo", 11, Precedence::CountryTable);
        assert_eq!(resolver.name("Congo"), Some(11));
    }
}
