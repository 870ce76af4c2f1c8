//! The `docket` binary: command-line parsing and wiring only. Each command lives in `cli/`.

mod cli;

use std::process::ExitCode;

use clap::Parser;

#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: docket_engine::Allocator = docket_engine::Allocator;

/// mimalloc's `mi_option_purge_delay` (`include/mimalloc.h` of the mimalloc 3 that
/// `libmimalloc-sys` builds): how long freed memory is kept before it is given back.
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

/// Memory freed is given back to the system at once rather than after a second: a thread that
/// read a large firm once (a new version's first check of the schedule, the file collector) and
/// then idles would otherwise keep it for good, since mimalloc purges a thread's heap only when
/// that thread allocates again.
#[cfg(not(feature = "system-allocator"))]
fn tune_allocator() {
    // SAFETY: called first thing in `main`, before any other thread exists (the function is not
    // thread safe); the option is an integer in milliseconds.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

/// With the system allocator (`--features system-allocator`, for heap profilers): nothing to tune.
#[cfg(feature = "system-allocator")]
fn tune_allocator() {}

fn main() -> ExitCode {
    tune_allocator();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`docket work list | head`): nothing is wrong with the command.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            // One line, causes joined, so scripts and people both read it.
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
