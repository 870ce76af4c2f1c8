//! The plugin host's errors: one line each, naming the plugin or file and saying what to do.

use std::path::PathBuf;

/// Everything that can go wrong loading or calling a plugin. A failed call never takes the
/// caller down: it returns one of these, already logged with the plugin's name.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },

    #[error("{}: bad manifest: {reason}", path.display())]
    Manifest { path: PathBuf, reason: String },

    /// `build` is how to build a component in the file's language (see
    /// `Language::build_hint`).
    #[error("{}: not a WebAssembly component ({reason}); {build}", path.display())]
    Compile {
        path: PathBuf,
        reason: String,
        build: String,
    },

    #[error("{}: precompiled artifacts are not accepted; install the `.wasm` component itself", path.display())]
    Precompiled { path: PathBuf },

    /// `build` says how to rebuild against the current contract in the file's language.
    #[error("{}: does not match world `{world}` declared in its manifest: {reason}; {build}", path.display())]
    WrongWorld {
        path: PathBuf,
        world: String,
        reason: String,
        build: String,
    },

    #[error("{}: asks for capability `{capability}`, which the firm has not granted; grant it to `{plugin}` on the admin's Plugins page (or under [plugins.grants] in docket.toml), or remove it from the manifest", path.display())]
    Ungranted {
        path: PathBuf,
        plugin: String,
        capability: String,
    },

    #[error("{}: {reason}", path.display())]
    Install { path: PathBuf, reason: String },

    #[error(
        "no plugin named `{0}` is installed; the admin's Plugins page (or `docket plugin list`) shows those that are"
    )]
    Unknown(String),

    #[error("plugin `{plugin}` is installed but was refused: {reason}")]
    Unavailable { plugin: String, reason: String },

    #[error("{}: asks for {asked} under [limits], above the firm's ceiling `plugins.{key}` = {ceiling}; ask for less or raise the ceiling in docket.toml", path.display())]
    OverCeiling {
        path: PathBuf,
        asked: String,
        key: &'static str,
        ceiling: u64,
    },

    #[error("plugin `{plugin}` is a {actual} plugin, not a {expected}; pick a {expected} plugin")]
    WrongKind {
        plugin: String,
        expected: &'static str,
        actual: &'static str,
    },

    #[error(
        "plugin `{plugin}` ran past its {ms} ms budget and was stopped; fix the plugin or raise `timeout_ms` under [limits] in its manifest (up to plugins.max_timeout_ms)"
    )]
    Timeout { plugin: String, ms: u64 },

    #[error(
        "plugin `{plugin}` tried to use more than {mib} MiB of memory and was stopped; fix the plugin or raise `memory_mib` under [limits] in its manifest (up to plugins.max_memory_mib)"
    )]
    MemoryLimit { plugin: String, mib: u64 },

    #[error("plugin `{plugin}` crashed ({reason}); fix the plugin, the call was abandoned")]
    Trap { plugin: String, reason: String },

    /// The plugin called WASI's `exit` instead of answering. WASI 0.2's `exit` carries only
    /// success or failure, so a failure reads as status 1 whatever number the plugin gave.
    #[error(
        "plugin `{plugin}` {}; a plugin answers (or returns an error) rather than exiting: fix the plugin, the call was abandoned",
        exited(*status)
    )]
    Exited { plugin: String, status: i32 },

    /// The plugin's own code failed and its SDK reported where: a Python exception, a Rust
    /// panic.
    #[error("plugin `{plugin}` failed: {failure}; fix the plugin, the call was abandoned")]
    Failed { plugin: String, failure: Failure },

    #[error("plugin `{plugin}` refused its input: {reason}")]
    Refused { plugin: String, reason: String },

    #[error("plugin `{plugin}` gave an invalid answer: {reason}; fix the plugin")]
    BadOutput { plugin: String, reason: String },

    #[error("{0}: pass a valid value")]
    BadInput(String),

    #[error("the WebAssembly runtime failed to start: {0}")]
    Runtime(String),
}

impl PluginError {
    /// The plugin this error is about, if it is about one plugin's call.
    pub fn plugin(&self) -> Option<&str> {
        match self {
            PluginError::Timeout { plugin, .. }
            | PluginError::MemoryLimit { plugin, .. }
            | PluginError::Trap { plugin, .. }
            | PluginError::Exited { plugin, .. }
            | PluginError::Failed { plugin, .. }
            | PluginError::Refused { plugin, .. }
            | PluginError::BadOutput { plugin, .. }
            | PluginError::Ungranted { plugin, .. }
            | PluginError::WrongKind { plugin, .. }
            | PluginError::Unavailable { plugin, .. } => Some(plugin),
            PluginError::Unknown(plugin) => Some(plugin),
            _ => None,
        }
    }
}

/// Where a plugin's own code failed, as its SDK reports it: the WIT's `failure`, or a Rust
/// panic read from the plugin's stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `panic` for Rust, the exception's type for Python (`ValueError`).
    pub kind: String,
    pub message: String,
    /// `FILE:LINE`; empty when unknown.
    pub location: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.message.is_empty(), self.location.is_empty()) {
            (true, true) => write!(f, "{}", self.kind),
            (true, false) => write!(f, "{} at {}", self.kind, self.location),
            (false, true) => write!(f, "{}: {}", self.kind, self.message),
            (false, false) => write!(f, "{}: {} at {}", self.kind, self.message, self.location),
        }
    }
}

/// What a plugin's exit status says: 0, or a failure whose number WASI 0.2 does not carry (its
/// `exit` passes success or failure only, read as 0 or 1).
fn exited(status: i32) -> String {
    match status {
        0 => "exited (status 0) instead of answering".into(),
        1 => "exited with a failure status instead of answering (WASI passes no exit number beyond failure, so any non-zero status reads as 1)".into(),
        n => format!("exited (status {n}) instead of answering"),
    }
}

/// `n` and `noun`, with an `s` unless `n` is one: "1 task", "2 tasks".
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// An error's whole chain on one line: wasmtime errors carry causes and backtraces over several
/// lines, and refusals are shown one per line at start-up.
pub(crate) fn one_line(error: impl std::fmt::Display) -> String {
    let text = format!("{error:#}");
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("wasm backtrace") || line.starts_with("Stack backtrace") {
            break;
        }
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(line);
    }
    out
}
