//! Panics reported to Docket. A plugin built for `wasm32-wasip2` aborts on a panic (the target
//! has no unwinding), so the call cannot return an error once one happens. Instead the
//! `export_*!` macros run every call under [`reported`], which installs a panic hook once: it
//! writes the panic's message and `file:line` to stderr as one line,
//! `docket-plugin-panic<TAB>LOCATION<TAB>MESSAGE`, which the host reads when the call traps and
//! reports as the plugin failing there (`plugin `x` failed: panic: MESSAGE at FILE:LINE`).

use std::sync::Once;

/// How the panic line starts; the host looks for it.
pub const MARKER: &str = "docket-plugin-panic";

/// Runs `call` with the panic hook installed.
pub fn reported<R>(call: impl FnOnce() -> R) -> R {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("{}", line(info)))));
    call()
}

/// The line the hook writes for a panic.
fn line(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    let location = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default();
    format!("{MARKER}\t{}\t{}", one_line(&location), one_line(&message))
}

/// `text` on one line without tabs, which separate the fields.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_one_line_with_its_place() {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let keep = seen.clone();
        std::panic::set_hook(Box::new(move |info| *keep.lock().unwrap() = line(info)));
        let result = std::panic::catch_unwind(|| panic!("bad\tvalue\n`x`"));
        let _ = std::panic::take_hook();
        assert!(result.is_err());
        let seen = seen.lock().unwrap().clone();
        let fields: Vec<&str> = seen.split('\t').collect();
        assert_eq!(fields[0], MARKER);
        assert!(fields[1].contains("src/panic.rs:"), "{seen}");
        assert_eq!(fields[2], "bad value `x`");
    }
}
