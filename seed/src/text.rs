//! Turning file bytes into text: UTF-8 or Windows-1252, and every line ending made `\n`.
//!
//! Line endings are normalised before parsing so that line numbers in errors are right for
//! files with old-Mac CR-only endings (AidData's TUFF files) as well as CRLF and LF files.

use crate::error::ParseError;
use std::borrow::Cow;

/// Decodes UTF-8 (dropping a byte-order mark) and normalises line endings.
pub(crate) fn decode_utf8(bytes: &[u8]) -> Result<String, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(normalise_line_endings(text).into_owned()),
        Err(error) => {
            let line = 1 + bytes[..error.valid_up_to()].iter().filter(|byte| **byte == b'\n').count();
            Err(ParseError::File(format!("not UTF-8 (first bad byte on line {line}); is it Windows-1252?")))
        }
    }
}

/// Decodes Windows-1252 (every byte sequence is valid) and normalises line endings.
pub(crate) fn decode_windows_1252(bytes: &[u8]) -> String {
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    normalise_line_endings(&text).into_owned()
}

/// Replaces CRLF and lone CR line endings by LF.
pub(crate) fn normalise_line_endings(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_bytes_become_unicode() {
        // "Côte d'Ivoire" and a non-breaking space as DESTA writes them (0xF4, 0xA0).
        let bytes = b"\"C\xF4te d'Ivoire\",\"ASEAN\xA0FTA\"";
        assert_eq!(decode_windows_1252(bytes), "\"Côte d'Ivoire\",\"ASEAN\u{a0}FTA\"");
    }

    #[test]
    fn cr_only_and_crlf_endings_become_lf() {
        assert_eq!(normalise_line_endings("a,b\rc,d\r"), "a,b\nc,d\n");
        assert_eq!(normalise_line_endings("a,b\r\nc,d\r\n"), "a,b\nc,d\n");
    }

    #[test]
    fn windows_1252_is_not_taken_for_utf8() {
        let error = decode_utf8(b"name\nC\xF4te\n").unwrap_err();
        assert!(matches!(error, ParseError::File(message) if message.contains("line 2")));
    }
}
