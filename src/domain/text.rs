//! Free text that clients send: trimmed, bounded, and free of control characters.
//!
//! Every text input of the API passes through here, so a limit is stated once and the
//! error always names the field.
use crate::error::{AppError, AppResult};

/// Names and other one-line labels.
pub const NAME_MAX: usize = 200;
/// Descriptions, target experiences, notes and other prose.
pub const PROSE_MAX: usize = 4000;
/// A tag.
pub const TAG_MAX: usize = 50;
/// Tags on one touchpoint, and media items on one touchpoint.
pub const LIST_MAX: usize = 30;
/// A media reference (usually a URL).
pub const MEDIA_ITEM_MAX: usize = 2000;

fn check_chars(field: &str, value: &str, multiline: bool) -> AppResult<()> {
    let bad = value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r')));
    if bad {
        return Err(AppError::bad_input(
            field,
            format!("{field} contains control characters"),
        ));
    }
    Ok(())
}

fn check_len(field: &str, value: &str, max: usize) -> AppResult<()> {
    if value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("{field} is longer than {max} characters"),
        ));
    }
    Ok(())
}

/// A required one-line text: trimmed, non-empty, at most `max` characters.
pub fn required_line(field: &str, value: &str, max: usize) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::bad_input(
            field,
            format!("{field} must not be empty"),
        ));
    }
    check_len(field, trimmed, max)?;
    check_chars(field, trimmed, false)?;
    Ok(trimmed.to_owned())
}

/// An optional one-line text; blank becomes `None`.
pub fn optional_line(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_line(field, v, max).map(Some),
    }
}

/// Optional prose (line breaks allowed); blank becomes `None`.
pub fn optional_prose(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            check_len(field, v, max)?;
            check_chars(field, v, true)?;
            Ok(Some(v.to_owned()))
        }
    }
}

/// A list of short texts: each one-line and bounded, blanks and duplicates dropped,
/// order kept.
pub fn line_list(field: &str, values: &[String], item_max: usize) -> AppResult<Vec<String>> {
    if values.len() > LIST_MAX {
        return Err(AppError::bad_input(
            field,
            format!("{field} holds at most {LIST_MAX} items"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        if let Some(v) = optional_line(field, Some(value), item_max)? {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    Ok(out)
}

/// A URL-safe identifier: lower-case letters, digits and dashes, 2..=64 long.
pub fn slug(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim();
    let ok = (2..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !v.starts_with('-')
        && !v.ends_with('-');
    if !ok {
        return Err(AppError::bad_input(
            field,
            "a slug is 2 to 64 lower-case letters, digits and inner dashes",
        ));
    }
    Ok(v.to_owned())
}

/// An e-mail address, lower-cased; checked for shape only (a mailbox is proven elsewhere).
pub fn email(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim().to_lowercase();
    let shape_ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !shape_ok || v.len() > 254 {
        return Err(AppError::bad_input(field, "not an e-mail address"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            required_line("name", "  Web  ", 10).ok(),
            Some("Web".into())
        );
        assert!(required_line("name", "   ", 10).is_err());
        assert!(required_line("name", &"x".repeat(11), 10).is_err());
        assert!(required_line("name", "a\u{0}b", 10).is_err());
    }

    #[test]
    fn lists_drop_blanks_and_duplicates() {
        let v = vec!["a".to_string(), " ".into(), "a".into(), "b".into()];
        assert_eq!(
            line_list("tags", &v, 5).ok(),
            Some(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn slugs_and_emails() {
        assert!(slug("slug", "acme-motors").is_ok());
        assert!(slug("slug", "Acme").is_err());
        assert!(slug("slug", "-acme").is_err());
        assert_eq!(
            email("email", " Ann@Example.com ").ok(),
            Some("ann@example.com".into())
        );
        assert!(email("email", "ann@").is_err());
    }
}
