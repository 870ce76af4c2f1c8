//! Docket's engine: the domain (firms, templates, work items, contacts), its storage, the clock,
//! configuration and the WebAssembly plugin host. It knows nothing of HTTP.

pub mod backup;
pub mod check;
pub mod clock;
pub mod config;
mod config_load;
pub mod dates;
pub mod demo;
pub mod docket;
pub mod due;
pub mod error;
pub mod filetype;
pub mod i18n;
pub mod lease;
pub mod mail;
pub mod model;
mod outage;
pub mod owner_only;
pub mod plugin;
pub mod schedule;
pub mod store;
pub mod text;
mod tls;
pub mod workers;

pub use clock::{Clock, ManualClock, ScaledClock, SystemClock};

pub use docket::{Docket, NewUser};
pub use error::{Error, Result};
/// The memory allocator the `docket` binary runs on (mimalloc). sled allocates and frees a
/// node copy on every write, and glibc's allocator spent a third of a large commit on that;
/// benchmarks install it too, so they measure what the server does. Built without transparent
/// huge pages, which grew a backup's resident memory by half (to 204 MB, from 113 MB).
pub use mimalloc::MiMalloc as Allocator;

#[cfg(test)]
mod layout_tests;
