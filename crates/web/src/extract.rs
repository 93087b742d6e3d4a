//! `ApiJson<T>`: the JSON body extractor of the API. It answers every way a
//! body can be wrong with the API's error shape and the field at fault:
//! 400 for malformed JSON, a missing or unknown field or a wrong type, 413
//! for an oversized body. Values that parse but break a rule are checked
//! later, by the domain's typed values, and answer 422 — except a NUL
//! character in any text, refused here for every body at once (422).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::AppError;

pub struct ApiJson<T>(pub T);

/// Query-string parameters, refused in the API's error shape (400 naming
/// the parameter) instead of axum's plain-text rejection.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => {
                // axum says "Failed to deserialize query string: NAME: problem".
                let text = rejection.body_text();
                let detail = text
                    .split_once("query string: ")
                    .map_or(text.as_str(), |(_, d)| d);
                let mut err = AppError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    format!("A query parameter is invalid: {detail}."),
                );
                if let Some((name, _)) = detail.split_once(':') {
                    err = err.with_field(name.trim());
                }
                Err(err)
            }
        }
    }
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::too_large()
            } else {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "unreadable_body",
                    "The request body could not be read.",
                )
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body; an empty body counts as `{}` so that actions without
/// parameters (create a relationship, leave) accept both.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    // Every body is an object; without this check serde would read an array
    // positionally and blame a field by index.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(
            if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_type",
                    "The body must be a JSON object.",
                )
            } else {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    "The body is not valid JSON.",
                )
            },
        );
    }
    refuse_nul(bytes)?;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => value,
        // JSON Schema, and so the OpenAPI document, counts `3.0` as an
        // integer; serde does not. A body whose integers are written that
        // way is read again with them as `3` (found by H4: schemathesis
        // sent `"effort": 3.0` and got 400). Only after a failure, so an
        // ordinary body is read once.
        Err(err)
            if err
                .inner()
                .to_string()
                .starts_with("invalid type: floating point") =>
        {
            match integral_floats_as_integers(bytes) {
                Some(rewritten) => return parse(&rewritten),
                None => return Err(describe(err)),
            }
        }
        Err(err) => return Err(describe(err)),
    };
    deserializer.end().map_err(|_| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The body has text after the JSON value.",
        )
    })?;
    Ok(value)
}

/// PostgreSQL cannot store a NUL character (U+0000) in text and fails the
/// whole statement, which answered 500 after the use case had run; SQLite
/// stores it, but many of its string functions stop at it. So no text may
/// hold one, refused here once for every body rather than by each value
/// type (a password too: nobody types one, and one rule is simpler).
///
/// JSON can only carry a NUL as the escape `\u0000` (a raw control byte is
/// malformed JSON), so a body without those six bytes, which is every
/// ordinary body, costs one scan and nothing more. A body with them is read
/// into a `Value` and walked; a false alarm (an escaped backslash before
/// `u0000`) finds no NUL and goes on. Malformed JSON is left to the typed
/// parse, which names the problem.
fn refuse_nul(bytes: &[u8]) -> Result<(), AppError> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(());
    };
    match nul_field(&value, None) {
        None => Ok(()),
        Some(field) => {
            let err = AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_text",
                "Text can't contain a NUL character (U+0000).",
            );
            Err(match field {
                Some(field) => err.with_field(field),
                None => err,
            })
        }
    }
}

/// Where a NUL is: `Some(field)` with the innermost object key above it
/// (an array's items answer to the array's key, so the field is one a
/// client can find in its own body), `None` when there is none. A key that
/// holds a NUL itself is blamed on the key above its object. serde_json caps
/// nesting at 128 levels, which bounds the recursion.
fn nul_field<'a>(value: &'a serde_json::Value, key: Option<&'a str>) -> Option<Option<&'a str>> {
    use serde_json::Value;
    match value {
        Value::String(text) => text.contains('\0').then_some(key),
        Value::Array(items) => items.iter().find_map(|item| nul_field(item, key)),
        Value::Object(map) => map.iter().find_map(|(name, item)| {
            if name.contains('\0') {
                Some(key)
            } else {
                nul_field(item, Some(name))
            }
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

/// The body with every number outside a string that has a fraction of
/// zeros only and no exponent (`3.0`, `-12.00`) written as an integer, or
/// `None` when it has none. Everything else is copied byte for byte, so
/// duplicate keys and the rest of the body keep their own answers.
fn integral_floats_as_integers(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut changed = false;
    let (mut in_string, mut escaped) = (false, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            out.push(b);
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
        }
        if b != b'-' && !b.is_ascii_digit() {
            out.push(b);
            i += 1;
            continue;
        }
        // A number: sign, digits, then perhaps a fraction and an exponent.
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let integer_end = i;
        let mut zero_fraction = false;
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let digits = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            zero_fraction = i > digits && bytes[digits..i].iter().all(|&d| d == b'0');
        }
        let exponent = i < bytes.len() && matches!(bytes[i], b'e' | b'E');
        if zero_fraction && !exponent {
            out.extend_from_slice(&bytes[start..integer_end]);
            changed = true;
        } else {
            out.extend_from_slice(&bytes[start..i]);
        }
    }
    changed.then_some(out)
}

fn describe(err: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let message = inner.to_string();
    if !inner.is_data() {
        return AppError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The body is not valid JSON.",
        );
    }
    // serde names the offending field in backticks for these two cases; the
    // path then points at the enclosing object, so take the name from the text.
    let quoted = message.split('`').nth(1).map(str::to_owned);
    // The path may already end with the named field (unknown fields) or
    // stop at the enclosing object (missing fields).
    let within = |name: String| {
        if path == "." || path.is_empty() {
            name
        } else if path == name || path.ends_with(&format!(".{name}")) {
            path.clone()
        } else {
            format!("{path}.{name}")
        }
    };
    if message.starts_with("unknown field") {
        let field = within(quoted.unwrap_or_default());
        return AppError::new(
            StatusCode::BAD_REQUEST,
            "unknown_field",
            format!("`{field}` is not a field here."),
        )
        .with_field(field);
    }
    // A key sent twice (found by tests/http/fuzz_bodies.rs): it answered
    // "invalid_type" without a field.
    if message.starts_with("duplicate field") {
        let field = within(quoted.unwrap_or_default());
        return AppError::new(
            StatusCode::BAD_REQUEST,
            "duplicate_field",
            format!("`{field}` is sent twice."),
        )
        .with_field(field);
    }
    if message.starts_with("missing field") {
        let field = within(quoted.unwrap_or_default());
        return AppError::new(
            StatusCode::BAD_REQUEST,
            "missing_field",
            format!("`{field}` is required."),
        )
        .with_field(field);
    }
    let field = if path == "." { None } else { Some(path) };
    let what = message
        .split(" at line")
        .next()
        .unwrap_or("wrong type")
        .to_owned();
    let mut err = AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_type",
        format!("Wrong type: {what}."),
    );
    err.field = field;
    err
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        age: u8,
    }

    fn field_of(bytes: &[u8]) -> (StatusCode, &'static str, Option<String>) {
        let err = parse::<Body>(bytes).expect_err("must fail");
        (err.status, err.code, err.field)
    }

    #[test]
    fn each_failure_names_its_field() {
        assert_eq!(
            field_of(b"{\"email\": "),
            (StatusCode::BAD_REQUEST, "malformed_json", None)
        );
        assert_eq!(
            field_of(br#"{"email": "a", "age": 1, "admin": true}"#),
            (
                StatusCode::BAD_REQUEST,
                "unknown_field",
                Some("admin".into())
            )
        );
        assert_eq!(
            field_of(br#"{"email": "a"}"#),
            (StatusCode::BAD_REQUEST, "missing_field", Some("age".into()))
        );
        assert_eq!(
            field_of(br#"{"email": 5, "age": 1}"#),
            (
                StatusCode::BAD_REQUEST,
                "invalid_type",
                Some("email".into())
            )
        );
        assert_eq!(
            field_of(b"[1]"),
            (StatusCode::BAD_REQUEST, "invalid_type", None)
        );
        assert_eq!(
            field_of(br#"{"email": "a", "age": 1} x"#).1,
            "malformed_json"
        );
    }

    #[test]
    fn a_nul_is_refused_naming_the_innermost_key() {
        let nul = |body: &str| {
            let err = parse::<serde_json::Value>(body.as_bytes()).expect_err("must fail");
            assert_eq!(
                (err.status, err.code),
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_text")
            );
            err.field
        };
        assert_eq!(nul(r#"{"email": "a\u0000"}"#), Some("email".into()));
        assert_eq!(
            nul(r#"{"a": 1, "answers": [{"item": "x", "note": "b\u0000c"}]}"#),
            Some("note".into())
        );
        assert_eq!(
            nul(r#"{"answers": ["ok", "\u0000"]}"#),
            Some("answers".into())
        );
        assert_eq!(
            nul(r#"{"answers": {"hon\u0000esty": 3}}"#),
            Some("answers".into())
        );
        assert_eq!(
            nul(r#"{"\u0000": 1}"#),
            None,
            "a key at the top has no field above it"
        );
        // Shape errors in a body with a NUL are still 422 for the NUL: one
        // answer for text we cannot store, whatever else is wrong.
        assert_eq!(field_of(br#"{"email": "\u0000"}"#).1, "invalid_text");
    }

    #[test]
    fn an_escaped_backslash_before_u0000_is_not_a_nul() {
        let value: serde_json::Value = parse(br#"{"note": "a \\u0000 b"}"#).expect("plain text");
        assert_eq!(value["note"], "a \\u0000 b");
        // Malformed JSON keeps its own answer.
        assert_eq!(field_of(b"{\"email\": \"\\u0000").1, "malformed_json");
    }

    #[test]
    fn an_integer_written_with_a_zero_fraction_is_an_integer() {
        let body: Body = parse(br#"{"email": "a 1.0 \" 2.0", "age": 3.0}"#).expect("3.0 is 3");
        assert_eq!((body.email.as_str(), body.age), ("a 1.0 \" 2.0", 3));
        // A real fraction, or an exponent, stays a wrong type.
        assert_eq!(field_of(br#"{"email": "a", "age": 3.5}"#).1, "invalid_type");
        assert_eq!(
            field_of(br#"{"email": "a", "age": 3.0e0}"#).1,
            "invalid_type"
        );
        assert_eq!(
            field_of(br#"{"email": "a", "age": 3.0, "age": 4}"#).1,
            "duplicate_field"
        );
    }

    #[test]
    fn an_empty_body_is_an_empty_object() {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Empty {}
        assert!(parse::<Empty>(b"").is_ok());
        assert!(parse::<Empty>(b"  \n").is_ok());
    }
}
