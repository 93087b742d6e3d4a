//! The error answers every operation can give for reasons of its shape
//! rather than its own rules, added to the document once here instead of
//! in each handler's `#[utoipa::path]`: a handler lists what its use case
//! answers; this adds what the layers and extractors around it answer.
//!
//! Found by H4 (scripts/harness/schemathesis.sh): the server answered 400,
//! 401, 404, 413, 415 and 422 where the document listed none of them, so a
//! client generated from the document had no case for them.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Schema};
use utoipa::openapi::{
    AllOfBuilder, ContentBuilder, OpenApi, Ref, RefOr, Required, Response, ResponseBuilder,
};

/// Adds to every operation the shared answers it can give and does not
/// list yet (an operation's own description of a status wins).
pub fn add(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let has_path_params = path.contains('{');
        for (method, operation) in [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ] {
            if let Some(operation) = operation {
                add_to(operation, method, has_path_params);
            }
        }
    }
}

fn add_to(operation: &mut Operation, method: &str, has_path_params: bool) {
    // What auth::csrf::guard and middleware::require_json look at.
    let unsafe_method = method != "get";
    let has_body = operation.request_body.is_some();
    let sends_body = matches!(method, "post" | "put" | "patch") || has_body;
    let has_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    // An operation a caller must be signed in for (`security` absent means
    // open to all; sign-out, for one, answers 204 to anyone).
    let guarded = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut shared: Vec<(&str, &str)> = Vec::new();
    if has_body || has_query {
        shared.push((
            "400",
            "Malformed: a body that is not a JSON object of the declared fields \
             (the field is named), or a query parameter of the wrong type",
        ));
    }
    if guarded {
        shared.push(("401", "Not signed in"));
    }
    if unsafe_method {
        // auth::csrf::guard, before any handler.
        shared.push(("403", "Sent by a page of another site (cross_site)"));
    }
    if has_path_params {
        shared.push((
            "404",
            "Nothing here for the caller: an id that is not theirs, or none",
        ));
    }
    if has_body {
        shared.push(("413", "The body is larger than 64 KiB"));
    }
    if sends_body {
        shared.push((
            "415",
            "A body sent as something other than application/json",
        ));
    }
    if has_body {
        shared.push((
            "422",
            "A field breaks a rule (the field is named), e.g. text with a NUL character",
        ));
    }
    for (status, description) in shared {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error(description));
    }
}

/// `extract::parse` reads an empty body as `{}`, so a body whose schema
/// requires no field may be left out: the document says so (found by H4,
/// which took the body's absence for invalid data the server accepted).
pub fn optional_empty_bodies(doc: &mut OpenApi) {
    let schemas = doc
        .components
        .as_ref()
        .map(|c| c.schemas.clone())
        .unwrap_or_default();
    let requires_nothing = |body: &utoipa::openapi::request_body::RequestBody| {
        body.content.values().all(|content| match &content.schema {
            Some(RefOr::Ref(r)) => {
                let name = r.ref_location.rsplit('/').next().unwrap_or_default();
                matches!(schemas.get(name), Some(RefOr::T(Schema::Object(o))) if o.required.is_empty())
            }
            Some(RefOr::T(Schema::Object(o))) => o.required.is_empty(),
            _ => false,
        })
    };
    for item in doc.paths.paths.values_mut() {
        for operation in [item.post.as_mut(), item.put.as_mut(), item.patch.as_mut()]
            .into_iter()
            .flatten()
        {
            if let Some(body) = operation.request_body.as_mut() {
                if requires_nothing(body) {
                    body.required = Some(Required::False);
                }
            }
        }
    }
}

/// A password reset needs one proof of two, not both: the e-mail with a
/// recovery code, or a reset token (`proof_required`, 400, otherwise).
/// The derive cannot say so, so the schema gains a `oneOf` of the two
/// (found by H4): each requires its own fields as strings and leaves the
/// other's absent or null.
pub fn reset_needs_a_proof(doc: &mut OpenApi) {
    use utoipa::openapi::schema::{OneOfBuilder, Type};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let Some(original) = components.schemas.remove("ResetBody") else {
        return;
    };
    let proof = |given: &[&str], left_out: &[&str]| {
        let mut object = ObjectBuilder::new();
        for field in given {
            object = object
                .required(*field)
                .property(*field, ObjectBuilder::new().schema_type(Type::String));
        }
        for field in left_out {
            object = object.property(*field, ObjectBuilder::new().schema_type(Type::Null));
        }
        object.build()
    };
    let proofs = OneOfBuilder::new()
        .item(proof(&["email", "recovery_code"], &["reset_token"]))
        .item(proof(&["reset_token"], &["email", "recovery_code"]))
        .build();
    let schema = AllOfBuilder::new()
        .item(original)
        .item(Schema::OneOf(proofs))
        .build();
    components
        .schemas
        .insert("ResetBody".to_owned(), RefOr::T(Schema::AllOf(schema)));
}

/// An answer with the API's error body.
fn error(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}
