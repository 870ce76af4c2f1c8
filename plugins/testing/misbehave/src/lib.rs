//! A reminder policy for Docket's sandbox tests: the `mode` parameter makes it loop forever
//! (`loop`), grow memory without end (`memory`), recurse without end (`recurse`), index out of
//! bounds (`trap`), panic with a message of its own (`panic`), exit the process (`exit`, with
//! status 3; `exit-0`), or answer "no reminder" (`ok`); `daily-all` breaks the reminder
//! contract slowly: a reminder every day covering every task, done or capped; `empty` answers a
//! reminder covering no task. Never installed; the engine's tests load it directly.

use std::hint::black_box;

use docket_plugin_sdk::reminder_policy::docket::plugin::types::{
    Calendar, LocalTime, Param, PluginError,
};
use docket_plugin_sdk::reminder_policy::exports::docket::plugin::reminder::{
    BatchDecision, GroupColumns, Guest, TaskColumns,
};
use docket_plugin_sdk::reminder_policy::{Group, Reminder, each_group};

struct Misbehave;

fn misbehave(params: &[Param]) -> Result<(), PluginError> {
    let mode = params
        .iter()
        .find(|p| p.name == "mode")
        .map(|p| p.value.as_str())
        .unwrap_or("ok");
    match mode {
        "ok" | "daily-all" | "empty" => Ok(()),
        "exit" => std::process::exit(3),
        "exit-0" => std::process::exit(0),
        "loop" => {
            let mut n: u64 = 0;
            loop {
                n = black_box(n.wrapping_add(1));
            }
        }
        "memory" => loop {
            // Leak a mebibyte at a time without filling it, as a leaking plugin would: memory
            // grows as fast as the allocator asks, so the cap (not the clock) stops it.
            let mut leak = Vec::<u8>::with_capacity(1 << 20);
            leak.push(1);
            std::mem::forget(black_box(leak));
        },
        "recurse" => {
            black_box(recurse(black_box(1)));
            Ok(())
        }
        "panic" => panic!("misbehave was asked to panic (mode = {mode})"),
        "trap" => {
            // An out-of-bounds index: a plain Rust panic, which is a trap under panic=abort.
            let v = black_box(vec![0u8; 2]);
            let i = black_box(7usize);
            black_box(v[i]);
            Ok(())
        }
        other => Err(PluginError::BadParam(format!("unknown mode `{other}`"))),
    }
}

#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 16]);
    recurse(black_box(depth + 1)).wrapping_add(frame[(depth % 16) as usize])
}

/// The `daily-all` answer for one group: the day after its sending or last reminder, covering
/// every task, done or capped.
fn daily_all(calendar: &Calendar, group: Group) -> Option<Reminder> {
    let last = group.last_reminder.map_or(group.sent.day, |l| l.day);
    Some(Reminder {
        at: LocalTime {
            day: last.max(group.sent.day) + 1,
            minute: calendar.send_time,
        },
        tasks: (0..group.tasks.len() as u32).collect(),
    })
}

impl Guest for Misbehave {
    fn next_reminders(
        calendar: Calendar,
        params: Vec<Param>,
        groups: GroupColumns,
        tasks: TaskColumns,
    ) -> Result<BatchDecision, PluginError> {
        misbehave(&params)?;
        let mode = |m: &str| params.iter().any(|p| p.name == "mode" && p.value == m);
        if mode("daily-all") {
            return each_group(&groups, &tasks, |group| Ok(daily_all(&calendar, group)));
        }
        if mode("empty") {
            return each_group(&groups, &tasks, |group| {
                Ok(Some(Reminder {
                    at: LocalTime {
                        day: group.sent.day + 1,
                        minute: calendar.send_time,
                    },
                    tasks: Vec::new(),
                }))
            });
        }
        let none = groups.task_count.len();
        Ok(BatchDecision {
            covered_count: vec![0; none],
            day: vec![0; none],
            minute: vec![0; none],
            covered: Vec::new(),
        })
    }
}

docket_plugin_sdk::export_reminder_policy!(Misbehave);
