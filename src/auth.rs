//! Passwords, tokens, the `AuthUser` extractor and the one permission check.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{self, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
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

/// A password as an editor chose it: 12..=1024 characters. Never logged.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        match raw.chars().count() {
            0..=11 => Err("must be at least 12 characters"),
            1025.. => Err("must be at most 1024 characters"),
            _ => Ok(Self(raw.to_string())),
        }
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Argon2id with the OWASP parameters (19 MiB, 2 iterations, 1 lane), run
/// on a few dedicated threads that each reuse one 19 MiB buffer: a flood of
/// logins queues there (and is shed past the queue) instead of taking the
/// threads readers need, and memory stays at workers x 19 MiB (freeing and
/// re-allocating 19 MiB per hash made glibc keep gigabytes).
#[derive(Clone)]
pub struct Passwords {
    jobs: std::sync::mpsc::SyncSender<PasswordJob>,
}

enum PasswordJob {
    Hash(
        Password,
        tokio::sync::oneshot::Sender<Result<String, ApiError>>,
    ),
    Verify(Option<String>, String, tokio::sync::oneshot::Sender<bool>),
}

const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
const ARGON2_ITERATIONS: u32 = 2;
const ARGON2_LANES: u32 = 1;
/// Logins waiting for a password worker before new ones get 503.
const PASSWORD_QUEUE: usize = 64;

fn argon2_params() -> Params {
    Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES, None).unwrap_or_default()
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, argon2_params())
}

/// Verified against when the email is unknown, so both failures cost the
/// same. A constant with the same parameters as real hashes.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$AZMJbzWv3nJK7/oM9CjHpA$qTQzUYEdFjNJG8n70s4qsu4Prv0KIlX8upyw/mDKIj8";

/// Hashes a password into an Argon2id PHC string (blocking; start-up and CLI).
pub fn hash_password_blocking(password: &Password) -> Result<String, ApiError> {
    hash_with_memory(password, &mut Vec::new())
}

fn hash_with_memory(
    password: &Password,
    memory: &mut Vec<argon2::Block>,
) -> Result<String, ApiError> {
    let blocks = argon2_params().block_count();
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::default());
    }
    let fail =
        |e: &dyn std::fmt::Display| ApiError::Internal(anyhow::anyhow!("hashing a password: {e}"));
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|e| fail(&e))?;
    let mut out = [0u8; 32];
    argon2()
        .hash_password_into_with_memory(
            password.0.as_bytes(),
            salt_bytes,
            &mut out,
            &mut memory[..blocks],
        )
        .map_err(|e| fail(&e))?;
    let output = password_hash::Output::new(&out).map_err(|e| fail(&e))?;
    Ok(format!(
        "$argon2id$v=19$m={ARGON2_MEMORY_KIB},t={ARGON2_ITERATIONS},p={ARGON2_LANES}${}${output}",
        salt.as_str()
    ))
}

/// True when `password` matches the PHC string `hash` (constant-time compare).
fn verify_with_memory(hash: &str, password: &str, memory: &mut Vec<argon2::Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(expected), Some(salt), Ok(params)) =
        (parsed.hash, parsed.salt, Params::try_from(&parsed))
    else {
        return false;
    };
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    let mut salt_buf = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), argon2::Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let blocks = &mut memory[..params.block_count()];
    if argon
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, blocks)
        .is_err()
    {
        return false;
    }
    password_hash::Output::new(&out).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
fn verify_blocking(hash: &str, password: &str) -> bool {
    verify_with_memory(hash, password, &mut Vec::new())
}

impl Passwords {
    /// Starts `workers` password threads.
    pub fn new(workers: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::sync_channel::<PasswordJob>(PASSWORD_QUEUE);
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for n in 0..workers.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    // Allocated at the first password, not at start: a node that
                    // only serves readers never holds these 19 MiB.
                    let mut memory = Vec::new();
                    loop {
                        let job = match queue.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(PasswordJob::Hash(password, reply)) => {
                                let _ = reply.send(hash_with_memory(&password, &mut memory));
                            }
                            Ok(PasswordJob::Verify(hash, password, reply)) => {
                                let ok = match hash {
                                    Some(hash) => verify_with_memory(&hash, &password, &mut memory),
                                    None => {
                                        verify_with_memory(DUMMY_HASH, &password, &mut memory);
                                        false
                                    }
                                };
                                let _ = reply.send(ok);
                            }
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password worker");
            }
        }
        Self { jobs }
    }

    fn submit(&self, job: PasswordJob) -> Result<(), ApiError> {
        self.jobs.try_send(job).map_err(|e| match e {
            std::sync::mpsc::TrySendError::Full(_) => ApiError::ServiceUnavailable {
                detail: format!(
                    "too many passwords are being checked at once ({PASSWORD_QUEUE} waiting); \
                     try again in a few seconds"
                ),
                retry_after_secs: 2,
            },
            std::sync::mpsc::TrySendError::Disconnected(_) => {
                ApiError::Internal(anyhow::anyhow!("the password workers stopped"))
            }
        })
    }

    pub async fn hash(&self, password: Password) -> Result<String, ApiError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.submit(PasswordJob::Hash(password, reply))?;
        answer
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("a password worker stopped")))?
    }

    /// True when `password` matches `hash`; with no hash, the dummy is checked
    /// (and the answer is false) so the time taken gives nothing away.
    pub async fn verify(&self, hash: Option<String>, password: String) -> Result<bool, ApiError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.submit(PasswordJob::Verify(hash, password, reply))?;
        answer
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("a password worker stopped")))
    }
}

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
        Self {
            encoding: EncodingKey::from_secret(&bytes),
            decoding: DecodingKey::from_secret(&bytes),
            validation,
        }
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
}

/// The permission matrix of the contract: author < editor < admin.
pub fn authorize(user: &AuthUser, action: Action) -> Result<(), ApiError> {
    let allowed = match action {
        Action::ReadContent | Action::CreateArticle => true,
        Action::ChangeArticle {
            created_by,
            is_draft,
        } => user.role >= Role::Editor || (is_draft && created_by == Some(user.id)),
        Action::Publish | Action::ChangeCollection => user.role >= Role::Editor,
        Action::ChangeFaq { own_draft } => user.role >= Role::Editor || own_draft,
        Action::Administer => user.role >= Role::Admin,
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
            role: role.as_str(),
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
    fn passwords_need_twelve_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("twelve chars").is_ok());
        assert!(Password::parse(&"x".repeat(1025)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("a secret password").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let hash =
            hash_password_blocking(&Password::parse("correct horse battery").unwrap()).unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_blocking(&hash, "correct horse battery"));
        assert!(!verify_blocking(&hash, "wrong horse battery"));
        assert!(!verify_blocking("not a hash", "x"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let real =
            hash_password_blocking(&Password::parse("any password at all").unwrap()).unwrap();
        let params = |h: &str| h.split('$').nth(3).map(str::to_string);
        assert_eq!(params(DUMMY_HASH), params(&real));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_blocking(DUMMY_HASH, "guess"));
    }

    #[test]
    fn tokens_round_trip_and_other_keys_fail() {
        let keys = TokenKeys::new(Some(&Secret::new("k".repeat(32))));
        let user = UserRecord {
            id: 7,
            email: "a@b.co".into(),
            name: "A".into(),
            role: "editor".into(),
            password_hash: None,
            disabled: false,
            version: 1,
            created_at: chrono::Utc::now().naive_utc(),
            updated_at: chrono::Utc::now().naive_utc(),
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
    }
}
