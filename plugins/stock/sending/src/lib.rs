//! Docket's stock sending rule as a WebAssembly component: `days` (e.g. `-7` for a week before
//! the start date, `0` on it, `3` three days after) or `manual` (the default: staff press Send).

use docket_plugin_sdk::sending_rule::docket::plugin::types::{
    Calendar, LocalTime, Param, PluginError,
};
use docket_plugin_sdk::sending_rule::exports::docket::plugin::sending::{Guest, SendRequest};
use docket_plugin_sdk::sending_rule::param_pairs;

struct StockSending;

impl Guest for StockSending {
    fn send_at(
        calendar: Calendar,
        params: Vec<Param>,
        request: SendRequest,
    ) -> Result<Option<LocalTime>, PluginError> {
        let mut offset: Option<i32> = None;
        for (name, value) in param_pairs(&params) {
            match name {
                "days" if value.trim() == "manual" => offset = None,
                "days" => {
                    let days = value
                        .trim()
                        .parse::<i32>()
                        .ok()
                        .filter(|d| d.abs() <= 366)
                        .ok_or_else(|| {
                            PluginError::BadParam(format!(
                                "days: `{value}` is neither manual nor a number of days from -366 to 366"
                            ))
                        })?;
                    offset = Some(days);
                }
                other => {
                    return Err(PluginError::BadParam(format!(
                        "unknown parameter `{other}`: use days"
                    )));
                }
            }
        }
        Ok(offset.map(|days| LocalTime {
            day: request.start + days,
            minute: calendar.send_time,
        }))
    }
}

docket_plugin_sdk::export_sending_rule!(StockSending);
