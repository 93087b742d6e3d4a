//! The OpenAPI document is generated from the route registrations; this
//! snapshot makes every change to the API contract visible in review.

#[test]
fn the_openapi_document_matches_its_snapshot() {
    insta::assert_snapshot!("openapi", web::openapi_json());
}

#[test]
fn every_documented_operation_is_under_api_v1() {
    let doc: serde_json::Value = serde_json::from_str(&web::openapi_json()).expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 7, "{} paths", paths.len());
    for path in paths.keys() {
        assert!(path.starts_with("/api/v1/"), "{path}");
    }
}

#[test]
fn operation_ids_are_unique() {
    let doc: serde_json::Value = serde_json::from_str(&web::openapi_json()).expect("json");
    let mut ids: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|ops| ops.as_object().expect("operations").values())
        .map(|op| op["operationId"].as_str().expect("operationId").to_owned())
        .collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "duplicate operationId: {ids:?}");
}

/// The document's list of domains is written out for the schema; it must
/// be the domain's own list.
#[test]
fn the_documented_domains_are_the_domains() {
    let doc: serde_json::Value = serde_json::from_str(&web::openapi_json()).expect("json");
    let documented: Vec<&str> = doc["components"]["schemas"]["DomainKey"]["enum"]
        .as_array()
        .expect("DomainKey enum")
        .iter()
        .map(|v| v.as_str().expect("text"))
        .collect();
    let real: Vec<&str> = domain::ledger::Domain::ALL
        .iter()
        .map(|d| d.as_str())
        .collect();
    assert_eq!(documented, real);
}

/// Two request bodies of the same Rust name once shared one schema name,
/// so the document described the values answers with the conversation's
/// fields (found by H4). Each body keeps a schema of its own.
#[test]
fn the_values_and_conversation_answers_have_their_own_schemas() {
    let doc: serde_json::Value = serde_json::from_str(&web::openapi_json()).expect("json");
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["ValuesAnswerBody"]["properties"]["importance"].is_object());
    assert!(schemas["ConversationAnswerBody"]["properties"]["text"].is_object());
    let body = |path: &str| {
        doc["paths"][path]["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .map(str::to_owned)
    };
    assert_eq!(
        body("/api/v1/relationships/{id}/values/answers").as_deref(),
        Some("#/components/schemas/ValuesAnswersBody")
    );
    assert_eq!(
        body("/api/v1/relationships/{id}/conversations/{deck}/answers").as_deref(),
        Some("#/components/schemas/ConversationAnswersBody")
    );
}

/// The answers every operation can give for its shape (api/shared_responses.rs).
#[test]
fn every_operation_lists_the_shared_error_answers() {
    let doc: serde_json::Value = serde_json::from_str(&web::openapi_json()).expect("json");
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            let has = |status: &str| op["responses"].get(status).is_some();
            let guarded = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if guarded {
                assert!(has("401"), "{method} {path}: 401");
            }
            if path.contains('{') {
                assert!(has("404"), "{method} {path}: 404");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(has(status), "{method} {path}: {status}");
                }
            }
        }
    }
}
