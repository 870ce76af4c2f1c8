//! Reminder sweep benchmark: 1,000,000 tasks through the stock WASM reminder policy in
//! batches, the same calendar code (`plugins/reminder-core`) compiled natively, their ratio,
//! and the cost of instantiating a plugin; for each engine choice measured
//! (`concurrency_support`, pooling allocator). Run with `cargo bench -p docket-engine`.

#[path = "../../plugins/reminder-core/src/lib.rs"]
#[allow(dead_code)]
mod reminder_core;

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
    let (native, native_out) = best_of(5, || {
        groups
            .chunks(GROUPS_PER_BATCH)
            .flat_map(|chunk| native_batch(&cal, &policy, chunk))
            .collect::<Vec<_>>()
    });
    println!(
        "{TASKS} tasks, {TASKS_PER_GROUP} per group, {GROUPS_PER_BATCH} groups per call, gentle policy"
    );
    println!(
        "native calendar code only        {:>8.1} ns/task",
        ns_per_task(logic)
    );
    println!(
        "native incl. zone conversions    {:>8.1} ns/task",
        ns_per_task(native)
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
        let host = match PluginHost::open_with(&PluginsConfig::default(), data.path(), options) {
            Ok((host, _)) => host,
            Err(e) => {
                println!("{label}: cannot start: {e}");
                continue;
            }
        };
        let (wasm, wasm_out) = best_of(5, || {
            let mut session = host.reminder_session("gentle").unwrap();
            groups
                .chunks(GROUPS_PER_BATCH)
                .flat_map(|chunk| session.next_reminders(&cal, &params, now, chunk).unwrap())
                .collect::<Vec<_>>()
        });
        assert_eq!(
            wasm_out, native_out,
            "the WASM policy and the native code disagree"
        );
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
            "  wasm, batched                  {:>8.1} ns/task",
            ns_per_task(wasm)
        );
        println!(
            "  ratio wasm / native (same conversions) {:>5.2}",
            wasm.as_secs_f64() / native.as_secs_f64()
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
}
