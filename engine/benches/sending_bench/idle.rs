//! Part 1: an idle tick over a million open groups.

use super::*;

// --- 1. an idle tick over a million open groups -----------------------------------------------

pub(crate) fn idle_tick(host: &Arc<PluginHost>) {
    let setup = Instant::now();
    let firm = Firm::fresh(host);
    let id = firm.create_work();
    let sent = firm.docket.send_group(id, 0, Actor::System).unwrap();
    let next = sent.groups[0].next.clone().expect("a reminder is planned");
    assert!(next.at.get() > firm.docket.now());
    let now = firm.docket.now();
    let first_at = now + chrono::Duration::days(1);
    let year_ms = chrono::Duration::days(365).num_milliseconds();
    let clones = OPEN_GROUPS - 1;
    let chunk = 10_000;
    let mut checkpoints = Vec::new();
    let mut measuring = Duration::ZERO;
    let mut made = 0;
    while made < clones {
        let n = chunk.min(clones - made);
        let works: Vec<WorkItem> = (made..made + n)
            .map(|i| {
                let mut w = sent.clone();
                w.id = WorkId::new(now);
                let at =
                    first_at + chrono::Duration::milliseconds(year_ms * i as i64 / clones as i64);
                w.groups[0].next.as_mut().unwrap().at = at.into();
                w
            })
            .collect();
        firm.docket.bulk_insert_work(&works).unwrap();
        made += n;
        let open = made + 1;
        if [10_000, 100_000]
            .iter()
            .any(|&cp| open >= cp && open - n < cp)
        {
            let start = Instant::now();
            let (med, max) = idle_ticks(&firm.docket, 30);
            checkpoints.push((open, med, max));
            measuring += start.elapsed();
        }
    }
    firm.docket.store().flush().unwrap();
    let setup = setup.elapsed() - measuring;
    assert_eq!(firm.store.len(Tree::Schedule).unwrap(), OPEN_GROUPS);
    // One tick to warm up, then a hundred.
    let start = Instant::now();
    firm.docket.tick().unwrap();
    let first = start.elapsed();
    firm.store.stats.take();
    let (med, max) = idle_ticks(&firm.docket, 100);
    let stats = firm.store.stats.take();
    println!(
        "tick, {} open groups, none due: median {:.3} ms, max {:.3} ms over 100 ticks (first tick {:.3} ms; setup {:.1} s) [goal <= 1 ms]",
        thousands(OPEN_GROUPS),
        ms(med),
        ms(max),
        ms(first),
        setup.as_secs_f64()
    );
    for (open, med, max) in checkpoints {
        println!(
            "  same tick at {} open groups: median {:.3} ms, max {:.3} ms (30 ticks)",
            thousands(open),
            ms(med),
            ms(max)
        );
    }
    println!(
        "  per tick: {:.1} store scans taking {:.3} ms (entries returned then dropped, unread past the first), {:.1} gets taking {:.3} ms, {} commits, {} commit_each call(s) with {} transactions",
        stats.scans as f64 / 100.0,
        ns_ms(stats.scan_ns) / 100.0,
        stats.gets as f64 / 100.0,
        ns_ms(stats.get_ns) / 100.0,
        stats.commits / 100,
        stats.each_calls / 100,
        stats.each_batches / 100
    );
    let store = firm.docket.store();
    for limit in [docket_engine::docket::TICK_LIMIT, 1] {
        let times: Vec<Duration> = (0..50)
            .map(|_| {
                let start = Instant::now();
                let got = store.scan(Tree::Schedule, b"", None, limit, false).unwrap();
                let len = got.len();
                drop(got);
                let took = start.elapsed();
                assert_eq!(len, limit);
                took
            })
            .collect();
        println!(
            "  what-if: the schedule scan alone with limit {}, result dropped as the tick does: median {:.3} ms",
            thousands(limit),
            ms(median(times))
        );
    }
    let times: Vec<Duration> = (0..50)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(firm.docket.next_fire_due().unwrap());
            std::hint::black_box(firm.docket.firm_settings().unwrap());
            start.elapsed()
        })
        .collect();
    println!(
        "  what-if: next_fire_due() + firm_settings() (about what a tick bounded by now would read): median {:.3} ms",
        ms(median(times))
    );
}
