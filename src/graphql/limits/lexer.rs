//! A lexical pre-scan of a query document, before the parser sees it.
//!
//! The parser recurses on nested brackets, so a 6 KB document of 2,000 brackets would
//! overflow its stack; and the work of every later step grows with the document's tokens.
//! This scan is a single loop with no recursion: it counts tokens and the nesting of
//! `{`, `[` and `(`, and refuses a document over either limit.

use crate::error::{ApiError, ApiResult};

/// Deepest bracket nesting a document may have: selections and input values together.
/// The deepest legitimate queries (graphql-js's introspection query, the README's) stay
/// under 20.
pub const MAX_NESTING: usize = 64;

/// Checks `query` against the token limit and [`MAX_NESTING`].
pub fn scan(query: &str, max_tokens: usize) -> ApiResult<()> {
    let bytes = query.as_bytes();
    let mut tokens = 0usize;
    let mut nesting = 0usize;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                index += 1;
                continue;
            }
            b'#' => {
                while index < bytes.len() && bytes[index] != b'\n' && bytes[index] != b'\r' {
                    index += 1;
                }
                continue;
            }
            b'"' => index = skip_string(bytes, index),
            b'{' | b'[' | b'(' => {
                nesting += 1;
                if nesting > MAX_NESTING {
                    return Err(ApiError::limit_exceeded(format!(
                        "the document nests brackets more than {MAX_NESTING} deep (at byte {index})"
                    )));
                }
                index += 1;
            }
            b'}' | b']' | b')' => {
                nesting = nesting.saturating_sub(1);
                index += 1;
            }
            b'.' if bytes[index..].starts_with(b"...") => index += 3,
            _ if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' => {
                while index < bytes.len()
                    && (bytes[index].is_ascii_alphanumeric() || matches!(bytes[index], b'_' | b'.' | b'-' | b'+'))
                {
                    index += 1;
                }
            }
            _ => index += 1,
        }
        tokens += 1;
        if tokens > max_tokens {
            return Err(ApiError::limit_exceeded(format!("the document has more than {max_tokens} tokens")));
        }
    }
    Ok(())
}

/// The index just past the string (or block string) that starts at `start`.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    if bytes[start..].starts_with(b"\"\"\"") {
        let mut index = start + 3;
        while index < bytes.len() {
            if bytes[index..].starts_with(b"\\\"\"\"") {
                index += 4;
            } else if bytes[index..].starts_with(b"\"\"\"") {
                return index + 3;
            } else {
                index += 1;
            }
        }
        return index;
    }
    let mut index = start + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'"' => return index + 1,
            b'\n' | b'\r' => return index,
            _ => index += 1,
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tokens_outside_strings_and_comments() {
        assert!(
            scan(
                r#"{ a(b: "{{{{ [[[[ ") # {{{{{{{{
        }"#,
                20
            )
            .is_ok()
        );
        assert!(scan("{ a b c d }", 6).is_ok());
        assert!(scan("{ a b c d e }", 6).is_err());
    }

    #[test]
    fn refuses_deep_nesting_of_any_bracket() {
        let deep = format!("{{ flows(filter: {}) {{ totalCount }} }}", "[".repeat(2_000));
        let error = scan(&deep, 100_000).expect_err("refused");
        assert!(error.message().contains("64 deep"), "{}", error.message());
        let fine = format!("{}{}", "{a".repeat(30), "}".repeat(30));
        assert!(scan(&fine, 1_000).is_ok());
    }

    #[test]
    fn block_strings_may_hold_quotes() {
        assert!(scan(r#"{ a(b: """ say \""" and " and {{{ """) }"#, 10).is_ok());
    }
}
