//! Bounded pools of named threads for work that would hold an async
//! worker too long (Argon2, image processing): a fixed number of threads,
//! a bounded queue (a full one is refused at once, not waited on), a panic
//! confined to its job, and optionally a lower CPU priority, so that
//! readers are served first when a core is contended.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// Why a job did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("{waiting} jobs are waiting already")]
    Full { waiting: usize },
    #[error("the job panicked")]
    Panicked,
    #[error("the workers stopped")]
    Stopped,
}

#[derive(Clone)]
pub struct Workers {
    jobs: SyncSender<Job>,
    queue: usize,
}

impl Workers {
    /// `threads` threads named `{name}-{n}`, taking at most `queue` waiting
    /// jobs; `nice` above 0 lowers their CPU priority (Linux).
    pub fn new(name: &str, threads: usize, queue: usize, nice: i32) -> Self {
        let (jobs, waiting) = sync_channel::<Job>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for n in 0..threads.max(1) {
            let waiting = waiting.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || {
                    lower_priority(nice);
                    loop {
                        let job = match waiting.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, name, "could not start a worker thread");
            }
        }
        Self { jobs, queue }
    }

    /// Runs `f` on a worker and waits for its result.
    pub async fn run<T, F>(&self, f: F) -> Result<T, WorkerError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(catch_unwind(AssertUnwindSafe(f)));
        });
        self.jobs.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => WorkerError::Full {
                waiting: self.queue,
            },
            TrySendError::Disconnected(_) => WorkerError::Stopped,
        })?;
        match answer.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(WorkerError::Panicked),
            Err(_) => Err(WorkerError::Stopped),
        }
    }
}

/// Lowers the calling thread's CPU priority (Linux keeps one per thread):
/// `nice` 19 and above asks for `SCHED_IDLE` — the thread runs only on a
/// core nothing else wants, and yields it the moment a reader's thread
/// wakes — falling back to nice 19; below that, that nice value.
#[cfg(target_os = "linux")]
fn lower_priority(nice: i32) {
    if nice <= 0 {
        return;
    }
    if nice >= 19 {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: pid 0 is the calling thread; the call only reads `param`.
        if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } == 0 {
            return;
        }
    }
    // SAFETY: gettid takes no arguments; setpriority only reads its
    // arguments and changes this thread's nice value.
    let changed = unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice.min(19))
    };
    if changed != 0 {
        tracing::warn!("could not lower a worker thread's priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority(_nice: i32) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_panics_stay_in_their_job_and_a_full_queue_is_refused() {
        let workers = Workers::new("test", 1, 1, 10);
        assert_eq!(workers.run(|| 6 * 7).await.unwrap(), 42);
        assert!(matches!(
            workers.run(|| panic!("a hostile file")).await,
            Err(WorkerError::Panicked)
        ));
        assert_eq!(workers.run(|| "still here").await.unwrap(), "still here");

        // One running, one waiting: a third is refused at once.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(Mutex::new(hold));
        let busy = {
            let workers = workers.clone();
            let hold = hold.clone();
            tokio::spawn(async move { workers.run(move || hold.lock().unwrap().recv()).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let waiting = {
            let workers = workers.clone();
            tokio::spawn(async move { workers.run(|| 1).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(matches!(
            workers.run(|| 2).await,
            Err(WorkerError::Full { waiting: 1 })
        ));
        release.send(()).unwrap();
        assert!(busy.await.unwrap().is_ok());
        assert_eq!(waiting.await.unwrap().unwrap(), 1);
    }
}
