//! The stdio transport: `lsp-server`'s framing and message types, read through a guard.
//!
//! `lsp_server::Connection::stdio` reads a message by allocating whatever its
//! `Content-Length` header says before a byte of the body arrives, so one bad header
//! (`Content-Length: 99999999999999`) aborts the process. Here the same reader
//! (`Message::read`) reads through [`Guarded`], which refuses a header line longer than
//! [`MAX_HEADER`] and a length over [`MAX_MESSAGE`] as invalid data: the server then ends
//! with custody's usual error and exit code 2.

use lsp_server::{Connection, Message};
use std::io::{self, BufRead, Read, Write};
use std::thread::JoinHandle;

/// The longest header line read (`Content-Length: N` and `Content-Type: ...` are short).
pub const MAX_HEADER: u64 = 1024;

/// The largest message body: a document at custody's default file-size limit (1 GiB),
/// with room for its JSON escaping.
pub const MAX_MESSAGE: u64 = 1 << 31;

/// A `BufRead` whose `read_line` (all `Message::read` uses for headers) stops at
/// [`MAX_HEADER`] bytes and refuses a `Content-Length` over [`MAX_MESSAGE`].
pub struct Guarded<R> {
    inner: R,
}

impl<R: BufRead> Guarded<R> {
    pub fn new(inner: R) -> Guarded<R> {
        Guarded { inner }
    }
}

impl<R: BufRead> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: BufRead> BufRead for Guarded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt)
    }
    fn read_line(&mut self, buf: &mut String) -> io::Result<usize> {
        let start = buf.len();
        let n = (&mut self.inner).take(MAX_HEADER).read_line(buf)?;
        let line = buf.get(start..).unwrap_or("");
        if n as u64 == MAX_HEADER && !line.ends_with('\n') {
            return Err(invalid(format!(
                "a header line longer than {MAX_HEADER} bytes"
            )));
        }
        if let Some((name, value)) = line.trim_end().split_once(':')
            && name.eq_ignore_ascii_case("content-length")
            && let Ok(size) = value.trim().parse::<u64>()
            && size > MAX_MESSAGE
        {
            return Err(invalid(format!(
                "a message of {size} bytes, over the limit of {MAX_MESSAGE}"
            )));
        }
        Ok(n)
    }
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// The reader and writer threads of a connection over stdin and stdout.
pub struct IoThreads {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl IoThreads {
    /// Wait for both threads (call after dropping the server's `Connection`): the reader's
    /// error first, as it says more (a message that is not JSON-RPC).
    pub fn join(self) -> Result<(), String> {
        let reader = self.reader.join();
        let writer = self.writer.join();
        for result in [reader, writer] {
            match result {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => return Err("an I/O thread stopped unexpectedly".to_owned()),
            }
        }
        Ok(())
    }
}

/// A connection over stdin and stdout, read through [`Guarded`]. The server's end is an
/// in-memory `Connection`; two threads move messages between the other end and stdio.
pub fn stdio() -> io::Result<(Connection, IoThreads)> {
    let (server, client) = Connection::memory();
    let Connection {
        sender: to_server,
        receiver: from_server,
    } = client;
    let reader = std::thread::Builder::new()
        .name("custody-lsp-reader".to_owned())
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = Guarded::new(stdin.lock());
            while let Some(msg) = Message::read(&mut input)? {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if to_server.send(msg).is_err() || exit {
                    break;
                }
            }
            Ok(())
        })?;
    let writer = std::thread::Builder::new()
        .name("custody-lsp-writer".to_owned())
        .spawn(move || {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            for msg in from_server {
                msg.write(&mut out)?;
            }
            out.flush()
        })?;
    Ok((server, IoThreads { reader, writer }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8]) -> io::Result<Option<Message>> {
        Message::read(&mut Guarded::new(input))
    }

    #[test]
    fn a_normal_message_reads() {
        let body = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        assert!(matches!(
            read(framed.as_bytes()),
            Ok(Some(Message::Notification(_)))
        ));
    }

    #[test]
    fn a_huge_length_is_refused_before_anything_is_allocated() {
        let err = read(b"Content-Length: 99999999999999\r\n\r\n{}").err();
        let err = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("over the limit"), "{err}");
        let err = read(b"content-length:   4294967296000\r\n\r\n").err();
        assert!(err.is_some());
    }

    #[test]
    fn an_endless_header_line_is_refused() {
        let line = vec![b'x'; 10_000];
        let err = read(&line).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("header line longer"), "{err}");
    }
}
