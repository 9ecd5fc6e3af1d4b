//! Password hashing with argon2id on a few threads of its own. Each hash takes 19 MiB and tens of
//! milliseconds of a CPU, so hashing is bounded: at most one hash per worker thread runs at
//! once (a worker per CPU), at most a few more wait, and past that [`Passwords::admit`] refuses
//! at once (the caller answers 503). Each worker fills one argon2 memory of its own, allocated
//! once and reused: with a fresh buffer per hash, glibc kept about 55 MiB per thread after a
//! burst (`cargo xtask bench abuse`: 229 MiB settled against 13 MiB idle).

use argon2::password_hash::{
    rand_core::OsRng, Output, ParamsString, PasswordHash, Salt, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// Hashes that may wait for a worker, per worker: a burst beyond them is refused rather than
/// queued, so a wait stays well under a second.
pub const WAITING_PER_WORKER: usize = 8;

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
pub const PRODUCTION_MEMORY_KIB: u32 = 19 * 1024;
pub const PRODUCTION_PASSES: u32 = 2;

type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// A worker's argon2 memory blocks, grown to the largest hash it has run (19 MiB in production).
#[derive(Default)]
struct Memory(Vec<Block>);

impl Memory {
    /// The argon2 output of `password` with `salt` and `argon`'s parameters, computed in this
    /// memory.
    fn argon2(
        &mut self,
        argon: &Argon2<'_>,
        password: &[u8],
        salt: Salt<'_>,
        output_len: usize,
    ) -> anyhow::Result<Output> {
        let blocks = argon.params().block_count();
        if self.0.len() < blocks {
            self.0.resize(blocks, Block::default());
        }
        let mut salt_bytes = [0u8; 64];
        let salt = salt
            .decode_b64(&mut salt_bytes)
            .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        Output::init_with(output_len, |out| {
            argon
                .hash_password_into_with_memory(password, salt, out, &mut self.0[..])
                .map_err(Into::into)
        })
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    }

    /// A new password's PHC string: argon2id with `params` and a random salt.
    fn hash(&mut self, params: &Params, password: &str) -> anyhow::Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let output = self.argon2(&argon, password.as_bytes(), salt.as_salt(), output_len)?;
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(params).map_err(|e| anyhow::anyhow!("params: {e}"))?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(hash.to_string())
    }

    /// Whether `password` matches the PHC string `hash` (with the algorithm, version and
    /// parameters it names); outputs are compared in constant time.
    fn verify(&mut self, password: &str, hash: &str) -> anyhow::Result<bool> {
        let parsed = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let bad = |e: argon2::password_hash::Error| anyhow::anyhow!("stored hash: {e}");
        let algorithm = Algorithm::try_from(parsed.algorithm).map_err(bad)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(|e| anyhow::anyhow!("stored hash: {e}"))?
            .unwrap_or_default();
        let params = Params::try_from(&parsed).map_err(bad)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            anyhow::bail!("stored hash: no salt or no output");
        };
        let argon = Argon2::new(algorithm, version, params);
        let output = self.argon2(&argon, password.as_bytes(), salt, expected.len())?;
        Ok(output == expected)
    }
}

/// Hashes and verifies passwords with fixed argon2id parameters on a bounded pool of threads.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    /// A hash of a random password, verified when the e-mail is unknown so that an unknown
    /// account takes as long to refuse as a wrong password.
    decoy: Arc<String>,
    /// Running plus waiting hashes.
    admission: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

/// Hashing is at capacity: answer 503 and let the client retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("password hashing is at capacity")]
pub struct Busy;

/// A place among the running and waiting hashes, taken before any other work of the request
/// (so a request refused as [`Busy`] has cost, and counted, nothing).
pub struct HashPermit {
    passwords: Passwords,
    _place: OwnedSemaphorePermit,
}

impl Passwords {
    /// OWASP's parameters, one worker per CPU.
    pub fn production() -> Self {
        let params = Params::new(PRODUCTION_MEMORY_KIB, PRODUCTION_PASSES, 1, None)
            .expect("valid argon2 params");
        let cpus = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(params, cpus, cpus * WAITING_PER_WORKER)
    }

    /// Cheap parameters for tests only: same algorithm and code path, less memory and time.
    pub fn for_tests() -> Self {
        Self::for_tests_with(2, 2 * WAITING_PER_WORKER)
    }

    /// Test parameters with a chosen capacity (to see what happens past it).
    pub fn for_tests_with(workers: usize, waiting: usize) -> Self {
        let params = Params::new(1024, 1, 1, None).expect("valid argon2 params");
        Self::new(params, workers, waiting)
    }

    fn new(params: Params, workers: usize, waiting: usize) -> Self {
        let workers = workers.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    let mut memory = Memory::default();
                    loop {
                        // The lock is held only to take the next job, not to run it.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return, // every Passwords is gone
                        }
                    }
                })
                .expect("starting a hashing thread");
        }
        let decoy = Memory::default()
            .hash(&params, &crate::store::new_id())
            .expect("hashing a decoy");
        Self {
            params,
            decoy: Arc::new(decoy),
            admission: Arc::new(Semaphore::new(workers + waiting)),
            jobs,
        }
    }

    /// A place for one hash, or [`Busy`] when every worker is taken and enough are waiting.
    pub fn admit(&self) -> Result<HashPermit, Busy> {
        let place = self
            .admission
            .clone()
            .try_acquire_owned()
            .map_err(|_| Busy)?;
        Ok(HashPermit {
            passwords: self.clone(),
            _place: place,
        })
    }

    /// Hashes a new password, waiting for a place (for tools such as `hash-password`, not for
    /// requests, which [`admit`](Self::admit) first).
    pub async fn hash_now(&self, password: String) -> anyhow::Result<String> {
        let place = self.admission.clone().acquire_owned().await?;
        HashPermit {
            passwords: self.clone(),
            _place: place,
        }
        .hash(password)
        .await
    }
}

impl HashPermit {
    /// Hashes a new password into a PHC string (algorithm, parameters and salt included).
    pub async fn hash(self, password: String) -> anyhow::Result<String> {
        let params = self.passwords.params.clone();
        self.run(move |memory| memory.hash(&params, &password))
            .await?
    }

    /// Checks a password against a stored hash, or against the decoy when there is none.
    pub async fn verify(self, password: String, hash: Option<String>) -> anyhow::Result<bool> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.passwords.decoy.as_str().to_owned());
        let ok = self
            .run(move |memory| memory.verify(&password, &hash))
            .await??;
        Ok(known && ok)
    }

    /// Runs `work` on a hashing thread. The place goes with the job and is freed when the job
    /// ends, not when the request does: a client that hangs up cannot leave hashes queued
    /// beyond the bound, and a job whose request has gone is skipped.
    async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let (tx, rx) = oneshot::channel();
        let Self { passwords, _place } = self;
        passwords
            .jobs
            .send(Box::new(move |memory: &mut Memory| {
                if tx.is_closed() {
                    return;
                }
                let result = work(memory);
                // Free before answering, so the caller's next request finds the place free.
                drop(_place);
                let _ = tx.send(result);
            }))
            .map_err(|_| anyhow::anyhow!("the hashing threads have stopped"))?;
        Ok(rx.await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify_only_the_right_password() {
        let p = Passwords::for_tests();
        let a = p
            .admit()
            .unwrap()
            .hash("correct horse".into())
            .await
            .unwrap();
        let b = p.hash_now("correct horse".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        let verify = |pw: &str, hash: Option<String>| p.admit().unwrap().verify(pw.into(), hash);
        assert!(verify("correct horse", Some(a.clone())).await.unwrap());
        assert!(!verify("wrong horse", Some(a)).await.unwrap());
        assert!(!verify("anything", None).await.unwrap());
    }

    #[test]
    fn hashes_verify_with_the_argon2_crates_own_verifier_and_the_other_way_round() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let params = Params::new(1024, 2, 1, None).unwrap();
        let ours = Memory::default().hash(&params, "correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        let mut memory = Memory::default();
        assert!(memory.verify("correct horse", &theirs).unwrap());
        assert!(!memory.verify("correct horsf", &theirs).unwrap());
        // A larger hash after a smaller one grows the memory; a smaller one reuses it.
        let big = Memory::default()
            .hash(&Params::new(4096, 1, 1, None).unwrap(), "pw")
            .unwrap();
        assert!(memory.verify("pw", &big).unwrap());
        assert!(memory.verify("correct horse", &ours).unwrap());
    }

    #[test]
    fn production_parameters_are_at_least_owasps_minimum() {
        let p = Passwords::production();
        assert!(p.params.m_cost() >= 19 * 1024);
        assert!(p.params.t_cost() >= 2);
        let decoy = PasswordHash::new(&p.decoy).unwrap();
        assert_eq!(decoy.algorithm, Algorithm::Argon2id.ident());
    }

    #[tokio::test]
    async fn a_hash_whose_request_went_away_keeps_its_place_until_it_ends() {
        // Production parameters, so the job lasts tens of milliseconds.
        let params = Params::new(PRODUCTION_MEMORY_KIB, PRODUCTION_PASSES, 1, None).unwrap();
        let p = Passwords::new(params, 1, 0);
        // The request is dropped as soon as its job is queued (a client that hung up)...
        let abandoned = p.admit().unwrap().verify("pw".into(), None);
        let _ = tokio::time::timeout(std::time::Duration::ZERO, abandoned).await;
        assert!(p.admit().is_err(), "the queued job still holds its place");
        // ...and the place is only back once the worker is done with the job.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while p.admit().is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the place never came back"
            );
            tokio::task::yield_now().await;
        }
    }

    #[test]
    fn past_the_workers_and_the_waiting_places_hashing_is_refused_at_once() {
        let p = Passwords::for_tests_with(1, 2);
        let held: Vec<HashPermit> = (0..3).map(|_| p.admit().unwrap()).collect();
        assert!(matches!(p.admit(), Err(Busy)));
        drop(held);
        assert!(p.admit().is_ok(), "places come back when hashes end");
    }
}
