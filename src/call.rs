//! A started operation: an ordered stream of events that the host waits on in short slices.
//!
//! The host (PowerShell) calls `next` with a timeout of a few hundred milliseconds in a loop,
//! so Ctrl+C is noticed between slices; `cancel` trips a token that every HTTP send, retry
//! sleep and page fetch selects on. Output events are bounded by a small semaphore so a fast
//! producer (paging) fetches at most a page or two ahead of what the pipeline has consumed:
//! memory stays constant however many pages there are.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use serde_json::Value;
use tokio::sync::{mpsc as tmpsc, Semaphore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What an event carries. The numbers are part of the C ABI (`MGGRAPH_EVENT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum EventKind {
    /// A JSON array of output objects, in order.
    Output = 1,
    /// A raw HTTP response envelope (`Invoke-MgGraphRequest`).
    Response = 2,
    /// A JSON error description (one ErrorRecord).
    Error = 3,
    /// Plain text for the verbose stream.
    Verbose = 4,
    /// Plain text for the debug stream.
    Debug = 5,
    /// Plain text for the warning stream.
    Warning = 6,
    /// Plain text for the host (information stream), e.g. a device-code prompt.
    Information = 7,
    /// A JSON progress record.
    Progress = 8,
    /// JSON metadata for variables the cmdlet sets (count, headers, status code).
    Meta = 9,
}

/// One event of a call.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    pub payload: String,
}

/// How many output events may wait unconsumed before the producer pauses.
const OUTPUT_WINDOW: usize = 2;

/// The producing side of a call, handed to the work future.
#[derive(Clone)]
pub struct EventSink {
    tx: Sender<Event>,
    window: Arc<Semaphore>,
    cancel: CancellationToken,
    pub verbose: bool,
    pub debug: bool,
}

impl EventSink {
    /// Sends output, waiting while the consumer is `OUTPUT_WINDOW` events behind.
    pub async fn output(&self, payload: String) {
        if let Ok(permit) = self.window.acquire().await {
            // The consumer returns the permit when it takes the event.
            permit.forget();
        }
        let _ = self.tx.send(Event {
            kind: EventKind::Output,
            payload,
        });
    }

    /// Sends a JSON value as one output event holding a one-element array.
    pub async fn output_value(&self, value: Value) {
        self.output(Value::Array(vec![value]).to_string()).await;
    }

    /// Sends any event that does not take part in flow control.
    pub fn send(&self, kind: EventKind, payload: String) {
        let _ = self.tx.send(Event { kind, payload });
    }

    pub fn verbose(&self, text: impl FnOnce() -> String) {
        if self.verbose {
            self.send(EventKind::Verbose, text());
        }
    }

    pub fn debug(&self, text: impl FnOnce() -> String) {
        if self.debug {
            self.send(EventKind::Debug, text());
        }
    }

    pub fn warning(&self, text: String) {
        self.send(EventKind::Warning, text);
    }

    pub fn information(&self, text: String) {
        self.send(EventKind::Information, text);
    }

    pub fn progress(&self, record: Value) {
        self.send(EventKind::Progress, record.to_string());
    }

    pub fn meta(&self, meta: Value) {
        self.send(EventKind::Meta, meta.to_string());
    }

    pub fn error(&self, error: Value) {
        self.send(EventKind::Error, error.to_string());
    }

    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// Inputs pushed by the host after the call started (bulk pipelines).
pub type InputStream = tmpsc::UnboundedReceiver<Value>;

/// The result of waiting on a call.
#[derive(Debug)]
pub enum Next {
    Event(Event),
    /// Nothing arrived within the timeout; wait again.
    Pending,
    /// The call finished and every event has been taken.
    Done,
    /// The call was cancelled.
    Cancelled,
}

/// A started operation.
pub struct Call {
    rx: Mutex<Receiver<Event>>,
    window: Arc<Semaphore>,
    cancel: CancellationToken,
    input: Mutex<Option<tmpsc::UnboundedSender<Value>>>,
    task: Mutex<Option<JoinHandle<()>>>,
    cancelled: AtomicBool,
}

/// Options fixed when a call starts.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallOptions {
    pub verbose: bool,
    pub debug: bool,
    /// The host will push inputs with [`Call::push`] and end them with [`Call::finish_input`].
    pub streaming_input: bool,
}

impl Call {
    /// Starts `work` on the runtime. `work` gets the sink and, for streaming calls, the inputs.
    pub fn start<F, Fut>(rt: &tokio::runtime::Handle, options: CallOptions, work: F) -> Call
    where
        F: FnOnce(EventSink, Option<InputStream>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel();
        let window = Arc::new(Semaphore::new(OUTPUT_WINDOW));
        let cancel = CancellationToken::new();
        let sink = EventSink {
            tx,
            window: window.clone(),
            cancel: cancel.clone(),
            verbose: options.verbose,
            debug: options.debug,
        };
        let (input_tx, input_rx) = if options.streaming_input {
            let (t, r) = tmpsc::unbounded_channel();
            (Some(t), Some(r))
        } else {
            (None, None)
        };
        let token = cancel.clone();
        let task = rt.spawn(async move {
            let panic_sink = sink.clone();
            let fut = AssertUnwindSafe(work(sink, input_rx)).catch_unwind();
            tokio::select! {
                _ = token.cancelled() => {}
                result = fut => {
                    if let Err(panic) = result {
                        // A bug must surface as an ErrorRecord, never as a silent end of output.
                        panic_sink.error(crate::engine::error::internal_error(&panic_message(&panic)));
                    }
                }
            }
        });
        Call {
            rx: Mutex::new(rx),
            window,
            cancel,
            input: Mutex::new(input_tx),
            task: Mutex::new(Some(task)),
            cancelled: AtomicBool::new(false),
        }
    }

    /// Waits up to `timeout` for the next event.
    pub fn next(&self, timeout: Duration) -> Next {
        if self.cancelled.load(Ordering::SeqCst) {
            return Next::Cancelled;
        }
        let rx = match self.rx.lock() {
            Ok(rx) => rx,
            Err(poisoned) => poisoned.into_inner(),
        };
        match rx.recv_timeout(timeout) {
            Ok(event) => {
                if event.kind == EventKind::Output {
                    self.window.add_permits(1);
                }
                Next::Event(event)
            }
            Err(RecvTimeoutError::Timeout) => {
                if self.cancelled.load(Ordering::SeqCst) {
                    Next::Cancelled
                } else {
                    Next::Pending
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                if self.cancelled.load(Ordering::SeqCst) {
                    Next::Cancelled
                } else {
                    Next::Done
                }
            }
        }
    }

    /// Cancels the call; idempotent and callable from any thread.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.cancel.cancel();
        self.finish_input();
        // Wake a producer parked on the output window so it can observe the cancellation.
        self.window.add_permits(OUTPUT_WINDOW);
    }

    /// Pushes one input to a streaming call.
    pub fn push(&self, value: Value) -> Result<(), &'static str> {
        let guard = match self.input.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        match guard.as_ref() {
            Some(tx) => tx
                .send(value)
                .map_err(|_| "the call no longer accepts input"),
            None => Err("the call does not accept input, or its input was already finished"),
        }
    }

    /// Declares that no more inputs will be pushed.
    pub fn finish_input(&self) {
        let mut guard = match self.input.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        guard.take();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        self.cancel.cancel();
        let task = match self.task.get_mut() {
            Ok(t) => t.take(),
            Err(p) => p.into_inner().take(),
        };
        if let Some(task) = task {
            // Dropping the future drops its in-flight HTTP requests: nothing keeps running.
            task.abort();
        }
    }
}

/// The text of a caught panic payload.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Handle {
        crate::runtime::handle().unwrap()
    }

    #[test]
    fn events_arrive_in_order_then_done() {
        let call = Call::start(&rt(), CallOptions::default(), |sink, _| async move {
            for i in 0..5 {
                sink.output(format!("[{i}]")).await;
            }
        });
        let mut seen = vec![];
        loop {
            match call.next(Duration::from_secs(5)) {
                Next::Event(e) => seen.push(e.payload),
                Next::Done => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(seen, vec!["[0]", "[1]", "[2]", "[3]", "[4]"]);
    }

    #[test]
    fn producer_waits_for_consumer() {
        let produced = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let p = produced.clone();
        let call = Call::start(&rt(), CallOptions::default(), move |sink, _| async move {
            for _ in 0..100 {
                sink.output("[]".into()).await;
                p.fetch_add(1, Ordering::SeqCst);
            }
        });
        std::thread::sleep(Duration::from_millis(200));
        // The window lets at most OUTPUT_WINDOW events run ahead of the consumer.
        assert!(produced.load(Ordering::SeqCst) <= OUTPUT_WINDOW);
        drop(call);
    }

    #[test]
    fn cancel_stops_a_long_call_promptly() {
        let call = Call::start(&rt(), CallOptions::default(), |sink, _| async move {
            tokio::time::sleep(Duration::from_secs(60)).await;
            sink.output("[1]".into()).await;
        });
        assert!(matches!(
            call.next(Duration::from_millis(20)),
            Next::Pending
        ));
        call.cancel();
        call.cancel();
        assert!(matches!(
            call.next(Duration::from_millis(20)),
            Next::Cancelled
        ));
    }

    #[test]
    fn a_panicking_task_reports_an_error_event() {
        let call = Call::start(&rt(), CallOptions::default(), |_sink, _| async move {
            panic!("deliberate");
        });
        match call.next(Duration::from_secs(5)) {
            Next::Event(e) => {
                assert_eq!(e.kind, EventKind::Error);
                assert!(e.payload.contains("deliberate"), "{}", e.payload);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn streaming_input_is_delivered_until_finished() {
        let call = Call::start(
            &rt(),
            CallOptions {
                streaming_input: true,
                ..Default::default()
            },
            |sink, input| async move {
                let mut input = input.unwrap();
                while let Some(v) = input.recv().await {
                    sink.output_value(v).await;
                }
            },
        );
        call.push(serde_json::json!(1)).unwrap();
        call.push(serde_json::json!(2)).unwrap();
        call.finish_input();
        assert!(call.push(serde_json::json!(3)).is_err());
        let mut got = vec![];
        while let Next::Event(e) = call.next(Duration::from_secs(5)) {
            got.push(e.payload);
        }
        assert_eq!(got, vec!["[1]", "[2]"]);
    }
}
