//! SQLite's one writer. SQLite lets one transaction write at a time; till writers that took turns
//! on pool connections spent their turn waiting to be scheduled again after each statement (the
//! runtime's other tasks go first) and re-reading pages another connection had changed. Instead,
//! write work is queued to one connection on a thread of its own, which runs whatever has queued
//! up in one transaction and commits once (group commit). Callers get their result only after
//! the commit, so a result always means "written".
//!
//! The thread keeps to one CPU, and so does the connection's own thread, which it starts: each
//! statement is a hand-over between those two threads, and a hand-over to another CPU costs an
//! interrupt, which on these virtual machines made a till purchase about three times slower.
//!
//! Work that fails undoes the whole shared transaction; the other work in it then runs again,
//! each in a transaction of its own, so one request's failure never costs another its write.
//! Work may therefore run more than once, and its result is the one of its last run.

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Transaction};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// A boxed future, as write work returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Work for a write transaction, as [`SqliteWriter::write`] and `Db::write` take it: it borrows
/// the transaction for the future it returns and nothing else, since it may run more than once.
pub trait WriteWork<T, E>:
    for<'t> Fn(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, Result<T, E>> + Send + 'static
{
}

impl<T, E, F> WriteWork<T, E> for F where
    F: for<'t> Fn(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, Result<T, E>>
        + Send
        + 'static
{
}

/// At most this many pieces of work share one transaction.
const MAX_BATCH: usize = 64;

/// How queued work begins its transaction: with the write lock, so a transaction that reads
/// before it writes is never refused for another connection's commit in between.
const BEGIN: &str = "BEGIN IMMEDIATE";

/// Runs the work in the transaction and keeps its result; `true` when it succeeded.
type Run = Box<dyn for<'t> FnMut(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, bool> + Send>;
/// Hands the last run's result to the caller once its transaction is over (committed, or the
/// error that ended it).
type Finish = Box<dyn FnOnce(Result<(), sqlx::Error>) + Send>;

struct Job {
    run: Run,
    finish: Finish,
}

/// The queue to the writer thread.
#[derive(Clone, Debug)]
pub struct SqliteWriter {
    jobs: mpsc::UnboundedSender<Job>,
}

impl SqliteWriter {
    /// Starts the writer thread with its own connection to `url`, set up by `options`.
    pub async fn start(url: String, options: AnyPoolOptions) -> Result<Self, sqlx::Error> {
        let (jobs, queue) = mpsc::unbounded_channel();
        let (ready, connected) = oneshot::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                keep_to_one_cpu();
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready.send(Err(sqlx::Error::Io(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    // One connection: the only one that writes through the queue.
                    match options.max_connections(1).connect(&url).await {
                        Ok(pool) => {
                            let _ = ready.send(Ok(()));
                            serve(pool, queue).await;
                        }
                        Err(e) => {
                            let _ = ready.send(Err(e));
                        }
                    }
                });
            })
            .map_err(sqlx::Error::Io)?;
        connected.await.map_err(|_| sqlx::Error::WorkerCrashed)??;
        Ok(Self { jobs })
    }

    /// Queues `work` and waits for its committed result. See the module doc: `work` may run
    /// more than once, so it takes what it needs by clone on each run.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
        F: WriteWork<T, E>,
    {
        let slot: Arc<Mutex<Option<Result<T, E>>>> = Arc::default();
        let (done, result) = oneshot::channel();
        let run_slot = slot.clone();
        let run = erase(move |tx| {
            let running = work(tx);
            let slot = run_slot.clone();
            Box::pin(async move {
                let result = running.await;
                let ok = result.is_ok();
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                ok
            })
        });
        let finish: Finish = Box::new(move |ended| {
            let ran = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            let result = match (ran, ended) {
                (Some(Err(e)), _) => Err(e),
                (Some(Ok(value)), Ok(())) => Ok(value),
                (_, Err(e)) => Err(E::from(e)),
                (None, Ok(())) => Err(E::from(sqlx::Error::WorkerCrashed)),
            };
            let _ = done.send(result);
        });
        self.jobs
            .send(Job { run, finish })
            .map_err(|_| E::from(sqlx::Error::WorkerCrashed))?;
        result
            .await
            .unwrap_or_else(|_| Err(E::from(sqlx::Error::WorkerCrashed)))
    }
}

/// Pins the calling thread to the last CPU it may run on; threads it starts inherit that. Where
/// this cannot be done the thread runs unpinned, only slower.
#[cfg(target_os = "linux")]
fn keep_to_one_cpu() {
    // SAFETY: `cpu_set_t` is plain data; the calls read and write only the set passed to them.
    unsafe {
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        let size = std::mem::size_of::<libc::cpu_set_t>();
        if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
            return;
        }
        let Some(cpu) = (0..libc::CPU_SETSIZE as usize)
            .rev()
            .find(|&cpu| libc::CPU_ISSET(cpu, &allowed))
        else {
            return;
        };
        let mut one: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut one);
        if libc::sched_setaffinity(0, size, &one) != 0 {
            tracing::debug!("the SQLite writer runs unpinned");
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn keep_to_one_cpu() {}

/// Gives a closure the higher-ranked signature of [`Run`].
fn erase<F>(run: F) -> Run
where
    F: for<'t> FnMut(&'t mut Transaction<'static, Any>) -> BoxFuture<'t, bool> + Send + 'static,
{
    Box::new(run)
}

/// The writer: takes whatever work has queued (at least one), runs it together, and when that
/// fails runs each alone.
async fn serve(pool: AnyPool, mut queue: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if batch.len() > 1 && run_together(&pool, &mut batch).await {
            continue;
        }
        for job in batch {
            run_alone(&pool, job).await;
        }
    }
}

/// Runs the batch in one transaction; `true` when it committed and every caller has its result.
async fn run_together(pool: &AnyPool, batch: &mut Vec<Job>) -> bool {
    let Ok(mut tx) = pool.begin_with(BEGIN).await else {
        return false;
    };
    for job in batch.iter_mut() {
        if !(job.run)(&mut tx).await {
            let _ = tx.rollback().await;
            return false;
        }
    }
    if tx.commit().await.is_err() {
        return false;
    }
    for job in batch.drain(..) {
        (job.finish)(Ok(()));
    }
    true
}

async fn run_alone(pool: &AnyPool, mut job: Job) {
    let ended = async {
        let mut tx = pool.begin_with(BEGIN).await?;
        if (job.run)(&mut tx).await {
            tx.commit().await
        } else {
            // The work's own error is its result; a failed rollback only closes the connection.
            let _ = tx.rollback().await;
            Ok(())
        }
    }
    .await;
    (job.finish)(ended);
}
