//! Process-wide request settings (`Set-MgRequestContext`), with the SDK's defaults and limits.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::json::get_ci;

/// Retry, timeout and concurrency settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestSettings {
    /// Retries of a throttled or unavailable request (SDK default 3, at most 10).
    pub max_retry: u32,
    /// Base delay in seconds when the service gives no Retry-After (SDK default 3, at most 180).
    pub retry_delay: u64,
    /// Cap on the total time spent waiting between retries, in seconds; 0 = none.
    pub retries_time_limit: u64,
    /// Timeout of one HTTP request, in seconds (SDK default 300).
    pub client_timeout: u64,
    /// Pipeline inputs sent at once by default (1 = the SDK's sequential behaviour).
    pub throttle_limit: u32,
}

impl Default for RequestSettings {
    fn default() -> Self {
        RequestSettings {
            max_retry: 3,
            retry_delay: 3,
            retries_time_limit: 0,
            client_timeout: 300,
            throttle_limit: 1,
        }
    }
}

/// Upper bound of `-ThrottleLimit`.
pub const MAX_THROTTLE_LIMIT: u32 = 64;

fn number(params: &Map<String, Value>, name: &str) -> Result<Option<i64>, String> {
    match get_ci(params, name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("-{name} must be a whole number, got {v}.")),
    }
}

fn bounded(name: &str, v: i64, min: i64, max: i64) -> Result<i64, String> {
    if v < min || v > max {
        Err(format!("-{name} must be between {min} and {max}; got {v}."))
    } else {
        Ok(v)
    }
}

impl RequestSettings {
    /// Applies `Set-MgRequestContext` parameters, refusing out-of-range values.
    pub fn apply(&self, params: &Map<String, Value>) -> Result<RequestSettings, String> {
        let mut s = *self;
        if let Some(v) = number(params, "MaxRetry")? {
            s.max_retry = bounded("MaxRetry", v, 0, 10)? as u32;
        }
        if let Some(v) = number(params, "RetryDelay")? {
            s.retry_delay = bounded("RetryDelay", v, 0, 180)? as u64;
        }
        if let Some(v) = number(params, "RetriesTimeLimit")? {
            s.retries_time_limit = bounded("RetriesTimeLimit", v, 0, 86_400)? as u64;
        }
        if let Some(v) = number(params, "ClientTimeout")? {
            s.client_timeout = bounded("ClientTimeout", v, 1, 86_400)? as u64;
        }
        if let Some(v) = number(params, "ThrottleLimit")? {
            s.throttle_limit = bounded("ThrottleLimit", v, 1, MAX_THROTTLE_LIMIT as i64)? as u32;
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_and_limits_match_the_sdk() {
        let d = RequestSettings::default();
        assert_eq!(
            (
                d.max_retry,
                d.retry_delay,
                d.retries_time_limit,
                d.client_timeout
            ),
            (3, 3, 0, 300)
        );
        let p = json!({"MaxRetry": 10, "RetryDelay": 180})
            .as_object()
            .unwrap()
            .clone();
        let s = d.apply(&p).unwrap();
        assert_eq!((s.max_retry, s.retry_delay), (10, 180));
        let p = json!({"MaxRetry": 11}).as_object().unwrap().clone();
        assert!(d.apply(&p).unwrap_err().contains("between 0 and 10"));
        let p = json!({"RetryDelay": "x"}).as_object().unwrap().clone();
        assert!(d.apply(&p).is_err());
    }
}
