//! The HTTP client deliveries are sent with (reqwest, rustls): it connects only to addresses
//! the [`TargetPolicy`] allows — its resolver checks every address a name resolves to, right
//! before connecting — follows no redirect (one could point anywhere) and ignores proxy
//! settings. reqwest rather than awc: its futures are `Send` on the Tokio runtime the deliverer
//! runs on, and its resolver is pluggable.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};

use super::target::{Refused, TargetPolicy};

/// Response bodies are kept up to this many bytes.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Resolves through the system resolver, then refuses any address the policy does not allow.
struct GuardedResolver {
    policy: TargetPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            for a in &addrs {
                policy.address(a.ip())?;
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// How one attempt went.
#[derive(Debug)]
pub enum Outcome {
    /// The receiver answered.
    Answered {
        status: u16,
        retry_after: Option<Duration>,
        body: String,
        latency: Duration,
    },
    /// No answer: connection error or timeout.
    Failed {
        error: String,
        timed_out: bool,
        latency: Duration,
    },
    /// Not sent: the target is not allowed (no connection was attempted).
    Refused { error: String },
}

#[derive(Clone)]
pub struct WebhookClient {
    http: reqwest::Client,
    policy: TargetPolicy,
}

impl WebhookClient {
    pub fn new(policy: TargetPolicy, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver { policy }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .user_agent(concat!(
                "touchpoint-registry-webhooks/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;
        Ok(Self { http, policy })
    }

    /// POSTs `body` (JSON) to `url` with `headers`.
    pub async fn post(&self, url: &str, headers: HeaderMap, body: Vec<u8>) -> Outcome {
        let started = Instant::now();
        let failed = |error: String, timed_out: bool| Outcome::Failed {
            error,
            timed_out,
            latency: started.elapsed(),
        };
        // A literal address never reaches the resolver: it is checked here.
        let url = match self.policy.parse(url) {
            Ok(url) => url,
            Err(refused) => {
                return Outcome::Refused {
                    error: refused.to_string(),
                }
            }
        };
        let sent = self
            .http
            .post(url)
            .headers(headers)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body)
            .send()
            .await;
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => {
                if let Some(refused) = refusal(&e) {
                    return Outcome::Refused {
                        error: refused.to_string(),
                    };
                }
                return failed(describe(&e), e.is_timeout());
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let mut body = Vec::new();
        while body.len() < MAX_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return failed(describe(&e), e.is_timeout()),
            }
        }
        body.truncate(MAX_RESPONSE_BYTES);
        Outcome::Answered {
            status,
            retry_after,
            body: String::from_utf8_lossy(&body).into_owned(),
            latency: started.elapsed(),
        }
    }
}

/// The resolver's refusal, if that is why the request failed.
fn refusal(e: &reqwest::Error) -> Option<&Refused> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<Refused>() {
            return Some(r);
        }
        source = s.source();
    }
    None
}

/// An error with its causes (reqwest's own message names only the outermost).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(480).collect()
}
