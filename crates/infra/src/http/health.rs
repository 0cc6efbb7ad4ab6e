//! Liveness and readiness: `/healthz` answers while the process runs; `/readyz` only when the
//! database and the key-value store answer (503 otherwise), so a load balancer stops sending
//! traffic to a replica that cannot serve it.

use crate::db::Database;
use crate::kv::KeyValue;
use actix_web::HttpResponse;
use serde_json::json;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

pub async fn readyz(db: &Database, kv: &KeyValue) -> HttpResponse {
    let (database, store) = tokio::join!(db.ping(), kv.ping());
    let body = json!({
        "status": if database && store { "ready" } else { "unavailable" },
        "checks": { "database": database, "key_value_store": store },
    });
    if database && store {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
