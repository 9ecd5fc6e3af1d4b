//! E-mail, through the SMTP server the operator configures (`--smtp-url`, `--mail-from`,
//! `--public-url`; `lettre`): only the password reset link. Without a server there is no
//! `Mailer`, and resetting by e-mail is off (the sign-in screen says whom to ask instead).

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long a send may take before it is given up (a slow or silent server).
const SEND_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// The configured mail server, the sender, and the wallet's public address for links.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://host:port` in the clear, `smtp://...?tls=required` or
    /// `smtps://...` encrypted, with `user:password@` if the server asks), sending as `from`,
    /// linking to `public_url` (where customers open the wallet).
    pub fn new(smtp_url: &str, from: &str, public_url: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)?
            .timeout(Some(SEND_WITHIN))
            .build();
        Ok(Mailer {
            transport,
            from: from.parse()?,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// Sends `to` (named `name`) the link that sets a new password with `token`, valid for
    /// `minutes`. The token is in the link's fragment, which browsers never send to a server.
    pub async fn send_reset(
        &self,
        to: &str,
        name: &str,
        token: &str,
        minutes: i64,
    ) -> anyhow::Result<()> {
        let link = format!("{}/reset#token={token}", self.public_url);
        let body = format!(
            "Hello {name},\n\n\
             someone (we hope you) asked to set a new password for your Tessera account.\n\
             Open this link within {minutes} minutes to choose one; it works once:\n\n\
             {link}\n\n\
             If it was not you, ignore this message: your password stays as it is.\n"
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to.parse()?))
            .subject("Set a new Tessera password")
            .body(body)?;
        self.transport.send(message).await?;
        Ok(())
    }
}
