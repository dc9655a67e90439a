//! Files as request bodies (`-InFile`, `-InputFilePath`) and as response targets (`-OutFile`,
//! `-OutputFilePath`), streamed in bounded memory.
//!
//! The engine's async worker threads never touch the disk: a body is read, and a response
//! written, by a blocking-pool thread ([`tokio::task::spawn_blocking`]) that exchanges
//! [`CHUNK`]-sized pieces with the HTTP exchange over a queue of [`QUEUE`] pieces. So a 2 GB
//! upload holds about 1 MiB, a slow disk never stalls other calls, and a cancelled call lets
//! go of its file within one chunk.
//!
//! Only regular files are read or replaced: a directory, a FIFO (which would hang the reader),
//! a device (`/dev/zero` never ends) or a socket is refused before anything is sent, naming
//! the parameter.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::error::GraphError;

/// Bytes read from a file, or written to one, per piece: 256 KiB.
pub const CHUNK: usize = 256 * 1024;

/// Pieces queued between the file thread and the HTTP exchange (so at most
/// `QUEUE × CHUNK` = 1 MiB of a file is in memory at once, plus what the HTTP stack holds).
pub const QUEUE: usize = 4;

/// What a file-system entry is, when it is not a regular file (for errors).
fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a FIFO (named pipe), which has no size and could block forever");
        }
        if ft.is_char_device() {
            return Some("a character device, which has no size (/dev/zero never ends)");
        }
        if ft.is_block_device() {
            return Some("a block device");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// The `InvalidArgument` for a file parameter.
fn refused(parameter: &str, path: &str, why: &str) -> GraphError {
    GraphError::invalid(format!(
        "Cannot validate argument on parameter '{parameter}'. '{path}' {why}; give the path of a regular file. Nothing was sent."
    ))
}

/// A regular file to send as a request body, checked when the command was prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSource {
    /// The parameter that named it (`InFile`, `InputFilePath`), for errors.
    pub parameter: String,
    /// A file-system path (the module resolves PowerShell paths).
    pub path: PathBuf,
    /// Its length in bytes when it was checked: exactly this many bytes are sent
    /// (`Content-Length`), and a file that changed length since is refused.
    pub len: u64,
}

impl FileSource {
    /// Checks that `path` is an existing regular file (following symbolic links) and takes its
    /// length. Errors (`InvalidArgument`, naming `parameter`): empty path, missing or
    /// unreadable entry, a directory, FIFO, device or socket. Only metadata is read: nothing
    /// is opened, so a FIFO cannot block here.
    pub fn check(parameter: &str, path: &str) -> Result<FileSource, GraphError> {
        if path.is_empty() {
            return Err(GraphError::invalid(format!(
                "Cannot validate argument on parameter '{parameter}'. The argument is null or empty."
            )));
        }
        let meta = std::fs::metadata(path).map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "does not exist".to_string(),
                std::io::ErrorKind::PermissionDenied => "cannot be read (permission denied)".into(),
                _ => format!("cannot be read ({e})"),
            };
            refused(parameter, path, &why)
        })?;
        if let Some(kind) = not_regular(&meta) {
            return Err(refused(parameter, path, &format!("is {kind}")));
        }
        Ok(FileSource {
            parameter: parameter.to_string(),
            path: PathBuf::from(path),
            len: meta.len(),
        })
    }

    /// Opens the file for one attempt (every retry reopens it) without blocking on a FIFO
    /// swapped in since [`FileSource::check`], and checks it is still a regular file of the
    /// same length.
    fn open(&self) -> Result<File, GraphError> {
        let shown = self.path.display().to_string();
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Regular files ignore O_NONBLOCK; a FIFO opens at once instead of waiting for a
            // writer, and is then refused below.
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = options
            .open(&self.path)
            .map_err(|e| refused(&self.parameter, &shown, &format!("cannot be opened ({e})")))?;
        let meta = file
            .metadata()
            .map_err(|e| refused(&self.parameter, &shown, &format!("cannot be read ({e})")))?;
        if let Some(kind) = not_regular(&meta) {
            return Err(refused(&self.parameter, &shown, &format!("is {kind}")));
        }
        if meta.len() != self.len {
            return Err(GraphError::invalid(format!(
                "Cannot validate argument on parameter '{}'. '{shown}' changed size while the command ran ({} bytes, then {}); nothing more was sent.",
                self.parameter, self.len, meta.len()
            )));
        }
        Ok(file)
    }

    /// The file as a request body of exactly [`FileSource::len`] bytes, read in [`CHUNK`]s by
    /// a blocking-pool thread. Must be called within the runtime. The thread ends when the
    /// file is sent, when reading fails (the body then fails, and so the request), or when the
    /// body is dropped (the request finished early or was cancelled).
    /// `progress` counts the bytes handed to the HTTP stack (for a timeout on no progress).
    pub fn body(&self, progress: super::http::Progress) -> Result<reqwest::Body, GraphError> {
        let mut file = self.open()?;
        let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(QUEUE);
        let len = self.len;
        let shown = self.path.display().to_string();
        tokio::task::spawn_blocking(move || {
            let mut left = len;
            while left > 0 {
                let n = left.min(CHUNK as u64) as usize;
                let mut buf = vec![0u8; n];
                if let Err(e) = file.read_exact(&mut buf) {
                    let e = std::io::Error::new(
                        e.kind(),
                        format!("reading '{shown}' failed after {} bytes: {e}", len - left),
                    );
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
                left -= n as u64;
                if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
                    // The request no longer wants the body.
                    return;
                }
            }
        });
        Ok(reqwest::Body::wrap(Pieces {
            rx,
            left: len,
            progress,
        }))
    }
}

/// An HTTP body made of the pieces a reader thread sends; its exact length is known, so it
/// goes with a `Content-Length`.
struct Pieces {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    left: u64,
    progress: super::http::Progress,
}

impl http_body::Body for Pieces {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            std::task::Poll::Ready(Some(Ok(piece))) => {
                self.left = self.left.saturating_sub(piece.len() as u64);
                self.progress
                    .fetch_add(piece.len() as u64, std::sync::atomic::Ordering::Relaxed);
                std::task::Poll::Ready(Some(Ok(http_body::Frame::data(piece))))
            }
            std::task::Poll::Ready(Some(Err(e))) => std::task::Poll::Ready(Some(Err(e))),
            std::task::Poll::Ready(None) => std::task::Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file ended early",
            )))),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

/// Where a response body goes (`-OutFile`, `-OutputFilePath`): written to a temporary file in
/// the same directory and renamed over `path` only once complete, so a failed or cancelled
/// download leaves no partial file and keeps whatever `path` held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutTarget {
    /// The parameter that named it, for errors.
    pub parameter: String,
    /// A file-system path.
    pub path: PathBuf,
}

/// Why a download did not complete.
#[derive(Debug)]
pub enum WriteFailure {
    /// The call was cancelled.
    Cancelled,
    /// The response could not be received (the exchange may try again).
    Receive(reqwest::Error),
    /// The file could not be written (an `InvalidArgument` naming the parameter).
    Disk(GraphError),
    /// No data arrived for the idle limit.
    Stalled,
}

/// One message to the writer thread.
enum Piece {
    Data(Bytes),
    /// Everything arrived: keep the file.
    Commit,
}

impl OutTarget {
    /// Checks, before anything is sent, that `path` can be replaced by a downloaded file:
    /// its directory exists, and it is a regular file or does not exist yet. Errors
    /// (`InvalidArgument` naming `parameter`): empty path, a missing directory, a directory,
    /// FIFO, device or socket at `path` (which a rename would replace, or a write block on).
    pub fn check(parameter: &str, path: &str) -> Result<OutTarget, GraphError> {
        if path.is_empty() {
            return Err(GraphError::invalid(format!(
                "Cannot validate argument on parameter '{parameter}'. The argument is null or empty."
            )));
        }
        let p = Path::new(path);
        if let Ok(meta) = std::fs::metadata(p) {
            if let Some(kind) = not_regular(&meta) {
                return Err(GraphError::invalid(format!(
                    "Cannot validate argument on parameter '{parameter}'. '{path}' is {kind}; give the path of a file to create or replace. Nothing was sent."
                )));
            }
        }
        let dir = parent_of(p);
        if !dir.is_dir() {
            return Err(GraphError::invalid(format!(
                "Cannot validate argument on parameter '{parameter}'. The folder '{}' does not exist. Nothing was sent.",
                dir.display()
            )));
        }
        Ok(OutTarget {
            parameter: parameter.to_string(),
            path: p.to_path_buf(),
        })
    }

    fn disk_error(&self, e: &std::io::Error) -> GraphError {
        GraphError::invalid(format!(
            "Cannot write the -{} '{}': {e}. The file was left as it was.",
            self.parameter,
            self.path.display()
        ))
    }

    /// Streams `resp`'s body into the file, piece by piece, on a blocking-pool thread; returns
    /// the bytes written. `idle`: the longest wait for a piece. On any failure or on `cancel`
    /// the temporary file is removed before
    /// this returns (the writer finishes at most one piece first).
    pub async fn receive(
        &self,
        resp: &mut reqwest::Response,
        cancel: &CancellationToken,
        idle: std::time::Duration,
    ) -> Result<u64, WriteFailure> {
        let (tx, rx) = mpsc::channel::<Piece>(QUEUE);
        let target = self.clone();
        let writer = tokio::task::spawn_blocking(move || target.write_pieces(rx));
        let mut total = 0u64;
        let outcome = loop {
            let next = tokio::select! {
                _ = cancel.cancelled() => break Err(WriteFailure::Cancelled),
                c = tokio::time::timeout(idle, resp.chunk()) => match c {
                    Ok(c) => c,
                    Err(_) => break Err(WriteFailure::Stalled),
                },
            };
            let piece = match next {
                Ok(Some(bytes)) => {
                    total += bytes.len() as u64;
                    Piece::Data(bytes)
                }
                Ok(None) => Piece::Commit,
                Err(e) => break Err(WriteFailure::Receive(e)),
            };
            let done = matches!(piece, Piece::Commit);
            let sent = tokio::select! {
                _ = cancel.cancelled() => break Err(WriteFailure::Cancelled),
                s = tx.send(piece) => s,
            };
            if sent.is_err() {
                // The writer stopped: its result says why.
                break Ok(total);
            }
            if done {
                break Ok(total);
            }
        };
        drop(tx);
        let written = writer
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
        match (outcome, written) {
            (Err(failure), _) => Err(failure),
            (Ok(_), Err(e)) => Err(WriteFailure::Disk(self.disk_error(&e))),
            (Ok(n), Ok(())) => Ok(n),
        }
    }

    /// Writes `bytes` (an answer already in memory) the same way: temporary file, then rename.
    pub async fn write_all(&self, bytes: Bytes) -> Result<(), GraphError> {
        let (tx, rx) = mpsc::channel::<Piece>(2);
        let target = self.clone();
        let writer = tokio::task::spawn_blocking(move || target.write_pieces(rx));
        let _ = tx.send(Piece::Data(bytes)).await;
        let _ = tx.send(Piece::Commit).await;
        drop(tx);
        writer
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())))
            .map_err(|e| self.disk_error(&e))
    }

    /// The writer thread: a new temporary file next to the target, filled with the pieces,
    /// renamed over the target on [`Piece::Commit`], removed on anything else.
    fn write_pieces(&self, mut rx: mpsc::Receiver<Piece>) -> std::io::Result<()> {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".into());
        let temp = parent_of(&self.path).join(format!(
            ".{name}.{}.part",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        let result = (|| {
            while let Some(piece) = rx.blocking_recv() {
                match piece {
                    Piece::Data(bytes) => file.write_all(&bytes)?,
                    Piece::Commit => {
                        file.flush()?;
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        })();
        drop(file);
        match result {
            Ok(true) => std::fs::rename(&temp, &self.path).inspect_err(|_| {
                let _ = std::fs::remove_file(&temp);
            }),
            Ok(false) => {
                let _ = std::fs::remove_file(&temp);
                Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "the download stopped",
                ))
            }
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                Err(e)
            }
        }
    }
}

/// The directory a path's file is in (`.` for a bare name).
fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: GraphError) -> String {
        match e {
            GraphError::Invalid { message } => message,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn only_regular_files_are_sources() {
        let dir = std::env::temp_dir().join(format!("mggraph-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.bin");
        std::fs::write(&file, b"12345").unwrap();
        let s = FileSource::check("InFile", file.to_str().unwrap()).unwrap();
        assert_eq!(s.len, 5);
        let m = message(FileSource::check("InFile", dir.to_str().unwrap()).unwrap_err());
        assert!(
            m.starts_with("Cannot validate argument on parameter 'InFile'.")
                && m.contains("a directory"),
            "{m}"
        );
        let m = message(FileSource::check("InputFilePath", "/no/such/file").unwrap_err());
        assert!(
            m.contains("'InputFilePath'") && m.contains("does not exist"),
            "{m}"
        );
        #[cfg(unix)]
        {
            let m = message(FileSource::check("InFile", "/dev/zero").unwrap_err());
            assert!(m.contains("character device"), "{m}");
        }
        let m = message(OutTarget::check("OutFile", dir.to_str().unwrap()).unwrap_err());
        assert!(m.contains("'OutFile'") && m.contains("a directory"), "{m}");
        let m = message(OutTarget::check("OutFile", "/no/such/dir/x").unwrap_err());
        assert!(m.contains("does not exist"), "{m}");
        assert!(OutTarget::check("OutFile", file.to_str().unwrap()).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
