//! Password hashing with argon2id. Hashing is CPU-heavy, so it runs on the blocking pool.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier, Version};
use std::sync::Arc;

/// Hashes and verifies passwords with fixed argon2id parameters.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    /// A hash of a random password, verified when the e-mail is unknown so that an unknown
    /// account takes as long to refuse as a wrong password.
    decoy: Arc<String>,
}

impl Passwords {
    /// OWASP's recommended argon2id parameters (19 MiB, 2 passes, 1 lane).
    pub fn production() -> Self {
        Self::with_params(Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"))
    }

    /// Cheap parameters for tests only: same algorithm and code path, less memory and time.
    pub fn for_tests() -> Self {
        Self::with_params(Params::new(1024, 1, 1, None).expect("valid argon2 params"))
    }

    fn with_params(params: Params) -> Self {
        let decoy = hash_with(&params, &crate::db::new_id()).expect("hashing a decoy");
        Self {
            params,
            decoy: Arc::new(decoy),
        }
    }

    /// Hashes a new password into a PHC string (algorithm, parameters and salt included).
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || hash_with(&params, &password)).await?
    }

    /// Checks a password against a stored hash, or against the decoy when there is none.
    pub async fn verify(&self, password: String, hash: Option<String>) -> anyhow::Result<bool> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.as_str().to_owned());
        let ok = tokio::task::spawn_blocking(move || {
            let parsed =
                PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
            Ok::<_, anyhow::Error>(
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
            )
        })
        .await??;
        Ok(known && ok)
    }
}

fn hash_with(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify_only_the_right_password() {
        let p = Passwords::for_tests();
        let a = p.hash("correct horse".into()).await.unwrap();
        let b = p.hash("correct horse".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(p
            .verify("correct horse".into(), Some(a.clone()))
            .await
            .unwrap());
        assert!(!p.verify("wrong horse".into(), Some(a)).await.unwrap());
        assert!(!p.verify("anything".into(), None).await.unwrap());
    }
}
