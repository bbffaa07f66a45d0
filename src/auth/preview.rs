//! Preview tokens: signed, scoped to one article (optionally one version),
//! expiring. Signed with the same key as access tokens but for another
//! audience, so neither is accepted as the other.

use jsonwebtoken::{decode, encode, Header, Validation};
use serde::{Deserialize, Serialize};

use super::TokenKeys;
use crate::error::ApiError;

/// The audience preview tokens are issued for.
const AUDIENCE: &str = "clinic-cms-preview";

/// What a preview token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreviewClaims {
    aud: String,
    /// The token's id (the row that lists it and can revoke it).
    pub sub: String,
    /// The article it shows.
    pub art: i32,
    /// The version it shows, when pinned to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ver: Option<i32>,
    pub iat: i64,
    pub exp: i64,
}

impl PreviewClaims {
    pub fn new(id: String, article: i32, version: Option<i32>, iat: i64, exp: i64) -> Self {
        Self {
            aud: AUDIENCE.into(),
            sub: id,
            art: article,
            ver: version,
            iat,
            exp,
        }
    }
}

impl TokenKeys {
    pub fn issue_preview(&self, claims: &PreviewClaims) -> Result<String, ApiError> {
        encode(
            &Header::new(jsonwebtoken::Algorithm::HS256),
            claims,
            &self.encoding,
        )
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing a preview token: {e}")))
    }

    /// The claims of a valid, unexpired preview token.
    pub fn verify_preview(&self, token: &str) -> Result<PreviewClaims, ApiError> {
        let mut validation: Validation = self.validation.clone();
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "aud"]);
        decode::<PreviewClaims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| {
                ApiError::Unauthorized("the preview token is invalid, expired or revoked".into())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    #[test]
    fn preview_and_access_tokens_are_not_each_other() {
        let keys = TokenKeys::new(Some(&Secret::new("s".repeat(32))));
        let now = chrono::Utc::now().timestamp();
        let claims = PreviewClaims::new("p1".into(), 7, Some(3), now, now + 60);
        let token = keys.issue_preview(&claims).unwrap();
        let back = keys.verify_preview(&token).unwrap();
        assert_eq!((back.sub.as_str(), back.art, back.ver), ("p1", 7, Some(3)));
        assert!(keys.verify(&token).is_err(), "not an access token");
        let mut tampered = token.clone();
        tampered.insert(token.len() / 2, 'x');
        assert!(keys.verify_preview(&tampered).is_err());
        let expired = PreviewClaims::new("p2".into(), 7, None, now - 120, now - 60);
        let token = keys.issue_preview(&expired).unwrap();
        assert!(keys.verify_preview(&token).is_err());
    }
}
