//! What a plugin may import: WASI with no capabilities (no files, network, environment or
//! clock), and for hooks the `effects` interface, served to hooks of both contracts
//! (`docket:plugin/effects@0.2.0` and `@0.1.0` are the same functions): each effect goes
//! through the call's `HookCtx`, the capability gate, and its refusal comes back as
//! `effect-error`.

use wasmtime::component::{HasSelf, Linker};

use super::{hook_world, v0_1};
use crate::plugin::effects::Refusal;
use crate::plugin::manifest::World;
use crate::plugin::runtime::CallState;

/// The linker of each world: WASI with no capabilities, plus the effects for hooks (those of
/// both contracts: a 0.1.0 hook imports `effects@0.1.0`).
pub(super) fn linker(
    engine: &wasmtime::Engine,
    world: World,
) -> wasmtime::Result<Linker<CallState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    if world == World::NotificationHook {
        hook_world::docket::plugin::effects::add_to_linker::<CallState, HasSelf<CallState>>(
            &mut linker,
            |s| s,
        )?;
        v0_1::hook_world::docket::plugin::effects::add_to_linker::<CallState, HasSelf<CallState>>(
            &mut linker,
            |s| s,
        )?;
    }
    Ok(linker)
}

/// Implements an `effects` interface's `Host` trait for `CallState` through the hook context.
macro_rules! effects_host {
    ($effects:path) => {
        const _: () = {
            use $effects as wit_effects;

            fn effect_result(result: Result<(), Refusal>) -> Result<(), wit_effects::EffectError> {
                result.map_err(|r| match r {
                    Refusal::Denied(why) => wit_effects::EffectError::Denied(why),
                    Refusal::Failed(why) => wit_effects::EffectError::Failed(why),
                })
            }

            /// A store without a hook context has no effects at all; only hook calls set one.
            fn no_hook() -> Result<(), wit_effects::EffectError> {
                Err(wit_effects::EffectError::Denied(
                    "no effects outside a hook call".into(),
                ))
            }

            impl wit_effects::Host for CallState {
                fn send_email(
                    &mut self,
                    to: String,
                    subject: String,
                    body: String,
                ) -> Result<(), wit_effects::EffectError> {
                    match self.hook.as_mut() {
                        Some(hook) => effect_result(hook.send_email(to, subject, body)),
                        None => no_hook(),
                    }
                }

                fn http_post(
                    &mut self,
                    url: String,
                    content_type: String,
                    body: String,
                ) -> Result<(), wit_effects::EffectError> {
                    match self.hook.as_mut() {
                        Some(hook) => effect_result(hook.http_post(url, content_type, body)),
                        None => no_hook(),
                    }
                }

                fn set_work_status(
                    &mut self,
                    status: String,
                ) -> Result<(), wit_effects::EffectError> {
                    match self.hook.as_mut() {
                        Some(hook) => effect_result(hook.set_work_status(status)),
                        None => no_hook(),
                    }
                }

                fn notify_staff(
                    &mut self,
                    message: String,
                ) -> Result<(), wit_effects::EffectError> {
                    match self.hook.as_mut() {
                        Some(hook) => effect_result(hook.notify_staff(message)),
                        None => no_hook(),
                    }
                }

                fn log(
                    &mut self,
                    level: wit_effects::Level,
                    message: String,
                ) -> Result<(), wit_effects::EffectError> {
                    let level = match level {
                        wit_effects::Level::Debug => tracing::Level::DEBUG,
                        wit_effects::Level::Info => tracing::Level::INFO,
                        wit_effects::Level::Warn => tracing::Level::WARN,
                        wit_effects::Level::Error => tracing::Level::ERROR,
                    };
                    match self.hook.as_mut() {
                        Some(hook) => effect_result(hook.log(level, &message)),
                        None => no_hook(),
                    }
                }
            }
        };
    };
}

effects_host!(super::hook_world::docket::plugin::effects);
effects_host!(super::v0_1::hook_world::docket::plugin::effects);
