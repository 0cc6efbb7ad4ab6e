//! Outbound e-mail: SMTP through lettre in production, RFC 5322 `.eml` files in an outbox
//! folder by default (readable in development, and what the tests read).

use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// One e-mail to one person.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("cannot deliver the message: {0}")]
    Delivery(String),
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    Outbox {
        dir: PathBuf,
        from: Mailbox,
    },
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Outbox { dir, .. } => write!(f, "Outbox({})", dir.display()),
            Mailer::Smtp { .. } => f.write_str("Smtp"),
        }
    }
}

impl Mailer {
    /// SMTP when `smtp_url` is set (`smtp://`, `smtps://` or `smtp://…?tls=required`, with
    /// credentials in the URL), otherwise the outbox folder.
    pub fn new(
        smtp_url: Option<&str>,
        outbox_dir: PathBuf,
        from: &str,
    ) -> Result<Mailer, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| MailError::Address(format!("{from}: {e}")))?;
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::Build(format!("SMTP URL: {e}")))?
                    .timeout(Some(std::time::Duration::from_secs(15)))
                    .build();
                Ok(Mailer::Smtp { transport, from })
            }
            None => {
                std::fs::create_dir_all(&outbox_dir).map_err(|e| {
                    MailError::Build(format!("outbox {}: {e}", outbox_dir.display()))
                })?;
                Ok(Mailer::Outbox {
                    dir: outbox_dir,
                    from,
                })
            }
        }
    }

    pub fn is_outbox(&self) -> bool {
        matches!(self, Mailer::Outbox { .. })
    }

    fn build(&self, mail: &OutgoingMail) -> Result<Message, MailError> {
        let from = match self {
            Mailer::Outbox { from, .. } | Mailer::Smtp { from, .. } => from.clone(),
        };
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| MailError::Address(format!("{e}")))?;
        let builder = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject.clone());
        let message = match &mail.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                html.clone(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text.clone()),
        };
        message.map_err(|e| MailError::Build(e.to_string()))
    }

    /// Delivers one message: to the SMTP relay, or as a new `.eml` file in the outbox.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = self.build(mail)?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| MailError::Delivery(e.to_string()))?;
            }
            Mailer::Outbox { dir, .. } => {
                let name = format!(
                    "{}-{}.eml",
                    time::OffsetDateTime::now_utc().unix_timestamp_nanos(),
                    uuid::Uuid::new_v4().simple()
                );
                let path = dir.join(name);
                // Written under a temporary name and renamed, so a reader never sees half a file.
                let partial = dir.join(format!(".{}.partial", uuid::Uuid::new_v4().simple()));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .map_err(|e| MailError::Delivery(e.to_string()))?;
                tokio::fs::rename(&partial, &path)
                    .await
                    .map_err(|e| MailError::Delivery(e.to_string()))?;
                tracing::info!(to = %mail.to, subject = %mail.subject, file = %path.display(), "mail written to the outbox");
            }
        }
        Ok(())
    }
}

/// Delivers mail in the background, with retries, so that a page never waits on (or reveals
/// anything through the timing of) the relay. `idle()` lets tests wait until every message
/// posted so far has been delivered or given up.
#[derive(Clone, Debug)]
pub struct Postman {
    mailer: Mailer,
    deliveries: crate::delivery::Deliveries,
}

/// Pauses between the three tries of a message.
static MAIL_RETRY_PAUSES: [std::time::Duration; 2] = [
    std::time::Duration::from_secs(1),
    std::time::Duration::from_secs(5),
];

impl Postman {
    pub fn new(mailer: Mailer) -> Postman {
        Postman {
            mailer,
            deliveries: Default::default(),
        }
    }

    pub fn is_outbox(&self) -> bool {
        self.mailer.is_outbox()
    }

    /// Hands a message over for delivery: three tries, 1 s then 5 s apart.
    pub fn post(&self, mail: OutgoingMail) {
        let mailer = self.mailer.clone();
        let mail = std::sync::Arc::new(mail);
        self.deliveries.spawn("mail", &MAIL_RETRY_PAUSES, move || {
            let (mailer, mail) = (mailer.clone(), std::sync::Arc::clone(&mail));
            async move { mailer.send(&mail).await }
        });
    }

    /// Waits until nothing is being delivered.
    pub async fn idle(&self) {
        self.deliveries.idle().await
    }
}
