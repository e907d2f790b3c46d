//! Global object IDs: opaque, stable, built from natural keys.
//!
//! An ID is the URL-safe base64 of a JSON array: the type name, then the natural key's
//! parts (`["Country","KEN"]`, `["Flow","aiddata-gcof-1.0","1"]`). Natural keys survive
//! re-imports, so IDs do too.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::error::ApiError;

/// The natural key of any object, as carried by its global ID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NodeKey {
    /// A country by ISO3.
    Country(String),
    /// A bloc by code.
    Bloc(String),
    /// A sector by vocabulary and code.
    Sector(String, String),
    /// A source by key.
    Source(String),
    /// An agreement by source key and reference.
    Agreement(String, String),
    /// A flow by source key and reference.
    Flow(String, String),
    /// An expert by source key and reference.
    Expert(String, String),
    /// An exchange by source key and reference.
    Exchange(String, String),
    /// A deployment by its expert's source key and reference, and its own reference.
    Deployment(String, String, String),
    /// An import run by source key and run number.
    ImportRun(String, String),
}

impl NodeKey {
    fn parts(&self) -> (&'static str, Vec<&str>) {
        match self {
            Self::Country(iso3) => ("Country", vec![iso3]),
            Self::Bloc(code) => ("Bloc", vec![code]),
            Self::Sector(vocabulary, code) => ("Sector", vec![vocabulary, code]),
            Self::Source(key) => ("Source", vec![key]),
            Self::Agreement(source, reference) => ("Agreement", vec![source, reference]),
            Self::Flow(source, reference) => ("Flow", vec![source, reference]),
            Self::Expert(source, reference) => ("Expert", vec![source, reference]),
            Self::Exchange(source, reference) => ("Exchange", vec![source, reference]),
            Self::Deployment(source, expert, reference) => ("Deployment", vec![source, expert, reference]),
            Self::ImportRun(source, number) => ("ImportRun", vec![source, number]),
        }
    }

    /// The opaque global ID.
    pub fn encode(&self) -> async_graphql::ID {
        let (kind, parts) = self.parts();
        let mut array = vec![kind];
        array.extend(parts);
        let json = serde_json::to_string(&array).unwrap_or_default();
        async_graphql::ID(URL_SAFE_NO_PAD.encode(json))
    }

    /// Reads a global ID; an ID this server did not make is a `BAD_USER_INPUT` error.
    pub fn decode(id: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::bad_input(format!("`{id}` is not a valid southgraph ID"));
        let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| invalid())?;
        let parts: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        let mut parts = parts.into_iter();
        let kind = parts.next().ok_or_else(invalid)?;
        let rest: Vec<String> = parts.collect();
        let key = match (kind.as_str(), <[String; 1]>::try_from(rest.clone()), <[String; 2]>::try_from(rest.clone())) {
            ("Country", Ok([iso3]), _) => Self::Country(iso3),
            ("Bloc", Ok([code]), _) => Self::Bloc(code),
            ("Source", Ok([key]), _) => Self::Source(key),
            ("Sector", _, Ok([vocabulary, code])) => Self::Sector(vocabulary, code),
            ("Agreement", _, Ok([source, reference])) => Self::Agreement(source, reference),
            ("Flow", _, Ok([source, reference])) => Self::Flow(source, reference),
            ("Expert", _, Ok([source, reference])) => Self::Expert(source, reference),
            ("Exchange", _, Ok([source, reference])) => Self::Exchange(source, reference),
            ("ImportRun", _, Ok([source, number])) => Self::ImportRun(source, number),
            ("Deployment", _, _) => match <[String; 3]>::try_from(rest) {
                Ok([source, expert, reference]) => Self::Deployment(source, expert, reference),
                Err(_) => return Err(invalid()),
            },
            _ => return Err(invalid()),
        };
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for key in [
            NodeKey::Country("KEN".into()),
            NodeKey::Sector("DAC".into(), "12220".into()),
            NodeKey::Flow("aiddata-gcof-1.0".into(), "a:b\"c".into()),
            NodeKey::Deployment("s".into(), "e".into(), "1".into()),
        ] {
            assert_eq!(NodeKey::decode(&key.encode()).ok(), Some(key));
        }
    }

    #[test]
    fn foreign_ids_are_rejected() {
        for id in ["", "not base64!", "WyJDb3VudHJ5Il0", "WyJQbGFuZXQiLCJFYXJ0aCJd"] {
            assert!(NodeKey::decode(id).is_err(), "{id}");
        }
    }
}
