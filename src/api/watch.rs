//! Watching an attempt's bytes: a transport wrapper in ureq's connector chain records
//! whether the request left in full and whether an answer began.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// What an attempt's connection saw, shared with [`Watched`].
#[derive(Debug, Default)]
pub(super) struct Progress {
    /// Bytes of the request handed to the connection (after TLS).
    pub(super) written: AtomicU64,
    /// Whether ureq started waiting for the answer after writing: the whole
    /// request (head and body) had been handed to the connection.
    pub(super) sent: AtomicBool,
}

/// The last link of the connector chain: wraps the connected (and, for
/// HTTPS, TLS-established) transport so that [`Progress`] is kept.
#[derive(Debug)]
pub(super) struct Watch(pub(super) Arc<Progress>);

impl Connector<Box<dyn Transport>> for Watch {
    type Out = Watched;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<Box<dyn Transport>>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| Watched {
            inner,
            progress: self.0.clone(),
        }))
    }
}

#[derive(Debug)]
pub(super) struct Watched {
    inner: Box<dyn Transport>,
    progress: Arc<Progress>,
}

impl Watched {
    fn reading(&self) {
        if self.progress.written.load(Ordering::Relaxed) > 0 {
            self.progress.sent.store(true, Ordering::Relaxed);
        }
    }
}

impl Transport for Watched {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.inner.transmit_output(amount, timeout)?;
        self.progress
            .written
            .fetch_add(amount as u64, Ordering::Relaxed);
        Ok(())
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.reading();
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.reading();
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

pub(super) fn is_timeout(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ),
        _ => false,
    }
}
