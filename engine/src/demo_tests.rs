//! Unit tests of `demo.rs`.

use super::*;
use crate::docket::WorkFilter;
use crate::docket::test_support::docket_at;

#[test]
fn demo_seeds_once_with_work_at_every_stage() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let seed = seed(&docket).unwrap().unwrap();
    assert_eq!(docket.firm_settings().unwrap().name, DEMO_FIRM_NAME);
    assert!(
        docket
            .verify_password(DEMO_ADMIN_EMAIL, &seed.admin_password)
            .unwrap()
            .is_some()
    );
    assert!(
        docket
            .authenticate_api_token(&seed.token_secret)
            .unwrap()
            .is_some()
    );
    assert_eq!(docket.list_templates().unwrap().len(), 2);
    assert_eq!(docket.list_contacts(None, 10).unwrap().len(), 3);
    let work = docket.list_work(&WorkFilter::default(), None, 10).unwrap();
    let mut statuses: Vec<_> = work.iter().map(|w| w.status).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            WorkStatus::Planned,
            WorkStatus::WaitingOnClient,
            WorkStatus::Completed
        ]
    );
    assert!(
        super::seed(&docket).unwrap().is_none(),
        "seeds only an empty folder"
    );
}
