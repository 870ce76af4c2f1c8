//! Templates: the firm's catalogue of client-task groups — imported, edited, archived and
//! restored — and the reminder calendar previewed exactly as the scheduler would send it, with
//! why each reminder was held.

pub(super) mod catalogue;
mod fields;
pub(super) mod hold;
pub(super) mod preview;

pub use catalogue::*;
