//! Part 2: a tick with ten thousand reminders due.

use super::*;

// --- 2. a tick with ten thousand reminders due ------------------------------------------------

/// Creates and sends `DUE_GROUPS` works, settles their emails as sent, and sets the clock to
/// when their first reminders are due.
pub(crate) fn due_firm(host: &Arc<PluginHost>) -> (Firm, Duration, Duration) {
    let firm = Firm::fresh(host);
    let start = Instant::now();
    let ids: Vec<WorkId> = (0..DUE_GROUPS).map(|_| firm.create_work()).collect();
    for id in &ids {
        firm.docket.send_group(*id, 0, Actor::System).unwrap();
    }
    let sending = start.elapsed();
    // The requests went out a week ago: claim and settle them as sent.
    let start = Instant::now();
    let mut settled = 0;
    loop {
        let claimed = firm.docket.claim_due_messages(1_000).unwrap();
        if claimed.is_empty() {
            break;
        }
        settled += claimed.len();
        let outcomes = claimed
            .into_iter()
            .map(|m| {
                (
                    m,
                    Delivery::Sent {
                        subject: "Documents we need".into(),
                    },
                )
            })
            .collect();
        firm.docket.settle_messages(outcomes).unwrap();
    }
    assert_eq!(settled, DUE_GROUPS);
    let settling = start.elapsed();
    firm.clock.set(utc(FIRST_REMINDER));
    assert_eq!(
        firm.docket.next_fire_due().unwrap(),
        Some(utc(FIRST_REMINDER))
    );
    firm.store.stats.take();
    (firm, sending, settling)
}

pub(crate) fn print_split(indent: &str, total: Duration, s: &Snapshot) {
    let store_ns = s.get_ns + s.scan_ns + s.commit_ns + s.each_ns;
    println!(
        "{indent}split: {} gets {:.1} ms, {} scans {:.1} ms, {} commits {:.1} ms, commit_each of {} transactions ({} writes) + 1 flush {:.1} ms, rest (decode, remind, replan incl. WASM, encode) {:.1} ms",
        thousands(s.gets as usize),
        ns_ms(s.get_ns),
        s.scans,
        ns_ms(s.scan_ns),
        s.commits,
        ns_ms(s.commit_ns),
        thousands(s.each_batches as usize),
        thousands(s.each_writes as usize),
        ns_ms(s.each_ns),
        ms(total) - ns_ms(store_ns),
    );
}

pub(crate) fn due_tick(host: &Arc<PluginHost>) {
    let runs = 3;
    let mut last = None;
    let ready = tempfile::tempdir().unwrap();
    for run in 1..=runs {
        let (firm, sending, settling) = due_firm(host);
        if run == runs {
            // Kept for the what-ifs: the folder as it is just before the tick.
            firm.docket.store().flush().unwrap();
            copy_dir(&firm.dir, ready.path());
            firm.store.stats.take();
        }
        let cpu = cpu_seconds("/proc/self/stat");
        let start = Instant::now();
        let report = firm.docket.tick().unwrap();
        let took = start.elapsed();
        let cpu = cpu_seconds("/proc/self/stat") - cpu;
        let stats = firm.store.stats.take();
        assert_eq!(report.reminders, DUE_GROUPS, "{report:?}");
        assert_eq!(report.conflicts, 0);
        println!(
            "tick, {} groups due (gentle), run {run}/{runs}: {:.3} s, {} reminders, process CPU {cpu:.2} s (setup: create_work + send_group x {} {:.1} s, claim + settle the sends as Sent {:.2} s) [goal <= 0.5 s]",
            thousands(DUE_GROUPS),
            took.as_secs_f64(),
            thousands(report.reminders),
            thousands(DUE_GROUPS),
            sending.as_secs_f64(),
            settling.as_secs_f64()
        );
        print_split("  ", took, &stats);
        if run == 1 {
            // The other half of a reminder's cost: the sender composes it (task lists, a fresh
            // link) when it claims it, 64 at a time as the sender loop does.
            let start = Instant::now();
            let mut claimed = 0;
            loop {
                let batch = firm.docket.claim_due_messages(64).unwrap();
                if batch.is_empty() {
                    break;
                }
                assert!(batch.iter().all(|m| m.context.link.contains("/c/")));
                claimed += batch.len();
            }
            assert_eq!(claimed, DUE_GROUPS);
            println!(
                "  then claiming them for delivery, composing each (tasks, sender, fresh link), 64 per claim: {:.3} s ({:.0} per second)",
                start.elapsed().as_secs_f64(),
                claimed as f64 / start.elapsed().as_secs_f64()
            );
        }
        last = Some(firm);
    }
    due_tick_pieces(host, &last.unwrap(), ready.path());
}

/// Pieces of the due tick timed on their own, and what-ifs on copies of a ready folder.
pub(crate) fn due_tick_pieces(host: &Arc<PluginHost>, done: &Firm, ready: &Path) {
    // The plugin's part: one batch of the groups' states as they are after the tick.
    let works: Vec<WorkItem> = done
        .store
        .scan(Tree::Work, b"", None, usize::MAX, false)
        .unwrap()
        .iter()
        .map(|(_, v)| decode(v).unwrap())
        .collect();
    let raw: Vec<Vec<u8>> = works.iter().map(encode).collect();
    let start = Instant::now();
    let decoded: Vec<WorkItem> = raw.iter().map(|v| decode(v).unwrap()).collect();
    let decode_time = start.elapsed();
    let start = Instant::now();
    let encoded: usize = decoded.iter().map(|w| encode(w).len()).sum();
    let encode_time = start.elapsed();
    let firm = done.docket.firm_settings().unwrap();
    let calendar = FirmCalendar {
        tz: firm.timezone,
        send_time: firm.send_time,
        holidays: firm.holidays.clone(),
    };
    let states: Vec<GroupState> = works
        .iter()
        .map(|w| {
            let g = &w.groups[0];
            GroupState {
                sent_at: g.sent_at.unwrap(),
                last_reminder_at: g.last_reminder_at,
                tasks: g
                    .tasks
                    .iter()
                    .map(|t| TaskState {
                        due: t.due_date,
                        done: t.done_at.is_some(),
                        reminders_sent: t.reminders_sent.min(255) as u8,
                    })
                    .collect(),
            }
        })
        .collect();
    let start = Instant::now();
    for _ in 0..4 * DUE_GROUPS {
        std::hint::black_box(done.docket.firm_settings().unwrap());
    }
    let settings_time = start.elapsed();
    let contact = works[0].groups[0].recipient;
    let start = Instant::now();
    for _ in 0..DUE_GROUPS {
        std::hint::black_box(done.docket.contact(contact).unwrap());
    }
    let contact_time = start.elapsed();
    let now = done.docket.now();
    let start = Instant::now();
    let mut session = host.reminder_session("gentle").unwrap();
    let answers = session
        .next_reminders(
            &calendar,
            &works[0].groups[0].reminders.texts(),
            now,
            &states,
        )
        .unwrap();
    let wasm = start.elapsed();
    assert!(answers.iter().all(Option::is_some));
    println!(
        "  pieces on their own: gentle plugin, {} groups in one batch {:.1} ms; decode {} work items {:.1} ms, encode them ({} KB) {:.1} ms",
        thousands(states.len()),
        ms(wasm),
        thousands(raw.len()),
        ms(decode_time),
        encoded / 1024,
        ms(encode_time)
    );
    println!(
        "  reads a reminder repeats: firm_settings() x {} (issue_link, group_email, task_line per task) {:.1} ms, contact() x {} {:.1} ms",
        thousands(4 * DUE_GROUPS),
        ms(settings_time),
        thousands(DUE_GROUPS),
        ms(contact_time)
    );

    // What-ifs: the same tick on copies of the last folder as it was before its tick, as it is
    // and with its transactions grouped.
    for merge in [0, 1, 100, 500, DUE_GROUPS] {
        let temp = tempfile::tempdir().unwrap();
        copy_dir(ready, temp.path());
        let copy = Firm::open(host, temp.path(), utc(FIRST_REMINDER), merge);
        copy.store.stats.take();
        let start = Instant::now();
        let report = copy.docket.tick().unwrap();
        let took = start.elapsed();
        let stats = copy.store.stats.take();
        assert_eq!(report.reminders, DUE_GROUPS, "{report:?}");
        let label = match merge {
            0 => "as is (one transaction per work item)".to_string(),
            1 => "as is again (control)".to_string(),
            n => format!("{} work items per transaction", thousands(n)),
        };
        println!(
            "  what-if on a copy of the last folder before its tick, {label}: tick {:.3} s, commit_each {:.1} ms",
            took.as_secs_f64(),
            ns_ms(stats.each_ns)
        );
        if let Some(detail) = &copy.store.detail {
            let detail = detail.lock().unwrap();
            let total: usize = detail.values().map(|(_, b)| b).sum();
            let trees: Vec<String> = detail
                .iter()
                .map(|((tree, kind), (n, bytes))| {
                    format!(
                        "{tree} {kind} {} ({:.1} MB)",
                        thousands(*n),
                        *bytes as f64 / 1e6
                    )
                })
                .collect();
            println!(
                "    what the tick wrote: {:.1} MB of keys and values: {}",
                total as f64 / 1e6,
                trees.join(", ")
            );
        }
    }
}
