//! Where a command's words go: this process's standard output and error, or — when the running
//! server runs the command for a `docket` typed beside it — the admin socket back to that
//! command, which prints them. A command writes to an [`Out`] and never knows which.

use std::io::{self, Write};

/// Standard output or standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// What takes a command's words.
pub trait Sink {
    fn put(&mut self, stream: Stream, bytes: &[u8]) -> io::Result<()>;
}

/// A command's standard output (`writeln!(out, …)`), with its standard error at
/// [`Out::err`].
pub struct Out<'a> {
    sink: &'a mut dyn Sink,
}

impl<'a> Out<'a> {
    pub fn new(sink: &'a mut dyn Sink) -> Out<'a> {
        Out { sink }
    }

    /// Standard error: warnings and notes beside the answer.
    pub fn err(&mut self) -> ErrOut<'_> {
        ErrOut { sink: self.sink }
    }
}

impl Write for Out<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sink.put(Stream::Out, buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A command's standard error.
pub struct ErrOut<'a> {
    sink: &'a mut dyn Sink,
}

impl Write for ErrOut<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sink.put(Stream::Err, buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// This process's own standard output and error.
pub struct Terminal;

impl Sink for Terminal {
    fn put(&mut self, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        match stream {
            Stream::Out => io::stdout().lock().write_all(bytes),
            Stream::Err => io::stderr().lock().write_all(bytes),
        }
    }
}
