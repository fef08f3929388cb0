//! The injected clock and nonce source, and the `x-acs-date` format.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the signer gets the time for `x-acs-date`.
///
/// Implemented by [`SystemClock`] (the default) and by any
/// `Fn() -> SystemTime + Send + Sync` closure, so tests can fix the date.
///
/// ```
/// use ekyc_preflight::api::{parse_acs_date, Clock};
/// let fixed = parse_acs_date("2024-01-02T03:04:05Z").unwrap();
/// let clock = move || fixed;
/// assert_eq!(clock.now(), fixed);
/// ```
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

impl<F: Fn() -> SystemTime + Send + Sync> Clock for F {
    fn now(&self) -> SystemTime {
        self()
    }
}

/// The system clock ([`SystemTime::now`]); the signer's default.
///
/// ```
/// use ekyc_preflight::api::{Clock, SystemClock};
/// assert!(SystemClock.now() > std::time::UNIX_EPOCH);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Where the signer gets `x-acs-signature-nonce`; the API rejects a nonce it
/// has seen recently, so every request needs a fresh one.
///
/// Implemented by [`RandomNonce`] (the default) and by any
/// `Fn() -> String + Send + Sync` closure.
///
/// ```
/// use ekyc_preflight::api::NonceSource;
/// let fixed = || "00000000000000000000000000000001".to_string();
/// assert_eq!(fixed.nonce(), "00000000000000000000000000000001");
/// ```
pub trait NonceSource: Send + Sync {
    /// A fresh nonce.
    fn nonce(&self) -> String;
}

impl<F: Fn() -> String + Send + Sync> NonceSource for F {
    fn nonce(&self) -> String {
        self()
    }
}

/// 16 random bytes from the operating system (`getrandom`) as 32 lowercase hex
/// digits; the signer's default.
///
/// Should the operating system's generator fail, the nonce falls back to a
/// SHA-256 of the time, the process id and a counter: unique, not secret
/// (a nonce only needs to be unique).
///
/// ```
/// use ekyc_preflight::api::{NonceSource, RandomNonce};
/// let n = RandomNonce.nonce();
/// assert_eq!(n.len(), 32);
/// assert_ne!(n, RandomNonce.nonce());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_ok() {
            return super::encode::hex(&bytes);
        }
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let seed = format!("{t}:{}:{n}", std::process::id());
        super::encode::sha256_hex(seed.as_bytes())[..32].to_string()
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01, proleptic Gregorian.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats `t` as `x-acs-date` wants it: `%Y-%m-%dT%H:%M:%SZ` in UTC.
/// Times before 1970 are written as 1970-01-01T00:00:00Z.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use ekyc_preflight::api::format_acs_date;
/// let t = UNIX_EPOCH + Duration::from_secs(1_704_164_645);
/// assert_eq!(format_acs_date(t), "2024-01-02T03:04:05Z");
/// ```
pub fn format_acs_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (UTC, the `x-acs-date` format); `None` if it
/// is not exactly that or names an impossible date.
///
/// ```
/// use ekyc_preflight::api::{format_acs_date, parse_acs_date};
/// let t = parse_acs_date("2024-02-29T23:59:59Z").unwrap();
/// assert_eq!(format_acs_date(t), "2024-02-29T23:59:59Z");
/// assert!(parse_acs_date("2023-02-29T00:00:00Z").is_none());
/// ```
pub fn parse_acs_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if y < 1970 || !(1..=12).contains(&mo) || d == 0 || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d);
    if civil_from_days(days) != (i64::from(y), mo, d) {
        return None;
    }
    let secs = days as u64 * 86_400 + u64::from(h) * 3600 + u64::from(mi) * 60 + u64::from(se);
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the HTTP-date
/// form of `Retry-After` (RFC 9110 §5.6.7); `None` for anything else.
pub(crate) fn parse_http_date(s: &str) -> Option<SystemTime> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let s = s.trim();
    let (_, rest) = s.split_once(", ")?;
    let mut it = rest.split(' ');
    let (day, month, year, time, zone) =
        (it.next()?, it.next()?, it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || zone != "GMT" || day.len() != 2 || year.len() != 4 || time.len() != 8
    {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mo = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let digits = |t: &str| -> Option<u32> {
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let (d, y) = (digits(day)?, digits(year)?);
    let mut hms = time.split(':');
    let (h, mi, se) = (
        digits(hms.next()?)?,
        digits(hms.next()?)?,
        digits(hms.next()?)?,
    );
    if hms.next().is_some() || y < 1970 || d == 0 || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d);
    if civil_from_days(days) != (i64::from(y), mo, d) {
        return None;
    }
    let secs = days as u64 * 86_400 + u64::from(h) * 3600 + u64::from(mi) * 60 + u64::from(se);
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_over_many_days() {
        for days in (0..200_000i64).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn http_dates() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(format_acs_date(t), "1994-11-06T08:49:37Z");
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT x",
            "Sun, 06 Nov 1994 +8:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
