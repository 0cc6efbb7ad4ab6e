//! Sending text messages: through an HTTP gateway in production (`EULOGIN_SMS_URL`: a JSON
//! `POST {"to": "+46701234567", "text": "…"}`, with `Authorization: Bearer` when a token is
//! configured), or as JSON files in the outbox folder by default (`*.sms.json`, beside the
//! e-mails). Messages leave in the background with retries, so a page never waits on the
//! gateway.

use infra::delivery::Deliveries;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Pauses between the tries of one message: a code is worth little after a minute.
static RETRY_PAUSES: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(3),
    Duration::from_secs(9),
];

/// One text message.
#[derive(Debug, Clone, Serialize)]
pub struct TextMessage {
    /// E.164 number.
    pub to: String,
    pub text: String,
}

#[derive(Clone)]
enum Route {
    Gateway {
        url: String,
        token: Option<Arc<str>>,
        http: reqwest::Client,
    },
    Outbox {
        dir: PathBuf,
    },
}

/// Where text messages go; cheap to clone.
#[derive(Clone)]
pub struct SmsSender {
    route: Route,
    deliveries: Deliveries,
}

impl std::fmt::Debug for SmsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.route {
            Route::Gateway { url, .. } => write!(f, "SmsSender(gateway {url})"),
            Route::Outbox { dir } => write!(f, "SmsSender(outbox {})", dir.display()),
        }
    }
}

impl SmsSender {
    /// The gateway when `url` is set, otherwise the outbox folder.
    pub fn new(
        url: Option<&str>,
        token: Option<&str>,
        outbox_dir: PathBuf,
    ) -> anyhow::Result<SmsSender> {
        let route = match url {
            Some(url) => Route::Gateway {
                url: url.to_owned(),
                token: token.map(Arc::from),
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .connect_timeout(Duration::from_secs(3))
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("eulogin/", env!("CARGO_PKG_VERSION")))
                    .build()?,
            },
            None => {
                std::fs::create_dir_all(&outbox_dir)
                    .map_err(|e| anyhow::anyhow!("SMS outbox {}: {e}", outbox_dir.display()))?;
                Route::Outbox { dir: outbox_dir }
            }
        };
        Ok(SmsSender {
            route,
            deliveries: Deliveries::default(),
        })
    }

    pub fn is_outbox(&self) -> bool {
        matches!(self.route, Route::Outbox { .. })
    }

    /// Hands a message over; returns at once.
    pub fn send(&self, message: TextMessage) {
        let route = self.route.clone();
        let message = Arc::new(message);
        self.deliveries
            .spawn("text message", &RETRY_PAUSES, move || {
                let (route, message) = (route.clone(), Arc::clone(&message));
                async move { deliver(&route, &message).await }
            });
    }

    /// Waits until every message handed over so far has left or been given up.
    pub async fn idle(&self) {
        self.deliveries.idle().await
    }
}

async fn deliver(route: &Route, message: &TextMessage) -> Result<(), String> {
    match route {
        Route::Gateway { url, token, http } => {
            let mut request = http.post(url).json(message);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.map_err(|e| e.to_string())?;
            if response.status().is_success() {
                tracing::info!(to = %mask_for_log(&message.to), "text message handed to the gateway");
                Ok(())
            } else {
                Err(format!("the SMS gateway answered {}", response.status()))
            }
        }
        Route::Outbox { dir } => {
            let json = serde_json::to_vec_pretty(message).map_err(|e| e.to_string())?;
            let name = format!(
                "{}-{}.sms.json",
                time::OffsetDateTime::now_utc().unix_timestamp_nanos(),
                uuid::Uuid::new_v4().simple()
            );
            let partial = dir.join(format!(".{name}.partial"));
            tokio::fs::write(&partial, json)
                .await
                .map_err(|e| e.to_string())?;
            tokio::fs::rename(&partial, dir.join(&name))
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(to = %mask_for_log(&message.to), file = %name, "text message written to the outbox");
            Ok(())
        }
    }
}

/// Logs never carry a whole phone number.
fn mask_for_log(e164: &str) -> String {
    let keep = e164.len().saturating_sub(2);
    format!("{}…{}", &e164[..e164.len().min(3)], &e164[keep..])
}
