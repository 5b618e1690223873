//! Reading a snapshot from JSON, with errors a person can act on.

use crate::schema::{SCHEMA, Snapshot};
use serde::Deserialize;

/// Why a snapshot could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The input is not JSON, or not a JSON object.
    NotJson(serde_json::Error),
    /// The `schema` field is missing.
    MissingSchema,
    /// The `schema` field names a format this reader does not know.
    WrongSchema(String),
    /// The schema is right but a field is missing or of the wrong type.
    Malformed(serde_json::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotJson(e) => write!(f, "not a JSON object: {e}"),
            ReadError::MissingSchema => {
                write!(
                    f,
                    "no \"schema\" field: not a peeps snapshot (expected \"{SCHEMA}\")"
                )
            }
            ReadError::WrongSchema(s) => {
                write!(
                    f,
                    "unknown schema {s:?}: this reader understands \"{SCHEMA}\""
                )
            }
            ReadError::Malformed(e) => write!(f, "malformed {SCHEMA} snapshot: {e}"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::NotJson(e) | ReadError::Malformed(e) => Some(e),
            ReadError::MissingSchema | ReadError::WrongSchema(_) => None,
        }
    }
}

/// Only the schema tag, read when a snapshot does not parse, so a wrong
/// format gets the right error.
#[derive(Deserialize)]
struct SchemaTag {
    schema: Option<serde_json::Value>,
}

impl Snapshot {
    /// Parses a snapshot. A missing or unknown schema tag is the error
    /// reported, whatever else is wrong.
    ///
    /// # Errors
    ///
    /// [`ReadError`] for input that is not JSON, has no or another schema, or
    /// does not have the fields of `peeps/1`. Never panics.
    pub fn from_json(json: &str) -> Result<Snapshot, ReadError> {
        Self::from_slice(json.as_bytes())
    }

    /// Like [`Snapshot::from_json`], from bytes (a file or a network frame).
    ///
    /// # Errors
    ///
    /// As [`Snapshot::from_json`].
    pub fn from_slice(bytes: &[u8]) -> Result<Snapshot, ReadError> {
        // One parse for a good snapshot. Only a JSON object is tried whole:
        // serde would also read a snapshot from an array of its fields,
        // which the tag read below rejects (`NotJson`), as it always has.
        let full = if is_object(bytes) {
            match serde_json::from_slice::<Snapshot>(bytes) {
                Ok(snap) if snap.schema == SCHEMA => return Ok(snap),
                Ok(snap) => return Err(ReadError::WrongSchema(snap.schema)),
                Err(e) => Some(e),
            }
        } else {
            None
        };
        // It did not parse: the schema tag says which error is meant.
        let tag: SchemaTag = serde_json::from_slice(bytes).map_err(ReadError::NotJson)?;
        match tag.schema {
            None => return Err(ReadError::MissingSchema),
            Some(serde_json::Value::String(s)) if s == SCHEMA => {}
            Some(serde_json::Value::String(s)) => return Err(ReadError::WrongSchema(s)),
            Some(other) => return Err(ReadError::WrongSchema(other.to_string())),
        }
        match full {
            Some(e) => Err(ReadError::Malformed(e)),
            None => serde_json::from_slice(bytes).map_err(ReadError::Malformed),
        }
    }

    /// Writes the snapshot as compact JSON.
    pub fn to_json(&self) -> String {
        // Serializing these types cannot fail: every map key is a string and
        // no Serialize impl returns an error.
        serde_json::to_string(self).expect("snapshot serialization is infallible")
    }
}

/// True when the first non-whitespace byte opens a JSON object.
fn is_object(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
        .is_some_and(|&b| b == b'{')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_garbage_without_panicking() {
        for input in [
            "",
            "nul",
            "[1,2]",
            "{",
            "42",
            "\"peeps/1\"",
            "{\"schema\":",
            "\u{0}",
        ] {
            assert!(
                Snapshot::from_json(input).is_err(),
                "{input:?} was accepted"
            );
        }
    }

    #[test]
    fn names_the_wrong_schema() {
        let err = Snapshot::from_json(r#"{"schema":"peeps/2"}"#).unwrap_err();
        assert!(
            matches!(&err, ReadError::WrongSchema(s) if s == "peeps/2"),
            "{err}"
        );
        assert!(err.to_string().contains("peeps/2"));
        let err = Snapshot::from_json(r#"{"schema":7}"#).unwrap_err();
        assert!(matches!(err, ReadError::WrongSchema(_)));
        let err = Snapshot::from_json(r#"{"nodes":[]}"#).unwrap_err();
        assert!(matches!(err, ReadError::MissingSchema));
    }

    #[test]
    fn reports_a_missing_field() {
        let err = Snapshot::from_json(r#"{"schema":"peeps/1","nodes":[]}"#).unwrap_err();
        assert!(matches!(err, ReadError::Malformed(_)));
        assert!(err.to_string().contains("process"), "{err}");
    }

    #[test]
    fn round_trips_the_documented_example() {
        let json = include_str!("../../docs/example-dump.json");
        let snap = Snapshot::from_json(json).unwrap();
        let again = Snapshot::from_json(&snap.to_json()).unwrap();
        assert_eq!(snap, again);
        assert!(!snap.nodes.is_empty() && !snap.edges.is_empty());
    }
}
