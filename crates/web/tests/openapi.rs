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
