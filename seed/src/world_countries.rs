//! world-countries 5.1.0 (ODbL 1.0, bundled with its licence): centroids and the names
//! of each country in English, Portuguese, Spanish and French, for matching names.

use crate::error::ParseError;
use serde::Deserialize;
use std::collections::HashMap;

/// One entry of `world-countries.json`, with only the fields the loaders use.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WorldCountry {
    /// ISO 3166-1 alpha-3 (`UNK` for Kosovo, which has no ISO code).
    pub cca3: String,
    /// Common and official English names.
    pub name: CountryName,
    /// Other spellings (codes, native names, former names).
    #[serde(rename = "altSpellings", default)]
    pub alt_spellings: Vec<String>,
    /// Names by ISO 639-3 language code.
    #[serde(default)]
    pub translations: HashMap<String, CountryName>,
    /// Centroid: latitude, longitude.
    #[serde(default)]
    pub latlng: Vec<f64>,
}

/// A common and an official name.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct CountryName {
    /// Common name ("Bolivia").
    pub common: String,
    /// Official name ("Plurinational State of Bolivia").
    pub official: String,
}

/// Languages whose names are used for matching: the languages of the South–South
/// datasets southgraph reads (Portuguese for Brazil's ABC, Spanish, French).
pub(crate) const MATCHED_LANGUAGES: [&str; 3] = ["por", "spa", "fra"];

impl WorldCountry {
    /// The centroid, when given as two numbers.
    pub(crate) fn centroid(&self) -> Option<(f64, f64)> {
        match self.latlng.as_slice() {
            [latitude, longitude] => Some((*latitude, *longitude)),
            _ => None,
        }
    }

    /// Every name to match: English common and official, alternative spellings longer than
    /// a code, and common and official names in [`MATCHED_LANGUAGES`].
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        let english = [self.name.common.as_str(), self.name.official.as_str()];
        let alternatives = self.alt_spellings.iter().map(String::as_str).filter(|name| name.chars().count() > 3);
        let translated = MATCHED_LANGUAGES
            .iter()
            .filter_map(|language| self.translations.get(*language))
            .flat_map(|name| [name.common.as_str(), name.official.as_str()]);
        english.into_iter().chain(alternatives).chain(translated)
    }
}

/// Parses `world-countries.json`.
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<WorldCountry>, ParseError> {
    serde_json::from_slice(bytes).map_err(|error| ParseError::File(format!("not world-countries JSON: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_real_entry() {
        // Excerpt of the real file (Brazil), trimmed to the fields used.
        let json = r#"[{"name":{"common":"Brazil","official":"Federative Republic of Brazil",
            "native":{"por":{"official":"República Federativa do Brasil","common":"Brasil"}}},
            "cca3":"BRA","altSpellings":["BR","Brasil","Federative Republic of Brazil","República Federativa do Brasil"],
            "translations":{"fra":{"official":"République fédérative du Brésil","common":"Brésil"},
            "por":{"official":"República Federativa do Brasil","common":"Brasil"},
            "spa":{"official":"República Federativa del Brasil","common":"Brasil"}},
            "latlng":[-10.0,-55.0]}]"#;
        let countries = parse(json.as_bytes()).unwrap();
        assert_eq!(countries[0].centroid(), Some((-10.0, -55.0)));
        let names: Vec<_> = countries[0].names().collect();
        assert!(names.contains(&"Brésil"));
        assert!(!names.contains(&"BR"));
    }
}
