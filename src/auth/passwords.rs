//! Passwords: the `Password` an editor chose, and Argon2id hashing and
//! verification on a few bounded worker threads.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;
use crate::workers::{WorkerError, Workers};

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
/// on a few dedicated threads: a flood of logins queues there (and is shed
/// past the queue) instead of taking the threads readers need, and memory
/// stays near workers x 19 MiB (hashing on the blocking pool, each of its
/// threads with its own allocator arena, made glibc keep gigabytes).
#[derive(Clone)]
pub struct Passwords {
    workers: Workers,
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

/// Hashes a password into an Argon2id PHC string (blocking; start-up,
/// the CLI and the workers), through the `argon2` crate's `PasswordHasher`.
pub fn hash_password_blocking(password: &Password) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.0.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// True when `password` matches the Argon2id PHC string `hash`, through
/// the crate's `PasswordVerifier` (the parameters are the hash's own; the
/// comparison is constant-time).
fn verify_blocking(hash: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    parsed.algorithm == argon2::ARGON2ID_IDENT
        && argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
}

impl Passwords {
    pub fn new(workers: usize) -> Self {
        Self {
            workers: Workers::new("argon2", workers, PASSWORD_QUEUE, 0),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        self.workers.run(job).await.map_err(|e| match e {
            WorkerError::Full { waiting } => ApiError::ServiceUnavailable {
                detail: format!(
                    "too many passwords are being checked at once ({waiting} waiting); \
                     try again in a few seconds"
                ),
                retry_after_secs: 2,
            },
            other => ApiError::Internal(anyhow::anyhow!("a password worker: {other}")),
        })
    }

    pub async fn hash(&self, password: Password) -> Result<String, ApiError> {
        self.run(move || hash_password_blocking(&password)).await?
    }

    /// Checks `password` against `hash`; with no hash (no such account) a
    /// dummy hash is checked, so both take the same time.
    pub async fn verify(&self, hash: Option<String>, password: String) -> Result<bool, ApiError> {
        self.run(move || match hash {
            Some(hash) => verify_blocking(&hash, &password),
            None => {
                verify_blocking(DUMMY_HASH, &password);
                false
            }
        })
        .await
    }
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
}
