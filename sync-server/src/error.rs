//! The relay's errors: each maps to an HTTP status and a stable code, and travels as a small
//! JSON body that says what was wrong.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use linli_core::sync::protocol::ErrorBody;

/// An error with the status it answers with.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct RelayError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// What was wrong.
    pub message: String,
    /// For a 429: how many seconds to wait, sent as `Retry-After`.
    pub retry_after_secs: Option<u64>,
}

impl RelayError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> RelayError {
        RelayError {
            status,
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// 429: too many requests; try again after `retry_after_secs` seconds.
    pub fn too_many(
        code: &'static str,
        message: impl Into<String>,
        retry_after_secs: u64,
    ) -> RelayError {
        RelayError {
            retry_after_secs: Some(retry_after_secs),
            ..RelayError::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> RelayError {
        RelayError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 403: the device may not do this.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> RelayError {
        RelayError::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 500: the relay failed.
    pub fn internal(message: impl std::fmt::Display) -> RelayError {
        RelayError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            message.to_string(),
        )
    }
}

impl From<rusqlite::Error> for RelayError {
    fn from(e: rusqlite::Error) -> Self {
        RelayError::internal(format!("storage: {e}"))
    }
}

impl From<postgres::Error> for RelayError {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        let retry = e.code().is_some_and(|c| {
            *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE
        });
        if retry {
            RelayError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_busy",
                format!("storage busy, try again: {e}"),
            )
        } else {
            RelayError::internal(format!("storage: {e}"))
        }
    }
}

impl From<r2d2::Error> for RelayError {
    fn from(e: r2d2::Error) -> Self {
        RelayError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            format!("no database connection: {e}"),
        )
    }
}

impl From<linli_core::Error> for RelayError {
    fn from(e: linli_core::Error) -> Self {
        use linli_core::Error as E;
        match e {
            E::InvalidInput { .. } | E::CorruptChange { .. } => {
                RelayError::bad_request("invalid", e.to_string())
            }
            E::NotFound { .. } => {
                RelayError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            E::Forbidden { .. } => RelayError::forbidden("forbidden", e.to_string()),
            E::InvalidState { .. } | E::IdentityMismatch { .. } => {
                RelayError::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            other => RelayError::internal(other),
        }
    }
}

impl IntoResponse for RelayError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        } else {
            // A refusal's message may quote what a phone sent or a device's name: it is logged
            // only at debug level; info carries the status and the code.
            tracing::info!(status = %self.status, code = self.code, "request refused");
            tracing::debug!(code = self.code, message = %self.message, "refusal message");
        }
        let body = ErrorBody {
            error: self.code.to_owned(),
            message: self.message,
        };
        let mut response = (
            self.status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&body).unwrap_or_default(),
        )
            .into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

#[cfg(test)]
mod code_tests {
    use linli_core::sync::relay_codes::relay_codes;

    /// The code arguments of the relay's error constructors in `text`, when written as
    /// literals, and the codes of refused changes (`Some(("code", …`).
    fn codes_in(text: &str) -> Vec<String> {
        let literal = |rest: &str| {
            let rest = rest.trim_start();
            rest.strip_prefix('"')
                .and_then(|lit| lit.find('"').map(|end| lit[..end].to_owned()))
        };
        let mut out = Vec::new();
        for opener in ["bad_request(", "forbidden(", "too_many(", "Some(("] {
            for (at, _) in text.match_indices(opener) {
                out.extend(literal(&text[at + opener.len()..]));
            }
        }
        for (at, _) in text.match_indices("RelayError::new(") {
            let rest = &text[at + "RelayError::new(".len()..];
            if let Some(comma) = rest.find(',') {
                out.extend(literal(&rest[comma + 1..]));
            }
        }
        out.retain(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
        out
    }

    /// Every code the relay's sources answer with is listed for the apps' sentences: a new
    /// code without one fails here, not on a phone's screen.
    #[test]
    fn every_code_the_relay_answers_with_is_listed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        for (_, text) in linli_core::test_support::sources::rust_sources(&root) {
            // Not this test's own words.
            let text = text.split("mod code_tests").next().unwrap_or_default();
            found.extend(codes_in(text));
        }
        assert!(found.len() > 60, "{} codes found", found.len());
        let listed = relay_codes();
        let missing: Vec<_> = found
            .iter()
            .filter(|c| !listed.contains(&c.as_str()))
            .collect();
        assert!(missing.is_empty(), "codes without a sentence: {missing:?}");
    }
}
