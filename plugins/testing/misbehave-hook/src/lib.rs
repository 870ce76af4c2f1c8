//! A notification hook for Docket's tests: the `mode` parameter makes it loop forever (`loop`),
//! trap (`trap`), or notify staff with `message` (`notify`, the default). Never installed; the
//! tests load it directly.

use std::hint::black_box;

use docket_plugin_sdk::notification_hook::docket::plugin::effects;
use docket_plugin_sdk::notification_hook::docket::plugin::types::{Param, PluginError};
use docket_plugin_sdk::notification_hook::exports::docket::plugin::hook::{Event, Guest};

struct MisbehaveHook;

fn param<'a>(params: &'a [Param], name: &str, default: &'a str) -> &'a str {
    params
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
        .unwrap_or(default)
}

impl Guest for MisbehaveHook {
    fn on_event(params: Vec<Param>, _event: Event) -> Result<(), PluginError> {
        match param(&params, "mode", "notify") {
            "loop" => {
                // Queue an effect first: it must not happen, since the call never returns.
                let _ = effects::notify_staff("the looping hook got this far");
                let mut n: u64 = 0;
                loop {
                    n = black_box(n.wrapping_add(1));
                }
            }
            "trap" => {
                let v: Vec<u8> = Vec::new();
                black_box(v[black_box(3)]);
                Ok(())
            }
            _ => effects::notify_staff(param(&params, "message", "misbehave-hook was here"))
                .map_err(|e| PluginError::BadInput(format!("{e:?}"))),
        }
    }
}

docket_plugin_sdk::export_notification_hook!(MisbehaveHook);
