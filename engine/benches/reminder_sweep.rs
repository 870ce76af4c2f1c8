//! Reminder sweep benchmark: 1,000,000 tasks through the stock WASM reminder policy in
//! batches, the same calendar code (`plugins/reminder-core`) compiled natively, their ratio,
//! and the cost of instantiating a plugin; for each engine choice measured
//! (`concurrency_support`, pooling allocator); then the Python example policy
//! (`examples/plugins/first-weekday`, built with componentize-py) per task, with its cold and
//! warm load times. Run with `cargo bench -p docket-engine --bench reminder_sweep`.

#[path = "../../plugins/reminder-core/src/lib.rs"]
#[allow(dead_code)]
mod reminder_core;

#[path = "../../tests/support/componentize.rs"]
mod componentize;

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use docket_engine::config::PluginsConfig;
use docket_engine::plugin::{
    FirmCalendar, GroupState, NextReminder, Params, PluginHost, RuntimeOptions, TaskState,
};

const TASKS: usize = 1_000_000;
const TASKS_PER_GROUP: usize = 4;
const GROUPS_PER_BATCH: usize = 1_000;

/// Deterministic groups: varied sending instants, due dates, done states and counts.
fn groups() -> Vec<GroupState> {
    let mut seed: u64 = 0x5eed;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let base = Utc.with_ymd_and_hms(2026, 1, 5, 7, 0, 0).unwrap();
    let due0 = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
    (0..TASKS / TASKS_PER_GROUP)
        .map(|_| {
            let sent_at = base + chrono::Duration::minutes(next(60 * 24 * 60) as i64);
            let last_reminder_at =
                (next(3) == 0).then(|| sent_at + chrono::Duration::hours(30 + next(200) as i64));
            let tasks = (0..TASKS_PER_GROUP)
                .map(|_| TaskState {
                    due: due0 + chrono::Duration::days(next(90) as i64),
                    done: next(5) == 0,
                    reminders_sent: next(6) as u8,
                })
                .collect();
            GroupState {
                sent_at,
                last_reminder_at,
                tasks,
            }
        })
        .collect()
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

fn moment(tz: Tz, at: DateTime<Utc>) -> reminder_core::Moment {
    let local = at.with_timezone(&tz);
    reminder_core::Moment {
        day: local.date_naive().num_days_from_ce() - EPOCH_DAYS_FROM_CE,
        minute: (local.hour() * 60 + local.minute()) as u16,
    }
}

/// The native equivalent of `PluginHost::next_reminders`: the same conversions from and to
/// instants in the firm's zone, around the same calendar code.
fn native_batch(
    cal: &FirmCalendar,
    policy: &reminder_core::Policy,
    groups: &[GroupState],
) -> Vec<Option<NextReminder>> {
    let send_time = (cal.send_time.hour() * 60 + cal.send_time.minute()) as u16;
    let mut slices = Vec::with_capacity(groups.len());
    let (mut due, mut done, mut sent) = (Vec::new(), Vec::new(), Vec::new());
    for g in groups {
        slices.push(reminder_core::GroupSlice {
            sent: moment(cal.tz, g.sent_at),
            last_reminder: g.last_reminder_at.map(|at| moment(cal.tz, at)),
            first_task: due.len() as u32,
            task_count: g.tasks.len() as u32,
        });
        for t in &g.tasks {
            due.push(t.due.num_days_from_ce() - EPOCH_DAYS_FROM_CE);
            done.push(t.done);
            sent.push(t.reminders_sent);
        }
    }
    let tasks = reminder_core::Columns::new(&due, &done, &sent).unwrap();
    let (mut decisions, mut covered) = (Vec::new(), Vec::new());
    reminder_core::next_batch(
        policy,
        send_time,
        &slices,
        &tasks,
        &mut decisions,
        &mut covered,
    )
    .unwrap();
    decisions
        .iter()
        .map(|d| {
            let day = d.day?;
            let date = NaiveDate::from_num_days_from_ce_opt(day + EPOCH_DAYS_FROM_CE)?;
            let at = cal
                .tz
                .from_local_datetime(&date.and_time(cal.send_time))
                .earliest()?
                .with_timezone(&Utc);
            let range = d.first_covered as usize..(d.first_covered + d.covered_count) as usize;
            Some(NextReminder {
                at,
                tasks: covered[range].iter().map(|&i| i as usize).collect(),
            })
        })
        .collect()
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = black_box(f());
        best = best.min(start.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

fn ns_per_task(d: Duration) -> f64 {
    d.as_nanos() as f64 / TASKS as f64
}

fn main() {
    let groups = groups();
    let cal = FirmCalendar {
        tz: "Europe/London".parse().unwrap(),
        send_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        holidays: Vec::new(),
    };
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let params = Params::new();
    let policy = reminder_core::Policy::Gentle;

    // The pure calendar code alone, on inputs already in day numbers.
    let send_time = 9 * 60;
    let flat: Vec<_> = groups
        .iter()
        .map(|g| {
            (
                moment(cal.tz, g.sent_at),
                g.last_reminder_at.map(|at| moment(cal.tz, at)),
            )
        })
        .collect();
    let all = groups.iter().flat_map(|g| g.tasks.iter());
    let due: Vec<i32> = all
        .clone()
        .map(|t| t.due.num_days_from_ce() - EPOCH_DAYS_FROM_CE)
        .collect();
    let done: Vec<bool> = all.clone().map(|t| t.done).collect();
    let sent: Vec<u8> = all.map(|t| t.reminders_sent).collect();
    let tasks = reminder_core::Columns::new(&due, &done, &sent).unwrap();
    let slices: Vec<_> = flat
        .iter()
        .enumerate()
        .map(|(i, (sent, last))| reminder_core::GroupSlice {
            sent: *sent,
            last_reminder: *last,
            first_task: (i * TASKS_PER_GROUP) as u32,
            task_count: TASKS_PER_GROUP as u32,
        })
        .collect();
    let (logic, _) = best_of(5, || {
        let (mut d, mut c) = (Vec::new(), Vec::new());
        for (chunk, _) in slices.chunks(GROUPS_PER_BATCH).zip(0..) {
            reminder_core::next_batch(&policy, send_time, chunk, &tasks, &mut d, &mut c).unwrap();
            black_box((&d, &c));
        }
    });
    println!(
        "{TASKS} tasks, {TASKS_PER_GROUP} per group, {GROUPS_PER_BATCH} groups per call, gentle policy"
    );
    println!(
        "native calendar code only        {:>8.1} ns/task",
        ns_per_task(logic)
    );

    let variants = [
        (
            "concurrency_support(false), on-demand",
            RuntimeOptions {
                concurrency_support: false,
                pooling: false,
            },
        ),
        (
            "concurrency_support(true),  on-demand",
            RuntimeOptions {
                concurrency_support: true,
                pooling: false,
            },
        ),
        (
            "concurrency_support(false), pooling  ",
            RuntimeOptions {
                concurrency_support: false,
                pooling: true,
            },
        ),
    ];
    for (label, options) in variants {
        let data = tempfile::tempdir().unwrap();
        // A guest that answers "no reminder" for every group: what crossing the boundary with
        // this batch costs, the policy's work left out.
        let dir = data.path().join("plugins");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(env!("DOCKET_TEST_MISBEHAVE_WASM"), dir.join("empty.wasm")).unwrap();
        std::fs::write(
            dir.join("empty.toml"),
            "name = 'empty'\nversion = '1'\nworld = 'reminder-policy'\n",
        )
        .unwrap();
        let host = match PluginHost::open_with(&PluginsConfig::default(), data.path(), options) {
            Ok((host, _)) => host,
            Err(e) => {
                println!("{label}: cannot start: {e}");
                continue;
            }
        };
        let sweep = |policy: &str| {
            let mut session = host.reminder_session(policy).unwrap();
            groups
                .chunks(GROUPS_PER_BATCH)
                .flat_map(|chunk| session.next_reminders(&cal, &params, now, chunk).unwrap())
                .collect::<Vec<_>>()
        };
        // Native and WASM runs take turns, so a machine busy with other work slows both alike;
        // the best of each is kept.
        let (mut native, mut wasm, mut empty) = (Duration::MAX, Duration::MAX, Duration::MAX);
        for _ in 0..7 {
            let (n, native_out) = best_of(1, || {
                groups
                    .chunks(GROUPS_PER_BATCH)
                    .flat_map(|chunk| native_batch(&cal, &policy, chunk))
                    .collect::<Vec<_>>()
            });
            let (w, wasm_out) = best_of(1, || sweep("gentle"));
            let (e, _) = best_of(1, || sweep("empty"));
            assert_eq!(
                wasm_out, native_out,
                "the WASM policy and the native code disagree"
            );
            native = native.min(n);
            wasm = wasm.min(w);
            empty = empty.min(e);
        }
        let (instantiate, _) = best_of(200, || {
            let mut session = host.reminder_session("gentle").unwrap();
            session.next_reminders(&cal, &params, now, &[]).unwrap();
        });
        // The cost of one synchronous call into a live instance, instantiation excluded.
        let mut session = host.reminder_session("gentle").unwrap();
        let (warm, _) = best_of(2000, || {
            session
                .next_reminder(&cal, &params, now, &groups[0])
                .unwrap()
        });
        let (single, _) = best_of(2000, || {
            host.next_reminder("gentle", &cal, &params, now, &groups[0])
                .unwrap()
        });
        println!("--- {label}");
        println!(
            "  native incl. zone conversions  {:>8.1} ns/task",
            ns_per_task(native)
        );
        println!(
            "  wasm, batched                  {:>8.1} ns/task",
            ns_per_task(wasm)
        );
        println!(
            "  ratio wasm / native (same conversions) {:>5.2}",
            wasm.as_secs_f64() / native.as_secs_f64()
        );
        println!("  where a task's time goes:");
        println!(
            "    calendar code, native          {:>8.1} ns",
            ns_per_task(logic)
        );
        println!(
            "    zone conversions, native       {:>8.1} ns  (the host does the same)",
            ns_per_task(native.saturating_sub(logic))
        );
        println!(
            "    boundary, empty answers        {:>8.1} ns  (host batch in, call, answers out, a guest that decides nothing)",
            ns_per_task(empty)
        );
        println!(
            "    policy and answers in wasm     {:>8.1} ns  (the rest of the wasm run)",
            ns_per_task(wasm.saturating_sub(empty))
        );
        println!(
            "  instantiate + empty call       {:>8.1} µs",
            instantiate.as_secs_f64() * 1e6
        );
        println!(
            "  one group, fresh instance      {:>8.1} µs",
            single.as_secs_f64() * 1e6
        );
        println!(
            "  one group, live instance       {:>8.1} µs",
            warm.as_secs_f64() * 1e6
        );
    }
    python(&groups, &cal, &params, now);
}

/// The Python example policy: how long its component takes to load cold (compiled) and warm
/// (from the cache), and what a task costs through it in batches.
fn python(groups: &[GroupState], cal: &FirmCalendar, params: &Params, now: DateTime<Utc>) {
    const PY_TASKS: usize = 20_000;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out = tempfile::tempdir().unwrap();
    let wasm = out.path().join("first_weekday.wasm");
    if let Err(e) = componentize::build_python_example(&root, tmp, &wasm) {
        println!("python example (first-weekday): not measured: {e}");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("plugins");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&wasm, dir.join("first-weekday.wasm")).unwrap();
    std::fs::copy(
        root.join("examples/plugins/first-weekday/first-weekday.toml"),
        dir.join("first-weekday.toml"),
    )
    .unwrap();
    let load = || {
        let (host, refused) = PluginHost::open(&PluginsConfig::default(), data.path()).unwrap();
        assert!(refused.is_empty(), "{refused:?}");
        let load = host.plugin("first-weekday").unwrap().load.unwrap();
        (host, load)
    };
    let (_, cold) = load();
    let (host, warm) = load();
    let subset = &groups[..PY_TASKS / TASKS_PER_GROUP];
    let (python, out) = best_of(3, || {
        let mut session = host.reminder_session("first-weekday").unwrap();
        subset
            .chunks(GROUPS_PER_BATCH)
            .flat_map(|chunk| session.next_reminders(cal, params, now, chunk).unwrap())
            .collect::<Vec<_>>()
    });
    assert_eq!(out.len(), subset.len());
    println!(
        "--- python example (first-weekday), {} MB component, {PY_TASKS} tasks",
        std::fs::metadata(&wasm).unwrap().len() / 1_000_000
    );
    println!("  load: cold {cold}, warm {warm}");
    println!(
        "  python, batched                {:>8.1} ns/task",
        python.as_nanos() as f64 / PY_TASKS as f64
    );
}
