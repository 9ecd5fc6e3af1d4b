//! SQLite's one writer. SQLite lets one transaction write at a time; till writers that took turns
//! on pool connections spent their turn waiting to be scheduled again after each statement (the
//! runtime's other tasks go first) and re-reading pages another connection had changed. Instead,
//! write work is queued to one connection on a thread of its own, which runs whatever has queued
//! up in one transaction and commits once (group commit). Callers get their result only after
//! the commit, so a result always means "written".
//!
//! The thread keeps to one CPU, and so does the connection's own thread, which it starts: each
//! statement is a hand-over between those two threads, and a hand-over to another CPU costs an
//! interrupt, which on these virtual machines made a till purchase about three times slower. Both
//! are batch-scheduled, so a hand-over waits for the other thread to block rather than preempt it.
//!
//! Work that fails undoes the whole shared transaction; the other work in it then runs again,
//! each in a transaction of its own, so one request's failure never costs another its write.
//! Work may therefore run more than once, and its result is the one of its last run.
//!
//! The writer never checkpoints the write-ahead log; a checkpointer thread of its own, kept off
//! the writer's CPU, does it a little at a time.

use super::{StoreError, Tx, Write};
use futures_util::FutureExt;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// A boxed future, as the writer keeps queued work.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// At most this many pieces of work share one transaction.
const MAX_BATCH: usize = 64;

/// How queued work begins its transaction: with the write lock, so a transaction that reads
/// before it writes is never refused for another connection's commit in between.
const BEGIN: &str = "BEGIN IMMEDIATE";

/// Runs the work in the transaction and keeps its result; `true` when it succeeded.
type Run = Box<dyn for<'t> FnMut(&'t mut Tx) -> BoxFuture<'t, bool> + Send>;
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
    /// Dropped with the last clone of the writer, which ends the checkpointer.
    _checkpointer: Arc<oneshot::Sender<()>>,
}

impl SqliteWriter {
    /// Starts the writer thread and its checkpointer, each with its own connection to `url`,
    /// set up by `options`.
    pub async fn start(url: String, options: AnyPoolOptions) -> Result<Self, sqlx::Error> {
        let (jobs, queue) = mpsc::unbounded_channel();
        let (checkpointer, stop) = oneshot::channel();
        on_own_thread(
            "sqlite-writer",
            Cpus::Writer,
            &url,
            options.clone(),
            |pool| serve(pool, queue),
        )
        .await?;
        on_own_thread(
            "sqlite-checkpointer",
            Cpus::NotTheWriters,
            &url,
            options,
            |pool| checkpoints(pool, stop),
        )
        .await?;
        Ok(Self {
            jobs,
            _checkpointer: Arc::new(checkpointer),
        })
    }

    /// Queues `work` and waits for its committed result. See the module doc: `work` may run
    /// more than once. A panic in `work` is resumed here, in the caller, as if the work had run
    /// in it; the writer goes on.
    pub async fn write<W: Write>(&self, work: W) -> Result<W::Output, W::Error> {
        type Slot<W> = Arc<Mutex<Option<Ran<<W as Write>::Output, <W as Write>::Error>>>>;
        let slot: Slot<W> = Arc::default();
        let (done, result) = oneshot::channel();
        let run_slot = slot.clone();
        let work = Arc::new(work);
        let run = erase(move |tx| {
            let (work, slot) = (work.clone(), run_slot.clone());
            Box::pin(async move {
                let ran = match AssertUnwindSafe(work.run(tx)).catch_unwind().await {
                    Ok(result) => Ran::Returned(result),
                    Err(panic) => Ran::Panicked(panic),
                };
                let ok = matches!(ran, Ran::Returned(Ok(_)));
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(ran);
                ok
            })
        });
        let finish: Finish = Box::new(move |ended| {
            let ran = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            let ran = match (ran, ended) {
                (Some(Ran::Panicked(panic)), _) => Ran::Panicked(panic),
                (Some(Ran::Returned(Err(e))), _) => Ran::Returned(Err(e)),
                (Some(Ran::Returned(Ok(value))), Ok(())) => Ran::Returned(Ok(value)),
                (_, Err(e)) => Ran::Returned(Err(StoreError::from(e).into())),
                (None, Ok(())) => Ran::Returned(Err(crashed())),
            };
            let _ = done.send(ran);
        });
        self.jobs
            .send(Job { run, finish })
            .map_err(|_| crashed::<W::Error>())?;
        match result.await {
            Ok(Ran::Returned(result)) => result,
            Ok(Ran::Panicked(panic)) => std::panic::resume_unwind(panic),
            Err(_) => Err(crashed()),
        }
    }
}

/// The error of work the writer could not run (its thread is gone).
fn crashed<E: From<StoreError>>() -> E {
    StoreError::from(sqlx::Error::WorkerCrashed).into()
}

/// How the last run of a piece of work ended.
enum Ran<T, E> {
    Returned(Result<T, E>),
    Panicked(Box<dyn std::any::Any + Send>),
}

/// Where a SQLite thread runs.
#[derive(Clone, Copy)]
enum Cpus {
    /// The writer's one CPU: the last the process may run on, with batch scheduling.
    Writer,
    /// Another one the process may run on (as the system puts it when there is only one).
    NotTheWriters,
}

/// Keeps the calling thread to `cpus`; threads it starts inherit that. Where this cannot be done
/// the thread runs where the system puts it, only slower.
fn keep_to(cpus: Cpus) {
    // The CPUs this process may run on.
    let Some(allowed) = core_affinity::get_core_ids() else {
        return;
    };
    let chosen = match (cpus, allowed.as_slice()) {
        (Cpus::Writer, [.., last]) => *last,
        (Cpus::NotTheWriters, [first, _, ..]) => *first,
        _ => return,
    };
    if !core_affinity::set_for_current(chosen) {
        tracing::debug!("a SQLite thread runs where the system puts it");
    }
    if matches!(cpus, Cpus::Writer) {
        batch_scheduled();
    }
}

/// Batch scheduling: a woken thread waits for the running one to block instead of taking its
/// CPU, so the connection's thread sends a statement's rows and its end before the writer looks.
#[cfg(target_os = "linux")]
fn batch_scheduled() {
    use thread_priority::{
        set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
        ThreadPriority, ThreadSchedulePolicy,
    };
    let batch = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
    // The OS value 0 keeps the thread's nice value as it is.
    if set_thread_priority_and_policy(
        thread_native_id(),
        ThreadPriority::Os(Default::default()),
        batch,
    )
    .is_err()
    {
        tracing::debug!("the SQLite writer runs with the default scheduling");
    }
}

#[cfg(not(target_os = "linux"))]
fn batch_scheduled() {}

/// Starts a thread kept to `cpus`, connects it to `url` (one connection) and runs `body` on it;
/// returns once connected.
async fn on_own_thread<F, B>(
    name: &str,
    cpus: Cpus,
    url: &str,
    options: AnyPoolOptions,
    body: B,
) -> Result<(), sqlx::Error>
where
    B: FnOnce(AnyPool) -> F + Send + 'static,
    F: Future<Output = ()>,
{
    let (ready, connected) = oneshot::channel();
    let url = url.to_owned();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            keep_to(cpus);
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
                match options.max_connections(1).connect(&url).await {
                    Ok(pool) => {
                        let _ = ready.send(Ok(()));
                        body(pool).await;
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                    }
                }
            });
        })
        .map_err(sqlx::Error::Io)?;
    connected.await.map_err(|_| sqlx::Error::WorkerCrashed)?
}

/// How often the write-ahead log is checkpointed: small checkpoints often, since a long one slows
/// the writer (`bench checkout`: p99 23-28 ms at 100 ms, 26-35 ms at 500 ms), and the log stays
/// at a few megabytes under a full till load.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// Copies committed pages from the write-ahead log into the database file every
/// [`CHECKPOINT_EVERY`] until `stop` ends, beside the writer rather than in its way (the writer
/// does not checkpoint at commit, which would stall every write queued behind it). PASSIVE: it
/// waits for no one and does what it can; the log is reused from its start once a checkpoint has
/// caught up.
async fn checkpoints(pool: AnyPool, mut stop: oneshot::Receiver<()>) {
    let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = ticks.tick() => {}
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint failed; retrying at the next tick");
        }
    }
}

/// Gives a closure the higher-ranked signature of [`Run`].
fn erase<F>(run: F) -> Run
where
    F: for<'t> FnMut(&'t mut Tx) -> BoxFuture<'t, bool> + Send + 'static,
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
