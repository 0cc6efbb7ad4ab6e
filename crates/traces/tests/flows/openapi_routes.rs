//! The OpenAPI document and the routes agree: every operation it documents is routed (asked
//! without a token, it answers 401 problem JSON, not the 404 of an unknown path), every
//! `/api/v1` route registered in the source is documented, and the document is OpenAPI 3.1
//! with its responses documented and every `$ref` resolving.

use crate::access_world::MISSING;
use crate::on_both_backends;
use std::collections::BTreeSet;

fn document() -> serde_json::Value {
    serde_json::from_str(traces::http::api::OPENAPI).expect("openapi.json is JSON")
}

/// The documented operations: (method in lower case, path), and whether each needs a token.
fn operations() -> Vec<(String, String, bool)> {
    let doc = document();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            // An empty `security` list makes the operation public; else the document's or
            // the operation's scheme applies.
            let public = operation["security"]
                .as_array()
                .is_some_and(|s| s.is_empty());
            out.push((method.clone(), path.clone(), !public));
        }
    }
    out
}

/// The `.route("<path>", web::<method>()…)` calls of the source files under `dir`.
fn routes_in(dir: &std::path::Path, found: &mut BTreeSet<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            routes_in(&path, found);
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let mut rest = source.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let Some(literal) = rest.trim_start().strip_prefix('"') else {
                continue;
            };
            let Some(end) = literal.find('"') else {
                continue;
            };
            let route = &literal[..end];
            let after = literal[end + 1..].trim_start();
            let Some(method) = after
                .strip_prefix(',')
                .map(str::trim_start)
                .and_then(|a| a.strip_prefix("web::"))
                .and_then(|a| a.split('(').next())
            else {
                continue;
            };
            found.insert((method.to_owned(), route.to_owned()));
        }
    }
}

#[test]
fn the_document_is_openapi_3_1_and_every_operation_documents_its_answers() {
    let doc = document();
    assert!(
        doc["openapi"].as_str().unwrap_or("").starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let operations = operations();
    assert!(operations.len() >= 10, "{operations:?}");
    for (method, path, secured) in &operations {
        let responses = doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} has no responses"));
        assert!(
            responses.keys().any(|k| k.starts_with('2')),
            "{method} {path}: no success documented"
        );
        if *secured {
            assert!(
                responses.contains_key("401"),
                "{method} {path}: 401 not documented"
            );
        }
        for placeholder in path.split('{').skip(1) {
            let name = placeholder.split('}').next().unwrap();
            let parameters = doc["paths"][path][method]["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                parameters
                    .iter()
                    .any(|p| p["name"] == name && p["in"] == "path"),
                "{method} {path}: path parameter {name} not documented"
            );
        }
    }
    // Every reference points at something in the document.
    let text = traces::http::api::OPENAPI;
    for reference in text.split("\"$ref\": \"").skip(1) {
        let pointer = reference.split('"').next().unwrap();
        let pointer = pointer.strip_prefix('#').expect("a local reference");
        assert!(doc.pointer(pointer).is_some(), "{pointer} does not resolve");
    }
}

#[test]
fn every_api_route_in_the_source_is_documented() {
    let mut routed = BTreeSet::new();
    routes_in(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut routed,
    );
    let routed: BTreeSet<(String, String)> = routed
        .into_iter()
        .filter(|(_, path)| path.starts_with("/api/v1"))
        .collect();
    assert!(routed.len() >= 10, "the routes were read: {routed:?}");
    let documented: BTreeSet<(String, String)> = operations()
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "not in openapi.json: {undocumented:?}"
    );
}

on_both_backends!(every_documented_operation_is_routed, |world| {
    let client = reqwest::Client::new();
    for (method, path, secured) in operations() {
        let mut concrete = path.clone();
        while let (Some(start), Some(end)) = (concrete.find('{'), concrete.find('}')) {
            concrete.replace_range(start..=end, MISSING);
        }
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut request = client.request(method.clone(), world.traces(&concrete));
        if method != reqwest::Method::GET {
            request = request
                .header("content-type", "application/json")
                .body("{}");
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        if !secured {
            assert_eq!(status, 200, "{method} {path} is public");
            continue;
        }
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        assert_eq!(status, 401, "{method} {path}: {body}");
        assert_eq!(content_type, "application/problem+json", "{method} {path}");
        assert_eq!(
            body["type"], "urn:problem:unauthenticated",
            "{method} {path}"
        );
        assert_eq!(challenge.as_deref(), Some("Bearer realm=\"traces\""));
    }
});
