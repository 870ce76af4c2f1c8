//! A firm on the timed sled store with the stock plugins and a manual clock.

use super::*;

// --- a firm --------------------------------------------------------------------------------------

pub(crate) struct Firm {
    pub docket: Docket,
    pub clock: Arc<ManualClock>,
    pub store: Arc<TimedStore>,
    pub dir: PathBuf,
    pub _temp: Option<tempfile::TempDir>,
}

impl Firm {
    /// Opens (creating if needed) the data folder `dir`.
    pub(crate) fn open(
        host: &Arc<PluginHost>,
        dir: &Path,
        now: DateTime<Utc>,
        merge: usize,
    ) -> Firm {
        let store = Arc::new(TimedStore {
            inner: SledStore::create_upgrading(dir, 256 * 1_048_576, &[]).unwrap(),
            stats: Stats::default(),
            merge,
            detail: (merge == 1).then(Default::default),
        });
        let clock = Arc::new(ManualClock::new(now));
        let docket = Docket::open(
            store.clone(),
            clock.clone(),
            &FirmConfig::default(),
            "https://docket.example",
        )
        .unwrap()
        .with_plugins(host.clone());
        Firm {
            docket,
            clock,
            store,
            dir: dir.to_path_buf(),
            _temp: None,
        }
    }

    /// A fresh data folder with the template and one contact.
    pub(crate) fn fresh(host: &Arc<PluginHost>) -> Firm {
        let temp = tempfile::tempdir().unwrap();
        let mut firm = Firm::open(host, temp.path(), utc(START), 0);
        firm._temp = Some(temp);
        firm.docket.import_template(TEMPLATE).unwrap();
        firm.docket
            .create_contact(
                NewContact {
                    name: "Ann Archer".into(),
                    email: "ann@client.example".into(),
                    timezone: None,
                    locale: None,
                },
                Actor::System,
            )
            .unwrap();
        firm
    }

    pub(crate) fn create_work(&self) -> WorkId {
        self.docket
            .create_work(
                NewWork {
                    template: "Year end".into(),
                    start_date: Some("2026-03-02".parse().unwrap()),
                    contacts: vec!["ann@client.example".into()],
                    ..NewWork::default()
                },
                Actor::System,
            )
            .unwrap()
            .id
    }
}
