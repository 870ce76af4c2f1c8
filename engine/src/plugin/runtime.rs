//! The sandbox every plugin call runs in: one wasmtime `Engine` with epoch interruption, a
//! ticker thread, per-call stores with memory, table and instance caps, a WASI context with no
//! capabilities, and the on-disk cache of compiled components.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, ResourceTable};
use wasmtime::{Config, Engine, ResourceLimiter, Store, Trap};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::effects::HookCtx;
use super::error::{PluginError, one_line};
use super::scaffold::{BuildTarget, Language};
use super::stderr::StderrTail;

/// How often the epoch advances; a call's budget is counted in these ticks.
const TICK: Duration = Duration::from_millis(5);
/// Store-wide caps beyond memory. A Rust component is a handful of core instances, tables and
/// memories (its own, the WASI adapter's, shims); these leave room without leaving it unbounded.
const MAX_INSTANCES: usize = 32;
const MAX_TABLES: usize = 32;
const MAX_MEMORIES: usize = 8;
const MAX_TABLE_ELEMENTS: usize = 100_000;

/// The limits a plugin's calls run under: the firm's defaults, or what its manifest asks for up
/// to the firm's ceilings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Limits {
    pub timeout_ms: u64,
    pub memory_mib: u64,
}

/// Engine choices that were measured rather than assumed (see `engine/benches/reminder_sweep.rs`);
/// the defaults are the ones that paid.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct RuntimeOptions {
    /// Keep wasmtime's machinery for concurrent (async) component calls. Docket's calls are
    /// synchronous, and without it each call is cheaper.
    pub concurrency_support: bool,
    /// Use the pooling instance allocator instead of allocating each instance on demand.
    pub pooling: bool,
}

/// How a component was loaded: compiled, or from the cache of compiled components, and how
/// long it took. A Python component compiles in seconds and loads from the cache in
/// milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct LoadTime {
    pub from_cache: bool,
    pub ms: f64,
}

impl std::fmt::Display for LoadTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if self.from_cache {
            "loaded from the cache"
        } else {
            "compiled"
        };
        if self.ms >= 1000.0 {
            write!(f, "{how} in {:.1} s", self.ms / 1e3)
        } else {
            write!(f, "{how} in {:.0} ms", self.ms)
        }
    }
}

/// The state of one call's store.
pub(crate) struct CallState {
    limits: Limits,
    wasi: WasiCtx,
    table: ResourceTable,
    /// The end of what the current call wrote to stderr, read when it fails.
    stderr: StderrTail,
    pub(crate) limiter: CallLimiter,
    pub(crate) hook: Option<HookCtx>,
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// Caps memory and tables, remembering whether the memory cap was hit so the error says so.
/// The memory cap is on the sum of the store's linear memories: a component holds several
/// (its own, the WASI adapter's), and each must not get the whole budget.
pub(crate) struct CallLimiter {
    max_memory: usize,
    used_memory: usize,
    pub(crate) memory_hit: bool,
}

impl ResourceLimiter for CallLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = (self.used_memory - current.min(self.used_memory)).saturating_add(desired);
        if total > self.max_memory {
            self.memory_hit = true;
            return Ok(false);
        }
        self.used_memory = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}

/// A clock stuck at zero: plugins get time only as values the host passes.
struct NoClock;

impl wasmtime_wasi::HostWallClock for NoClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl wasmtime_wasi::HostMonotonicClock for NoClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// The engine, its epoch ticker and the on-disk cache.
pub(crate) struct Runtime {
    pub engine: Engine,
    cache_dir: Option<PathBuf>,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Runtime {
    /// `ceiling` is the most any plugin may be granted; the pooling allocator reserves it.
    pub fn new(
        ceiling: Limits,
        cache_dir: Option<PathBuf>,
        options: RuntimeOptions,
    ) -> Result<Runtime, PluginError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        // Epoch checks are what stops a looping plugin; in the sweep benchmark they cost about
        // 2.5 ns of a task's 37 (measured with them off). The rest stays at wasmtime's defaults,
        // also measured: Cranelift's `Speed` (`SpeedAndSize` is no faster) and signal-based
        // traps with the 4 GiB reservation, which leave bounds checks to guard pages (explicit
        // checks cost 4 to 5 ns a task).
        config.epoch_interruption(true);
        config.concurrency_support(options.concurrency_support);
        if options.pooling {
            let mut pool = wasmtime::PoolingAllocationConfig::default();
            pool.total_component_instances(64)
                .total_core_instances(512)
                .total_memories(128)
                .total_tables(256)
                .max_memory_size((ceiling.memory_mib as usize).saturating_mul(1 << 20));
            config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        }
        config.max_wasm_stack(512 * 1024);
        // Traps are reported by kind and plugin name; backtraces would only make them
        // multi-line and slower to raise.
        config.wasm_backtrace_max_frames(None);
        let engine = Engine::new(&config).map_err(|e| PluginError::Runtime(one_line(e)))?;
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let engine = engine.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("docket-plugin-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(TICK);
                        engine.increment_epoch();
                    }
                })
                .map_err(|e| PluginError::Runtime(format!("cannot start the epoch thread: {e}")))?
        };
        Ok(Runtime {
            engine,
            cache_dir,
            stop,
            ticker: Some(ticker),
        })
    }

    /// A fresh store for one call (or one sweep session), with every limit set.
    pub fn store(&self, limits: Limits, hook: Option<HookCtx>) -> Store<CallState> {
        let stderr = StderrTail::default();
        let wasi = WasiCtx::builder()
            .stderr(stderr.clone())
            .wall_clock(NoClock)
            .monotonic_clock(NoClock)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let state = CallState {
            limits,
            wasi,
            table: ResourceTable::new(),
            stderr,
            limiter: CallLimiter {
                max_memory: (limits.memory_mib as usize).saturating_mul(1 << 20),
                used_memory: 0,
                memory_hit: false,
            },
            hook,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        self.arm(&mut store);
        store
    }

    /// Restarts the call budget and forgets what earlier calls wrote to stderr; done before
    /// every call into the guest.
    pub fn arm(&self, store: &mut Store<CallState>) {
        store.data().stderr.clear();
        let ticks = store
            .data()
            .limits
            .timeout_ms
            .div_ceil(TICK.as_millis() as u64)
            .max(1);
        store.set_epoch_deadline(ticks);
    }

    /// Turns a failed call into a `PluginError` that says which limit was hit, or, for a panic
    /// the Rust SDK reported on stderr, where the plugin's code failed; and logs it.
    pub fn call_error(
        &self,
        plugin: &str,
        store: &Store<CallState>,
        error: wasmtime::Error,
    ) -> PluginError {
        let limits = store.data().limits;
        let stderr = &store.data().stderr;
        let trap = |reason: String| PluginError::Trap {
            plugin: plugin.to_string(),
            // The last thing it wrote often says what went wrong (a traceback's last line).
            reason: match stderr.last_line() {
                Some(line) => format!("{reason}; it wrote: {line}"),
                None => reason,
            },
        };
        let err = if store.data().limiter.memory_hit {
            PluginError::MemoryLimit {
                plugin: plugin.to_string(),
                mib: limits.memory_mib,
            }
        } else if let Some(failure) = stderr.panic() {
            PluginError::Failed {
                plugin: plugin.to_string(),
                failure,
            }
        } else if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
            PluginError::Exited {
                plugin: plugin.to_string(),
                status: exit.0,
            }
        } else {
            match error.downcast_ref::<Trap>() {
                Some(Trap::Interrupt) => PluginError::Timeout {
                    plugin: plugin.to_string(),
                    ms: limits.timeout_ms,
                },
                Some(Trap::StackOverflow) => trap("call stack exhausted: runaway recursion".into()),
                // Rust guests keep their stack in linear memory, so runaway recursion usually
                // ends here rather than in a stack overflow.
                Some(Trap::MemoryOutOfBounds) => {
                    trap("out-of-bounds memory access: runaway recursion or a bad pointer".into())
                }
                Some(Trap::UnreachableCodeReached) => {
                    trap("it panicked (wasm `unreachable` executed)".into())
                }
                _ => trap(one_line(&error)),
            }
        };
        let kind = match &err {
            PluginError::Timeout { .. } => "timeout",
            PluginError::MemoryLimit { .. } => "memory",
            PluginError::Failed { .. } => "failed",
            PluginError::Exited { .. } => "exited",
            _ => "trap",
        };
        metrics::counter!("docket_plugin_failures_total", "plugin" => plugin.to_string(), "kind" => kind)
            .increment(1);
        tracing::warn!(plugin, error = %err, "plugin call failed");
        err
    }

    /// Compiles `bytes`, or loads the artifact this runtime compiled from the same bytes before.
    /// The cache key is the bytes' SHA-256 and the engine's compatibility hash; an artifact
    /// starts with the SHA-256 of the rest, so a damaged or foreign file is recompiled, never
    /// loaded.
    pub fn compile(&self, path: &Path, bytes: &[u8]) -> Result<Component, PluginError> {
        self.compile_timed(path, bytes, &BuildTarget::default())
            .map(|(component, _)| component)
    }

    /// [`Runtime::compile`], also telling how the component was loaded and how long it took. A
    /// refusal's build command names `target` where it is known.
    pub fn compile_timed(
        &self,
        path: &Path,
        bytes: &[u8],
        target: &BuildTarget,
    ) -> Result<(Component, LoadTime), PluginError> {
        let started = std::time::Instant::now();
        let took = |from_cache| LoadTime {
            from_cache,
            ms: started.elapsed().as_secs_f64() * 1e3,
        };
        check_binary(path, bytes, target)?;
        let cached = self
            .cache_dir
            .as_ref()
            .map(|dir| dir.join(self.cache_name(bytes)));
        if let Some(file) = &cached
            && let Some(component) = self.load_cached(file)
        {
            return Ok((component, took(true)));
        }
        let compile_error = |e: wasmtime::Error| PluginError::Compile {
            path: path.to_path_buf(),
            reason: one_line(e),
            build: Language::build_hint(Language::of_file(path, bytes), target),
        };
        let artifact = self
            .engine
            .precompile_component(bytes)
            .map_err(compile_error)?;
        // SAFETY: the artifact was produced just now by this very engine.
        let component =
            unsafe { Component::deserialize(&self.engine, &artifact) }.map_err(compile_error)?;
        if let Some(file) = &cached
            && let Err(e) = store_cached(file, &artifact)
        {
            tracing::warn!(file = %file.display(), error = %e, "cannot cache a compiled plugin; it will be compiled again at the next start");
        }
        Ok((component, took(false)))
    }

    fn cache_name(&self, bytes: &[u8]) -> String {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.engine
            .precompile_compatibility_hash()
            .hash(&mut hasher);
        WASMTIME_LINE.hash(&mut hasher);
        format!(
            "{}-{:016x}.cwasm",
            crate::text::hex(&Sha256::digest(bytes)),
            hasher.finish()
        )
    }

    fn load_cached(&self, file: &Path) -> Option<Component> {
        let data = std::fs::read(file).ok()?;
        let (digest, artifact) = data.split_at_checked(32)?;
        if Sha256::digest(artifact).as_slice() != digest {
            tracing::warn!(file = %file.display(), "damaged compiled plugin in the cache; compiling again");
            return None;
        }
        // SAFETY: only this cache folder is read, the file name commits to the source bytes
        // and the engine configuration, and the checksum proves the artifact is the one Docket
        // wrote; wasmtime also checks its own version and configuration header.
        unsafe { Component::deserialize(&self.engine, artifact) }.ok()
    }
}

/// Refuses what is not a WebAssembly binary (wasmtime would otherwise try it as WAT text and
/// report a parse error at line 1), a core module (a component is what the host runs) and
/// precompiled artifacts, which are never loaded from outside the cache.
pub(crate) fn check_binary(
    path: &Path,
    bytes: &[u8],
    target: &BuildTarget,
) -> Result<(), PluginError> {
    if Engine::detect_precompiled(bytes).is_some() {
        return Err(PluginError::Precompiled {
            path: path.to_path_buf(),
        });
    }
    let refuse = |reason: &str| PluginError::Compile {
        path: path.to_path_buf(),
        reason: reason.into(),
        build: Language::build_hint(Language::of_file(path, bytes), target),
    };
    if !bytes.starts_with(b"\0asm") {
        return Err(refuse(
            "the file does not start with the WebAssembly magic bytes",
        ));
    }
    // The version field after the magic: 1 for a core module, 0x0d and a layer of 1 for a
    // component.
    if bytes.get(4..8) == Some(&[1, 0, 0, 0]) {
        return Err(refuse(
            "it is a core WebAssembly module: the wasm32-unknown-unknown and wasm32-wasip1 targets build those, and wasm32-wasip2 builds components",
        ));
    }
    Ok(())
}

/// The user's own cache folder for compiled plugins, for the plugin tools run without a data
/// folder: `$XDG_CACHE_HOME/docket/plugin-cache`, else `~/Library/Caches/docket/plugin-cache`
/// on macOS, `%LOCALAPPDATA%\docket\plugin-cache` on Windows and `~/.cache/docket/plugin-cache`
/// elsewhere; `None` when the environment names no home.
pub fn user_cache_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if let Some(xdg) = var("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        xdg
    } else if cfg!(windows) {
        var("LOCALAPPDATA")?
    } else if cfg!(target_os = "macos") {
        var("HOME")?.join("Library").join("Caches")
    } else {
        var("HOME")?.join(".cache")
    };
    Some(base.join("docket").join("plugin-cache"))
}

/// The wasmtime release line the cache was written with: artifacts never cross releases.
const WASMTIME_LINE: &str = "wasmtime-48";

fn store_cached(file: &Path, artifact: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        crate::owner_only::create_dir_all(dir)?;
    }
    let mut data = Vec::with_capacity(artifact.len() + 32);
    data.extend_from_slice(&Sha256::digest(artifact));
    data.extend_from_slice(artifact);
    // Write then rename, so a crash mid-write never leaves a truncated artifact under the name.
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    crate::owner_only::write(&tmp, &data)?;
    std::fs::rename(&tmp, file)
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}
