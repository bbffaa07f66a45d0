//! Tokens, the `AuthUser` extractor and the one permission check; passwords in `passwords`.

mod passwords;
pub mod preview;

pub use passwords::{hash_password_blocking, Password, Passwords};

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use jsonwebtoken::{decode, encode, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::config::Secret;
use crate::content::session::Session;
use crate::content::user::{Role, User, UserRecord};
use crate::error::ApiError;

/// Access tokens live this long.
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
/// Refresh tokens live this long (each use replaces the token).
pub const REFRESH_TOKEN_DAYS: i64 = 30;

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub role: Role,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// The session (login) the token belongs to: ending it ends the token.
    pub sid: String,
}

/// HS256 keys; validation accepts HS256 only, so `none` and other algorithms fail.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Keys `tag`: derived from the same secret, for another purpose.
    tag_key: Vec<u8>,
}

impl TokenKeys {
    pub fn new(secret: Option<&Secret>) -> Self {
        let bytes = match secret {
            Some(secret) => secret.expose().as_bytes().to_vec(),
            None => {
                tracing::warn!(
                    "JWT_SECRET is not set: using a random secret for this run; tokens die with the process"
                );
                random_bytes(64)
            }
        };
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        let mut derived = Sha256::new();
        derived.update(b"clinic-cms tags:");
        derived.update(&bytes);
        Self {
            encoding: EncodingKey::from_secret(&bytes),
            decoding: DecodingKey::from_secret(&bytes),
            validation,
            tag_key: derived.finalize().to_vec(),
        }
    }

    /// A value only this server can make for `message` (HMAC-SHA256, 128
    /// bits in hex): the CSRF value of a cookie session.
    pub fn tag(&self, message: &str) -> String {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.tag_key)
            .expect("HMAC takes a key of any length");
        mac.update(message.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// A fresh access token for `user` in session `session`.
    pub fn issue(&self, user: &UserRecord, session: &str) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.to_string(),
            role: user.role(),
            iat: now,
            exp: now + ACCESS_TOKEN_SECONDS,
            jti: hex::encode(random_bytes(16)),
            sid: session.to_string(),
        };
        encode(
            &Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &self.encoding,
        )
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing a token: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| ApiError::Unauthorized("the access token is invalid or expired".into()))
    }
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// An opaque refresh token (256 random bits) and the hash stored for it.
pub fn new_refresh_token() -> (String, String) {
    let token = hex::encode(random_bytes(32));
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The user behind a valid access token, loaded fresh from the database on
/// every request with the token's session, so disabling, deleting,
/// re-roling, a new password or a logout takes effect at once.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: i32,
    pub role: Role,
    pub name: String,
    /// The session (login) of the token.
    pub session: String,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            let token = token?;
            let claims = state.tokens.verify(&token)?;
            let id: i32 = claims
                .sub
                .parse()
                .map_err(|_| ApiError::Unauthorized("the access token is invalid".into()))?;
            let session = claims.sid;
            let sid = session.clone();
            let user = state
                .db
                .run(move |conn| {
                    if !Session::is_active(conn, &sid, id)? {
                        return Ok(None);
                    }
                    match User::find(conn, id) {
                        Err(diesel::result::Error::NotFound) => Ok(None),
                        other => Ok(Some(other?)),
                    }
                })
                .await?;
            match user {
                Some(user) if !user.disabled => Ok(AuthUser {
                    id: user.id,
                    role: user.role(),
                    name: user.name,
                    session,
                }),
                Some(_) => Err(ApiError::Unauthorized("this account cannot sign in".into())),
                None => Err(ApiError::Unauthorized(
                    "this session has ended; sign in again".into(),
                )),
            }
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthorized("send Authorization: Bearer <access token>".into())
    })?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is malformed".into()))?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| {
        ApiError::Unauthorized("send Authorization: Bearer <access token>".into())
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "send Authorization: Bearer <access token>".into(),
        ));
    }
    Ok(token.trim().to_string())
}

/// What someone asks to do. Ownership and state travel with the request so
/// that the matrix below is the only place deciding.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    /// Read anything under /admin except users.
    ReadContent,
    /// Create an article (always a draft for authors).
    CreateArticle,
    /// Edit or delete an article, given who created it and whether it is a draft.
    ChangeArticle {
        created_by: Option<i32>,
        is_draft: bool,
    },
    /// Publish, schedule or unpublish.
    Publish,
    /// Create, edit or delete massage types, treatments, tags.
    ChangeCollection,
    /// Create, edit or delete a FAQ; `own_draft` when it belongs to the
    /// asker's own draft article.
    ChangeFaq { own_draft: bool },
    /// Accounts, roles and site settings.
    Administer,
    /// Upload to the media library (authors too: their drafts need images).
    UploadMedia,
    /// Approve an article or request changes to it.
    Review,
    /// Create, change or delete author profiles.
    ChangePeople,
    /// Change or delete a media item; `own` when the asker uploaded it.
    ChangeMedia { own: bool },
}

/// An action decided before any item is read, as a type, so that an
/// extractor (`routes::Allowed<can::Administer>`) asks the matrix below
/// before the handler runs.
pub trait Permission {
    const ACTION: Action;
}

/// The actions that need no item to be decided.
pub mod can {
    use super::{Action, Permission};

    macro_rules! permissions {
        ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
            $(#[$doc])*
            pub struct $name;

            impl Permission for $name {
                const ACTION: Action = Action::$name;
            }
        )*};
    }

    /// Any signed-in account: what it may do to an item is asked of the
    /// matrix once the item is read (`Action::ChangeArticle`, …).
    pub struct SignedIn;

    impl Permission for SignedIn {
        const ACTION: Action = Action::ReadContent;
    }

    permissions! {
        /// Read anything under /admin but accounts: every signed-in account.
        ReadContent,
        /// Create an article.
        CreateArticle,
        /// Publish, schedule or unpublish.
        Publish,
        /// Change massage types, treatments and tags.
        ChangeCollection,
        /// Accounts, roles and site settings.
        Administer,
        /// Upload an image.
        UploadMedia,
        /// Approve an article or request changes.
        Review,
    }
}

/// The permission matrix of the contract: author < editor < admin, each
/// doing what the one below does and more; a reviewer reads everything an
/// editor reads and reviews articles, and writes nothing else.
pub fn authorize(user: &AuthUser, action: Action) -> Result<(), ApiError> {
    let writer = user.role != Role::Reviewer;
    let editor = matches!(user.role, Role::Editor | Role::Admin);
    let allowed = match action {
        Action::ReadContent => true,
        Action::CreateArticle | Action::UploadMedia => writer,
        Action::ChangeArticle {
            created_by,
            is_draft,
        } => editor || (writer && is_draft && created_by == Some(user.id)),
        Action::Publish | Action::ChangeCollection | Action::ChangePeople => editor,
        Action::Review => editor || user.role == Role::Reviewer,
        Action::ChangeFaq { own_draft } => editor || (writer && own_draft),
        Action::ChangeMedia { own } => editor || (writer && own),
        Action::Administer => user.role == Role::Admin,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "the {} role may not do this",
            user.role.as_str()
        )))
    }
}

/// Creates an admin from the start-up configuration when no account can log
/// in yet (content-file bylines have no password and do not count).
pub fn create_first_admin(
    conn: &mut crate::db::DbConnection,
    email: &str,
    password: &str,
) -> anyhow::Result<bool> {
    use diesel::prelude::*;
    let accounts: i64 = crate::db::schema::users::table
        .filter(crate::db::schema::users::password_hash.is_not_null())
        .count()
        .get_result(conn)?;
    if accounts > 0 {
        return Ok(false);
    }
    create_user_blocking(conn, email, None, Role::Admin, password)?;
    tracing::info!("created the first admin from ADMIN_EMAIL");
    Ok(true)
}

/// Validates and creates an account (start-up and command line; blocking).
pub fn create_user_blocking(
    conn: &mut crate::db::DbConnection,
    email: &str,
    name: Option<&str>,
    role: Role,
    password: &str,
) -> anyhow::Result<i32> {
    let email =
        crate::content::user::Email::parse(email).map_err(|m| anyhow::anyhow!("email {m}"))?;
    let password = Password::parse(password).map_err(|m| anyhow::anyhow!("password {m}"))?;
    let hash = hash_password_blocking(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let default_name = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or_default()
        .to_string();
    let at = crate::content::now();
    let id = User::insert(
        conn,
        &crate::content::user::NewUser {
            email: email.as_str(),
            name: name.unwrap_or(&default_name),
            role,
            password_hash: Some(&hash),
            created_at: at,
            updated_at: at,
        },
    )?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_other_keys_fail() {
        let keys = TokenKeys::new(Some(&Secret::new("k".repeat(32))));
        let user = UserRecord {
            id: 7,
            email: "a@b.co".into(),
            name: "A".into(),
            role: Role::Editor,
            password_hash: None,
            disabled: false,
            version: 1,
            created_at: chrono::Utc::now().naive_utc(),
            updated_at: chrono::Utc::now().naive_utc(),
            avatar_id: None,
        };
        let token = keys.issue(&user, "s1").unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.role), ("7", Role::Editor));
        assert_eq!(claims.sid, "s1");
        assert_eq!(claims.exp - claims.iat, ACCESS_TOKEN_SECONDS);
        let other = TokenKeys::new(Some(&Secret::new("o".repeat(32))));
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn the_matrix() {
        let user = |role| AuthUser {
            id: 1,
            role,
            name: "x".into(),
            session: "s".into(),
        };
        let (author, editor, admin) = (user(Role::Author), user(Role::Editor), user(Role::Admin));
        let own_draft = Action::ChangeArticle {
            created_by: Some(1),
            is_draft: true,
        };
        let own_published = Action::ChangeArticle {
            created_by: Some(1),
            is_draft: false,
        };
        let others_draft = Action::ChangeArticle {
            created_by: Some(2),
            is_draft: true,
        };
        assert!(authorize(&author, own_draft).is_ok());
        assert!(authorize(&author, own_published).is_err());
        assert!(authorize(&author, others_draft).is_err());
        assert!(authorize(&author, Action::Publish).is_err());
        assert!(authorize(&editor, others_draft).is_ok());
        assert!(authorize(&editor, Action::Publish).is_ok());
        assert!(authorize(&editor, Action::Administer).is_err());
        assert!(authorize(&admin, Action::Administer).is_ok());
        let reviewer = user(Role::Reviewer);
        assert!(authorize(&reviewer, Action::ReadContent).is_ok());
        assert!(authorize(&reviewer, Action::Review).is_ok());
        assert!(authorize(&author, Action::Review).is_err());
        assert!(authorize(&editor, Action::Review).is_ok());
        for refused in [
            own_draft,
            Action::CreateArticle,
            Action::UploadMedia,
            Action::Publish,
            Action::ChangePeople,
            Action::Administer,
        ] {
            assert!(authorize(&reviewer, refused).is_err(), "{refused:?}");
        }
    }
}
