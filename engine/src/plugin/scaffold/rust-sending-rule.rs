//! {{name}}: a Docket sending rule. As written it sends a group `days` days before the work's
//! start date (default 7) at the firm's send time, or never automatically with `days = manual`.

use docket_plugin_sdk::sending_rule::docket::plugin::types::{
    Calendar, LocalTime, Param, PluginError,
};
use docket_plugin_sdk::sending_rule::exports::docket::plugin::sending::{Guest, SendRequest};

struct Rule;

impl Guest for Rule {
    fn send_at(
        calendar: Calendar,
        params: Vec<Param>,
        request: SendRequest,
    ) -> Result<Option<LocalTime>, PluginError> {
        let mut days_before = Some(7);
        for p in &params {
            match (p.name.as_str(), p.value.trim()) {
                ("days", "manual") => days_before = None,
                ("days", value) => {
                    let days = value.parse::<i32>().ok().filter(|d| (0..=366).contains(d)).ok_or_else(|| {
                        PluginError::BadParam(format!("days: `{value}` is neither manual nor a number of days from 0 to 366"))
                    })?;
                    days_before = Some(days);
                }
                (other, _) => {
                    return Err(PluginError::BadParam(format!("unknown parameter `{other}`: use days")));
                }
            }
        }
        Ok(days_before.map(|days| LocalTime { day: request.start - days, minute: calendar.send_time }))
    }
}

docket_plugin_sdk::export_sending_rule!(Rule);
