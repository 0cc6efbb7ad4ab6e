//! E-mails about decisions, each in its recipient's language, posted after the transaction
//! committed (the outbox or SMTP; delivery is retried in the background and never delays a
//! page).

use crate::app::AppState;
use crate::i18n::Lang;
use infra::mail::OutgoingMail;

/// Someone to write to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub language: String,
    pub name: String,
}

/// One e-mail to send: the catalog entry `mail.<kind>` (subject and body) and its values.
/// `{name}` is filled with each recipient's name.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: &'static str,
    pub to: Vec<Recipient>,
    pub values: Vec<(&'static str, String)>,
    /// Values that are catalog keys, translated into each recipient's language.
    pub labels: Vec<(&'static str, String)>,
}

impl Notice {
    pub fn new(kind: &'static str, to: Vec<Recipient>) -> Notice {
        Notice {
            kind,
            to,
            values: Vec::new(),
            labels: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Notice {
        self.values.push((name, value.into()));
        self
    }

    /// A value given as a catalog key (a status, a role), shown in each recipient's language.
    pub fn with_label(mut self, name: &'static str, key: impl Into<String>) -> Notice {
        self.labels.push((name, key.into()));
        self
    }
}

/// Posts each notice to each of its recipients (once per address).
pub fn send(state: &AppState, notices: Vec<Notice>) {
    for notice in notices {
        let mut seen = std::collections::HashSet::new();
        for recipient in notice.to.iter().filter(|r| seen.insert(r.email.clone())) {
            let tr = crate::i18n::tr(Lang::parse(&recipient.language).unwrap_or(Lang::En));
            let mut values: Vec<(&str, &str)> = notice
                .values
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect();
            for (k, key) in &notice.labels {
                values.push((*k, tr.t(key)));
            }
            values.push(("name", recipient.name.as_str()));
            let signature = tr.fill("mail.signature", &[("url", &state.settings.url("/"))]);
            state.postman.post(OutgoingMail {
                to: recipient.email.clone(),
                subject: tr.fill(&format!("mail.{}.subject", notice.kind), &values),
                text: format!(
                    "{}\n\n-- \n{signature}\n",
                    tr.fill(&format!("mail.{}.body", notice.kind), &values)
                ),
                html: None,
            });
            state.metrics.event("mail_sent");
        }
    }
}
