//! The core of an upload service built on the library: a fixed pool of worker threads,
//! each owning one `Preprocessor` (its buffers reused from upload to upload), fed by a
//! bounded queue, answering every upload with an HTTP status and a body.
//!
//! In an async server (axum, actix, hyper) the same `Pool::handle` call goes inside
//! `tokio::task::spawn_blocking` (or the pool answers through a oneshot channel): a
//! `prepare` is 20–200 ms of CPU and must not run on the async executor's threads.
//!
//! ```text
//! cargo run --release --example web_service -- photo.jpg other.png ...
//! ```
//! Without arguments it sends the crate's test photo and a text file.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::{self, JoinHandle};

use ekyc_preflight::{Limits, Preprocessor, Spec};

/// What the service answers one upload with.
#[derive(Debug)]
pub struct Response {
    /// The HTTP status: 200, or `Error::http_status()` (413, 415, 422, 500), or 503 when
    /// the queue is full.
    pub status: u16,
    /// `image/jpeg` for the prepared photo, `application/json` for an error.
    pub content_type: &'static str,
    /// The prepared JPEG, or the error as `{rule, api_code, http_status, message}`.
    pub body: Vec<u8>,
}

type Job = (Vec<u8>, mpsc::Sender<Response>);

/// A fixed number of workers, each with its own `Preprocessor`, and a bounded queue.
pub struct Pool {
    queue: Option<mpsc::SyncSender<Job>>,
    workers: Vec<JoinHandle<()>>,
    limits: Limits,
}

impl Pool {
    /// `workers` threads (one `Preprocessor` each: about 25 MB at peak on a 12 MP photo)
    /// and room for `queued` uploads waiting; beyond that an upload is answered 503.
    pub fn new(workers: usize, queued: usize, spec: Spec) -> Self {
        let (queue, jobs) = mpsc::sync_channel::<Job>(queued);
        let jobs = Arc::new(Mutex::new(jobs));
        let workers = (0..workers.max(1))
            .map(|_| {
                let jobs = Arc::clone(&jobs);
                thread::spawn(move || work(&jobs, spec))
            })
            .collect();
        Self {
            queue: Some(queue),
            workers,
            limits: spec.limits,
        }
    }

    /// Prepares one upload on a worker and waits for its answer.
    pub fn handle(&self, upload: Vec<u8>) -> Response {
        // Refuse an oversized body before queueing it (a real server refuses it before
        // reading it: set its body limit to `Limits::max_input_bytes`).
        if upload.len() > self.limits.max_input_bytes {
            return Response {
                status: 413,
                content_type: "text/plain",
                body: b"upload too large".to_vec(),
            };
        }
        let (reply, answer) = mpsc::channel();
        let queue = self
            .queue
            .as_ref()
            .expect("the queue lives as long as the pool");
        if queue.try_send((upload, reply)).is_err() {
            return Response {
                status: 503,
                content_type: "text/plain",
                body: b"busy: try again".to_vec(),
            };
        }
        answer
            .recv()
            .unwrap_or_else(|_| internal("the worker went away"))
    }
}

impl Drop for Pool {
    /// Closes the queue and waits for the workers to finish what they hold.
    fn drop(&mut self) {
        self.queue = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// One worker: takes uploads off the queue until it closes.
fn work(jobs: &Mutex<mpsc::Receiver<Job>>, spec: Spec) {
    let mut pre = Preprocessor::new(spec);
    loop {
        // The lock is held only while waiting for the next job, not while preparing it.
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok((upload, reply)) = job else { return };
        // The library does not panic on any input; should a bug of ours ever do so, the
        // worker answers 500 and goes on with a fresh `Preprocessor`.
        let response = match catch_unwind(AssertUnwindSafe(|| answer(&mut pre, &upload))) {
            Ok(response) => response,
            Err(_) => {
                pre = Preprocessor::new(spec);
                internal("panic while preparing")
            }
        };
        let _ = reply.send(response);
    }
}

/// The response to one upload.
fn answer(pre: &mut Preprocessor, upload: &[u8]) -> Response {
    match pre.prepare(upload) {
        Ok(prepared) => Response {
            status: 200,
            content_type: "image/jpeg",
            body: prepared.into_jpeg(),
        },
        Err(error) => Response {
            status: error.http_status(),
            content_type: "application/json",
            body: serde_json::to_vec(&error).expect("an Error always serialises"),
        },
    }
}

fn internal(message: &str) -> Response {
    Response {
        status: 500,
        content_type: "text/plain",
        body: message.as_bytes().to_vec(),
    }
}

#[allow(dead_code)] // the tests include this file as a module and use only `Pool`
fn main() {
    let uploads: Vec<(String, Vec<u8>)> = match std::env::args().skip(1).collect::<Vec<_>>() {
        paths if !paths.is_empty() => paths
            .into_iter()
            .map(|path| {
                let data = std::fs::read(&path).unwrap_or_else(|e| {
                    eprintln!("{path}: {e}");
                    std::process::exit(2)
                });
                (path, data)
            })
            .collect(),
        _ => vec![
            (
                "testdata/phone-orientation6.jpg".into(),
                std::fs::read(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/testdata/phone-orientation6.jpg"
                ))
                .expect("the crate's test photo"),
            ),
            ("notes.txt".into(), b"not a photo".to_vec()),
        ],
    };
    let workers = thread::available_parallelism().map_or(2, |n| n.get());
    let pool = Pool::new(workers, 8 * workers, Spec::default());
    // Uploads arrive at once, one request thread each, as in a server.
    thread::scope(|scope| {
        for (name, data) in uploads {
            let pool = &pool;
            scope.spawn(move || {
                let response = pool.handle(data);
                let body = match response.content_type {
                    "image/jpeg" => format!("{} bytes of JPEG", response.body.len()),
                    _ => String::from_utf8_lossy(&response.body).into_owned(),
                };
                println!("{name}: {} {body}", response.status);
            });
        }
    });
}
