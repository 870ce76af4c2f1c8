//! The WebAssembly plugin host: reminder policies, sending rules and notification hooks as
//! components of the `docket:plugin@0.2.0` WIT package (`wit/`), run in a sandbox; components
//! built for 0.1.0 are still served through an adapter (`wit/v0_1.rs`).
//!
//! # Using it
//!
//! ```text
//! let (host, refused) = PluginHost::open(&config.plugins, &config.storage.data_dir)?;
//! // `refused`: installed plugins turned down (bad manifest, wrong world, ungranted
//! // capability, not a component), one line each; the host serves the rest.
//! host.next_reminder("gentle", &calendar, &params, now, &group)?;        // one group: a batch of one
//! host.next_reminders("gentle", &calendar, &params, now, &groups)?;      // a batch, one call
//! let mut sweep = host.reminder_session("gentle")?;                      // many batches, one instance
//! host.send_at("relative", &calendar, &params, now, &request)?;          // automatic send
//! host.deliver("webhook", &params, &event, &mut effects)?;               // hook event
//! host.preview("custom", &calendar, &params, group, until)?;             // whole calendar
//! host.set_stored_grants(grants);                                       // an admin's grants, at once
//! host.check_file(path, &BuildTarget::of(path, Some(manifest)))?;       // world, imports, exports
//! host.check_install(wasm, manifest)?;                                    // as the server installs it
//! host.trial("my-policy")?;                                              // one call on a sample, defaults
//! let _watch = Arc::new(host).watch(Duration::from_secs(1), |report| {}); // live reload of the folder
//! ```
//!
//! - `PluginHost::open(&PluginsConfig, data_dir) -> Result<(PluginHost, Vec<Arc<PluginLoadError>>)>`
//!   loads the stock plugins (embedded, built from `plugins/` by `engine/build.rs`) and every
//!   `NAME.wasm` + `NAME.toml` pair of the plugins folder; compiled components are cached in
//!   `data_dir/plugin-cache`, keyed by content hash and engine compatibility.
//! - Every call runs in a fresh store (or a session's store) with an epoch deadline
//!   (`timeout_ms`), a memory cap (`memory_mib`) and table and instance caps, and WASI without
//!   files, network, environment or clock. A trap, timeout or limit returns a [`PluginError`],
//!   logged with the plugin's name.
//! - Hooks reach the world only through [`HookEffects`], and only for capabilities their
//!   manifest declares and the firm grants; effects apply only if the hook succeeds.
//! - Calls are synchronous and may take up to `timeout_ms`: from async code, run them on a
//!   blocking thread. A fresh instance costs about 20 µs, so sweeps use a [`ReminderSession`].
//! - A reminder policy has one decision, the batch `next-reminders`; every single-group call
//!   (previews, `plugin test`, `plugin simulate`, the template check) is a batch of one through
//!   [`ReminderSession::next_reminders`], the scheduler's own path.
//! - A plugin's own failure (a Python exception, a Rust panic) comes back with its kind, message
//!   and location ([`PluginError::Failed`]).
//! - A reminder instant may lie in the past (the server was down when it was due): send it at
//!   the next tick; the policy then answers from that reminder on, so missed days collapse.
//!
//! # Inside
//!
//! - The loaded plugins are one catalogue swapped whole (`folder.rs`, `scan.rs`): `watch`
//!   rescans the folder, loads what was added or changed once its files stopped changing between
//!   two scans, drops what was removed, and keeps the previous version of a plugin whose new files
//!   are refused. A manifest may ask for its own limits, up to the firm's ceilings.
//! - `wit/` is the one place that runs `bindgen!`, for both contracts: a component is linked
//!   against 0.2.0, else 0.1.0, whose adapter (`wit/v0_1.rs`) calls only its batch function. The
//!   rest of the engine sees the plain types of `model.rs`. A batch crosses the boundary as
//!   columns of numbers (wasmtime copies a list of numbers at once, records one value at a time).
//! - A call's stderr (its last 8 KiB, `stderr.rs`) is read only when the call traps: the Rust
//!   SDK's panic hook writes the panic's message and place there.
//! - Reminder policies answer in local date and minute; `answers.rs` turns answers into instants
//!   (`due::local_instant` rules for gaps) and checks them (later than the last send, only open
//!   tasks, at most `MAX_REMINDERS_PER_TASK`). `preview.rs` follows a calendar to its end;
//!   `cases/` runs an author's table tests (`docket plugin test`) through the scheduler's own
//!   calls; `check.rs` says what a file is, `trial.rs` is `plugin check`'s call on a sample,
//!   `scaffold.rs` the projects `docket plugin new` writes, `toml_fields.rs` reads manifests and
//!   cases with messages naming the field and line.
//! - Precompiled components are loaded only from `DATA/plugin-cache` (or, for the tools run
//!   without a data folder, the user's cache folder), only when Docket wrote them: checksummed,
//!   keyed by content hash, wasmtime release and engine compatibility hash.

mod answers;
mod calls;
mod cases;
mod check;
mod effects;
mod error;
mod folder;
mod grants;
mod host;
mod manifest;
mod mirror;
mod model;
mod preview;
mod runtime;
mod scaffold;
mod scan;
mod stderr;
mod stock;
mod toml_fields;
mod trial;
mod wit;

#[doc(hidden)]
pub use calls::native_reminders;
pub use calls::{MAX_REMINDERS_PER_TASK, ReminderSession};
pub use cases::{CaseResult, Cases};
pub use check::CheckReport;
pub(crate) use error::count;
pub use error::{Failure, PluginError};
pub use folder::{PluginWatch, ReloadReport};
pub use host::{Origin, PluginHost, PluginInfo, PluginLoadError, RefusedPlugin};
pub use manifest::{
    Capability, Contract, Manifest, ManifestLimits, World, name_of_stem, valid_name,
};
pub use mirror::{Mirror, Mirrored};
#[doc(hidden)]
pub use model::{BatchAnswer, BatchColumns, HookEventKind};
pub use model::{
    Effect, FirmCalendar, GroupState, HookEffects, HookEvent, NextReminder, Params,
    RecordedEffects, SendRequest, TaskState,
};
pub use preview::{MAX_PREVIEW, Preview, PreviewEnd};
pub(crate) use preview::{Step, next_step};
#[doc(hidden)]
pub use runtime::RuntimeOptions;
pub use runtime::{Limits, LoadTime, user_cache_dir};
pub use scaffold::{BuildTarget, Language, Scaffold, scaffold};
