//! Running a command's work over its inputs: in parallel, each result handed back as soon
//! as it and every input before it are done (so lines appear while the batch runs, in
//! input order), and stopping cleanly on SIGINT or SIGTERM.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::common::exit;
use crate::output;

/// What [`run`] hands to its caller, on the main thread.
pub(crate) enum Event<R> {
    /// Input `index` is done. Delivered in input order, except after an interruption,
    /// when the inputs already done are delivered (in input order) even where an earlier
    /// one is not done.
    Done(usize, R),
    /// A signal arrived: every input done has been delivered, temporary files are gone,
    /// and the process exits with [`exit::signal`] as soon as the handler returns.
    Interrupted(i32),
}

/// How often an interrupted batch looks again for results of outputs put in place.
const REPORT_POLL: std::time::Duration = std::time::Duration::from_millis(5);

enum Msg<R> {
    Done(usize, R),
    Signal(i32),
}

/// Runs `work` over `items` on `jobs` threads (default: one per core; never more than
/// there are items), each thread keeping the state `make` gave it from one item to the
/// next, and hands each result to `handle` on the calling thread. Returns an exit code
/// when the worker threads cannot start.
pub(crate) fn run<T, S, R>(
    items: &[T],
    jobs: Option<u16>,
    make: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &T) -> R + Sync,
    mut handle: impl FnMut(Event<R>),
) -> Result<(), i32>
where
    T: Sync,
    R: Send + 'static,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.map_or(0, usize::from))
        .build()
        .map_err(|e| {
            eprintln!("cannot start worker threads: {e}");
            exit::USAGE_OR_IO
        })?;
    let workers = pool.current_num_threads().clamp(1, items.len().max(1));
    let (tx, rx) = mpsc::channel::<Msg<R>>();
    listen_for_signals(tx.clone())?;
    // Items are taken in order from one counter (not split in halves as `par_iter`
    // does), so the inputs done are always nearly a prefix of the list.
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (make, work, next) = (&make, &work, &next);
        scope.spawn(move || {
            pool.scope(|s| {
                for _ in 0..workers {
                    let tx = tx.clone();
                    s.spawn(move |_| {
                        let mut state = make();
                        while !output::interrupted() {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(item) = items.get(i) else { break };
                            let sent = tx.send(Msg::Done(i, work(&mut state, item)));
                            output::reported();
                            if sent.is_err() {
                                break;
                            }
                        }
                    });
                }
            });
        });
        let mut held = BTreeMap::new();
        let mut due = 0;
        while due < items.len() {
            match rx.recv() {
                Ok(Msg::Done(i, r)) => {
                    held.insert(i, r);
                    while let Some(r) = held.remove(&due) {
                        handle(Event::Done(due, r));
                        due += 1;
                    }
                }
                Ok(Msg::Signal(sig)) => {
                    // Outputs put in place just before the signal: their results are on
                    // their way (nothing blocks between the two).
                    while output::unreported() > 0 {
                        if let Ok(Msg::Done(i, r)) = rx.recv_timeout(REPORT_POLL) {
                            held.insert(i, r);
                        }
                    }
                    while let Ok(Msg::Done(i, r)) = rx.try_recv() {
                        held.insert(i, r);
                    }
                    for (i, r) in std::mem::take(&mut held) {
                        handle(Event::Done(i, r));
                    }
                    handle(Event::Interrupted(sig));
                    // Not back through the scope: it would wait for the files in hand,
                    // and a write into a FIFO nobody reads would wait for ever.
                    std::process::exit(exit::signal(sig));
                }
                // Every sender gone before every input is done: a worker panicked (the
                // panic is on standard error already).
                Err(_) => {
                    output::interrupt();
                    std::process::exit(exit::USAGE_OR_IO)
                }
            }
        }
    });
    Ok(())
}

/// From now on SIGINT and SIGTERM delete the temporary files being written and tell the
/// batch (through `tx`) to stop; once the batch is over, they end the process.
#[cfg(unix)]
fn listen_for_signals<R: Send + 'static>(tx: mpsc::Sender<Msg<R>>) -> Result<(), i32> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]).map_err(|e| {
        eprintln!("cannot listen for signals: {e}");
        exit::USAGE_OR_IO
    })?;
    std::thread::spawn(move || {
        for sig in signals.forever() {
            output::interrupt();
            if tx.send(Msg::Signal(sig)).is_err() {
                std::process::exit(exit::signal(sig));
            }
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn listen_for_signals<R: Send + 'static>(_tx: mpsc::Sender<Msg<R>>) -> Result<(), i32> {
    Ok(())
}
