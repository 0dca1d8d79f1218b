//! Schedule expressions and when they next fall due, in UTC.
//!
//! AWS Secrets Manager takes `rate(N hours|days)` and six-field
//! `cron(Minutes Hours Day-of-month Month Day-of-week Year)`; rotation windows always open on
//! the hour. A rotation runs when its window opens, so the next due time is the window's start:
//! - `rate(N days)`: windows open at midnight, N days after the day of the last rotation;
//! - `rate(N hours)`: N hours after the last rotation, on the hour;
//! - `cron(...)`: the next time the expression names after now (a cron schedule is absolute,
//!   so a window missed while rotation was off is not made up).
//!
//! Cron fields as Secrets Manager documents them: minutes `0` (windows open on the hour;
//! other minute values are read but AWS refuses them), hours 0–23, day-of-month 1–31 with
//! `, - * ? / L W`, month 1–12 or JAN–DEC with `, - * /`, day-of-week 1–7 or SUN–SAT
//! (1 = Sunday) with `, - * ? / L #`, year `*`. Exactly one of day-of-month and day-of-week
//! is `?`. The evaluator is a small one of our own: the AWS dialect (1-based Sunday, `L`,
//! `#`, `W`, no seconds field) is what matters, and it keeps `chrono` out of the model.

use crate::Timestamp;
use std::fmt;
use time::{Date, Month, OffsetDateTime, Time, Weekday};

/// A parsed schedule expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expression {
    /// `rate(N hours)`: every `hours` hours.
    RateHours(i64),
    /// `rate(N days)`: every `days` days.
    RateDays(i64),
    Cron(Cron),
}

/// Why an expression was refused, in words a user can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError(pub String);

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, ScheduleError> {
    Err(ScheduleError(msg.into()))
}

impl Expression {
    pub fn parse(s: &str) -> Result<Self, ScheduleError> {
        let s = s.trim();
        if let Some(inner) = s.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
            return parse_rate(inner);
        }
        if let Some(inner) = s.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
            return Cron::parse(inner).map(Self::Cron);
        }
        err(format!(
            "{s:?} is not a schedule expression: use rate(N hours), rate(N days) or cron(...)"
        ))
    }

    /// The interval of a rate expression, in seconds.
    pub fn rate_secs(&self) -> Option<i64> {
        match self {
            Self::RateHours(h) => Some(h * 3600),
            Self::RateDays(d) => Some(d * 86_400),
            Self::Cron(_) => None,
        }
    }

    /// When the next rotation window opens, given the last rotation (if any) and now.
    pub fn next_after(&self, last: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
        let from = last.unwrap_or(now);
        match self {
            Self::RateHours(h) => Some(floor(from, 3600).plus_secs(h * 3600)),
            Self::RateDays(d) => Some(floor(from, 86_400).plus_secs(d * 86_400)),
            Self::Cron(c) => c.next_after(from.max(now)),
        }
    }
}

/// `t` rounded down to a whole multiple of `unit` seconds since the epoch (UTC hours, days).
fn floor(t: Timestamp, unit: i64) -> Timestamp {
    let s = t.secs();
    Timestamp::from_secs(s - s.rem_euclid(unit))
}

fn parse_rate(inner: &str) -> Result<Expression, ScheduleError> {
    let bad = || {
        ScheduleError(format!(
            "rate({inner}) is not a rate expression: use rate(N hours) or rate(N days) with a positive whole N"
        ))
    };
    let mut parts = inner.split_whitespace();
    let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let n: i64 = n
        .parse()
        .ok()
        .filter(|n| (1..=1_000_000).contains(n))
        .ok_or_else(bad)?;
    match unit {
        "hour" | "hours" => Ok(Expression::RateHours(n)),
        "day" | "days" => Ok(Expression::RateDays(n)),
        _ => Err(bad()),
    }
}

/// Day-of-month rule.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Dom {
    /// `?`: day-of-week decides.
    Unset,
    /// Days 1–31 as bits.
    Days(u64),
    /// `L`: the last day of the month.
    Last,
    /// `NW`: the weekday nearest day N, within the month.
    NearestWeekday(u8),
    /// `LW`: the last weekday of the month.
    LastWeekday,
}

/// Day-of-week rule, days numbered 1 (Sunday) to 7 (Saturday).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Dow {
    Unset,
    Days(u64),
    /// `dL`: the last such day of the month (`L` alone means every Saturday).
    Last(u8),
    /// `d#n`: the n-th such day of the month.
    Nth(u8, u8),
}

/// A six-field AWS cron expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u64,
    dom: Dom,
    months: u64,
    dow: Dow,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// How far ahead a match is looked for: long enough for the rarest valid schedule (a leap
/// day that must also be a given weekday recurs within 28 years, or 40 across 2100).
const SEARCH_DAYS: i64 = 366 * 41;

/// One field's value: a number or (for months and days of the week) a name.
fn value(s: &str, lo: u8, hi: u8, names: &[&str], field: &str) -> Result<u8, ScheduleError> {
    let upper = s.to_ascii_uppercase();
    if let Some(i) = names.iter().position(|n| *n == upper) {
        return Ok(lo + i as u8);
    }
    match s.parse::<u8>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => err(format!(
            "{field} value {s:?} is out of range: use {lo}-{hi}{}",
            if names.is_empty() {
                String::new()
            } else {
                format!(" or {}-{}", names[0], names[names.len() - 1])
            }
        )),
    }
}

/// A list of values, ranges and steps (`*`, `a`, `a-b`, `*/s`, `a/s`, `a-b/s`) as bits.
fn set(s: &str, lo: u8, hi: u8, names: &[&str], field: &str) -> Result<u64, ScheduleError> {
    let mut bits = 0u64;
    for item in s.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, st)) => {
                let step: u8 = st.parse().ok().filter(|s| *s >= 1).ok_or_else(|| {
                    ScheduleError(format!("{field} step {st:?} is not a positive number"))
                })?;
                (r, step)
            }
            None => (item, 1),
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                value(a, lo, hi, names, field)?,
                value(b, lo, hi, names, field)?,
            )
        } else {
            let a = value(range, lo, hi, names, field)?;
            // `a/s` runs from a to the end of the range.
            (a, if item.contains('/') { hi } else { a })
        };
        if a > b {
            return err(format!("{field} range {range:?} runs backwards"));
        }
        let mut v = a;
        while v <= b {
            bits |= 1 << v;
            v = match v.checked_add(step) {
                Some(n) => n,
                None => break,
            };
        }
    }
    Ok(bits)
}

fn bit(bits: u64, v: u8) -> bool {
    bits & (1 << v) != 0
}

fn weekday_number(w: Weekday) -> u8 {
    w.number_days_from_sunday() + 1
}

fn days_in_month(d: Date) -> u8 {
    d.month().length(d.year())
}

impl Cron {
    /// Parses the six fields inside `cron(...)`.
    pub fn parse(inner: &str) -> Result<Self, ScheduleError> {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [min, hour, dom, month, dow, year] = fields[..] else {
            return err(format!(
                "cron({inner}) has {} fields; a cron expression has six: Minutes Hours \
                 Day-of-month Month Day-of-week Year",
                fields.len()
            ));
        };
        if year != "*" {
            return err(format!(
                "the year field of a rotation schedule must be *, not {year:?}"
            ));
        }
        let cron = Cron {
            minutes: set(min, 0, 59, &[], "minutes")?,
            hours: set(hour, 0, 23, &[], "hours")?,
            dom: Self::parse_dom(dom)?,
            months: set(month, 1, 12, &MONTHS, "month")?,
            dow: Self::parse_dow(dow)?,
        };
        match (&cron.dom, &cron.dow) {
            (Dom::Unset, Dow::Unset) => {
                return err("day-of-month and day-of-week cannot both be ?")
            }
            (Dom::Unset, _) | (_, Dow::Unset) => {}
            _ => {
                return err("give either day-of-month or day-of-week and ? in the other, not both")
            }
        }
        let probe = Timestamp::from_secs(946_684_800); // 2000-01-01
        if cron.next_after(probe).is_none() {
            return err(format!("cron({inner}) never matches a date"));
        }
        Ok(cron)
    }

    fn parse_dom(s: &str) -> Result<Dom, ScheduleError> {
        Ok(match s {
            "?" => Dom::Unset,
            "L" => Dom::Last,
            "LW" => Dom::LastWeekday,
            _ => match s.strip_suffix('W') {
                Some(n) => Dom::NearestWeekday(value(n, 1, 31, &[], "day-of-month")?),
                None => Dom::Days(set(s, 1, 31, &[], "day-of-month")?),
            },
        })
    }

    fn parse_dow(s: &str) -> Result<Dow, ScheduleError> {
        let day = |d: &str| value(d, 1, 7, &DAYS, "day-of-week");
        if s == "?" {
            return Ok(Dow::Unset);
        }
        if s == "L" {
            return Ok(Dow::Days(1 << 7));
        }
        if let Some((d, n)) = s.split_once('#') {
            let n: u8 = n
                .parse()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| {
                    ScheduleError(format!("day-of-week {s:?}: the week after # must be 1-5"))
                })?;
            return Ok(Dow::Nth(day(d)?, n));
        }
        if let Some(d) = s.strip_suffix('L') {
            return Ok(Dow::Last(day(d)?));
        }
        Ok(Dow::Days(set(s, 1, 7, &DAYS, "day-of-week")?))
    }

    fn day_matches(&self, d: Date) -> bool {
        if !bit(self.months, u8::from(d.month())) {
            return false;
        }
        let day = d.day();
        let last = days_in_month(d);
        let wd = weekday_number(d.weekday());
        let dom = match self.dom {
            Dom::Unset => true,
            Dom::Days(bits) => bit(bits, day),
            Dom::Last => day == last,
            Dom::NearestWeekday(n) => Some(day) == nearest_weekday(d, n),
            Dom::LastWeekday => Some(day) == nearest_weekday(d, last),
        };
        let dow = match self.dow {
            Dow::Unset => true,
            Dow::Days(bits) => bit(bits, wd),
            Dow::Last(w) => wd == w && day + 7 > last,
            Dow::Nth(w, n) => wd == w && (day - 1) / 7 + 1 == n,
        };
        dom && dow
    }

    /// The first time strictly after `from` that the expression names.
    pub fn next_after(&self, from: Timestamp) -> Option<Timestamp> {
        let start = from.to_offset_date_time();
        let mut date = start.date();
        for _ in 0..SEARCH_DAYS {
            if self.day_matches(date) {
                for h in (0..24u8).filter(|h| bit(self.hours, *h)) {
                    for m in (0..60u8).filter(|m| bit(self.minutes, *m)) {
                        let t = Time::from_hms(h, m, 0).ok()?;
                        let at = OffsetDateTime::new_utc(date, t);
                        let ts = Timestamp::from_secs(at.unix_timestamp());
                        if ts > from {
                            return Some(ts);
                        }
                    }
                }
            }
            date = date.next_day()?;
        }
        None
    }
}

/// The weekday (Monday–Friday) nearest day `n` of `d`'s month, not leaving the month; `None`
/// when the month has no day `n`.
fn nearest_weekday(d: Date, n: u8) -> Option<u8> {
    let last = days_in_month(d);
    if n > last {
        return None;
    }
    let target = Date::from_calendar_date(d.year(), d.month(), n).ok()?;
    Some(match target.weekday() {
        Weekday::Saturday if n == 1 => 3,
        Weekday::Saturday => n - 1,
        Weekday::Sunday if n == last => n - 2,
        Weekday::Sunday => n + 1,
        _ => n,
    })
}

/// Month names for messages and tests.
pub fn month_name(m: Month) -> &'static str {
    MONTHS[u8::from(m) as usize - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn next(expr: &str, from: &str) -> String {
        Expression::parse(expr)
            .unwrap()
            .next_after(None, at(from))
            .unwrap()
            .to_iso_seconds()
    }

    /// The first `n` times after `from`.
    fn series(expr: &str, from: &str, n: usize) -> Vec<String> {
        let e = Expression::parse(expr).unwrap();
        let mut t = at(from);
        (0..n)
            .map(|_| {
                t = e.next_after(None, t).unwrap();
                t.to_iso_seconds()
            })
            .collect()
    }

    #[test]
    fn the_first_and_fifteenth_at_four_pm() {
        assert_eq!(
            series("cron(0 16 1,15 * ? *)", "2024-01-20T10:00:00Z", 5),
            [
                "2024-02-01T16:00:00Z",
                "2024-02-15T16:00:00Z",
                "2024-03-01T16:00:00Z",
                "2024-03-15T16:00:00Z",
                "2024-04-01T16:00:00Z",
            ]
        );
        // Strictly after: at the very time it names, the next one is two weeks on.
        assert_eq!(
            next("cron(0 16 1,15 * ? *)", "2024-02-01T16:00:00Z"),
            "2024-02-15T16:00:00Z"
        );
        assert_eq!(
            next("cron(0 16 1,15 * ? *)", "2024-02-01T15:59:59Z"),
            "2024-02-01T16:00:00Z"
        );
    }

    #[test]
    fn cron_field_forms() {
        let cases = [
            // Hour increments reset each day: 4:00 and 16:00.
            (
                "cron(0 4/12 * * ? *)",
                "2024-05-01T17:00:00Z",
                "2024-05-02T04:00:00Z",
            ),
            (
                "cron(0 4/12 * * ? *)",
                "2024-05-01T05:00:00Z",
                "2024-05-01T16:00:00Z",
            ),
            // Last day of the month, in a leap February.
            (
                "cron(0 16 L * ? *)",
                "2024-02-03T00:00:00Z",
                "2024-02-29T16:00:00Z",
            ),
            (
                "cron(0 16 L * ? *)",
                "2023-02-03T00:00:00Z",
                "2023-02-28T16:00:00Z",
            ),
            // First Sunday of the month at midnight; 2024-06-02 is a Sunday.
            (
                "cron(0 0 ? * SUN#1 *)",
                "2024-05-10T00:00:00Z",
                "2024-06-02T00:00:00Z",
            ),
            (
                "cron(0 0 ? * 1#1 *)",
                "2024-05-10T00:00:00Z",
                "2024-06-02T00:00:00Z",
            ),
            // Second Tuesday of Feb, May, Aug, Nov; 2024-05-14 is the second Tuesday of May.
            (
                "cron(0 10 ? FEB,MAY,AUG,NOV TUE#2 *)",
                "2024-03-01T00:00:00Z",
                "2024-05-14T10:00:00Z",
            ),
            // Last Friday of the month: 2024-05-31.
            (
                "cron(0 8 ? * 6L *)",
                "2024-05-01T00:00:00Z",
                "2024-05-31T08:00:00Z",
            ),
            // L alone in day-of-week is Saturday, every one: 2024-05-04.
            (
                "cron(0 8 ? * L *)",
                "2024-05-01T00:00:00Z",
                "2024-05-04T08:00:00Z",
            ),
            // Weekdays only (MON-FRI): from Saturday 2024-05-04 to Monday.
            (
                "cron(0 9 ? * MON-FRI *)",
                "2024-05-04T00:00:00Z",
                "2024-05-06T09:00:00Z",
            ),
            // Every seventh day from the 1st: 1, 8, 15, 22, 29.
            (
                "cron(0 8 1/7 * ? *)",
                "2024-05-16T00:00:00Z",
                "2024-05-22T08:00:00Z",
            ),
            // Ranges of months by name; January 2025 next.
            (
                "cron(0 0 1 JAN-MAR ? *)",
                "2024-04-01T00:00:00Z",
                "2025-01-01T00:00:00Z",
            ),
            // Nearest weekday to the 1st: 2024-06-01 is a Saturday, so Monday the 3rd.
            (
                "cron(0 0 1W * ? *)",
                "2024-05-15T00:00:00Z",
                "2024-06-03T00:00:00Z",
            ),
            // Nearest weekday to the 15th: 2024-06-15 is a Saturday, so Friday the 14th.
            (
                "cron(0 0 15W * ? *)",
                "2024-06-01T00:00:00Z",
                "2024-06-14T00:00:00Z",
            ),
            // Last weekday: 2024-06-30 is a Sunday, so Friday the 28th.
            (
                "cron(0 0 LW * ? *)",
                "2024-06-01T00:00:00Z",
                "2024-06-28T00:00:00Z",
            ),
            // A leap day only: from 2025, the next is 2028.
            (
                "cron(0 0 29 2 ? *)",
                "2025-01-01T00:00:00Z",
                "2028-02-29T00:00:00Z",
            ),
            // Every day at midnight, across a year end.
            (
                "cron(0 0 * * ? *)",
                "2024-12-31T00:00:00Z",
                "2025-01-01T00:00:00Z",
            ),
        ];
        for (expr, from, want) in cases {
            assert_eq!(next(expr, from), want, "{expr} after {from}");
        }
    }

    #[test]
    fn rates_open_their_windows_on_the_hour_and_at_midnight() {
        let days = Expression::parse("rate(10 days)").unwrap();
        assert_eq!(days.rate_secs(), Some(864_000));
        let last = at("2024-03-05T13:45:10Z");
        assert_eq!(
            days.next_after(Some(last), at("2024-03-06T00:00:00Z"))
                .unwrap()
                .to_iso_seconds(),
            "2024-03-15T00:00:00Z"
        );
        let hours = Expression::parse("rate(4 hours)").unwrap();
        assert_eq!(
            hours.next_after(Some(last), last).unwrap().to_iso_seconds(),
            "2024-03-05T17:00:00Z"
        );
        assert_eq!(
            Expression::parse("rate(1 day)").unwrap(),
            Expression::RateDays(1)
        );
        assert_eq!(
            Expression::parse(" rate(1 hour) ").unwrap(),
            Expression::RateHours(1)
        );
    }

    #[test]
    fn cron_ignores_a_last_rotation_in_the_past() {
        let c = Expression::parse("cron(0 16 1,15 * ? *)").unwrap();
        let long_ago = at("2020-01-01T00:00:00Z");
        assert_eq!(
            c.next_after(Some(long_ago), at("2024-02-02T00:00:00Z"))
                .unwrap()
                .to_iso_seconds(),
            "2024-02-15T16:00:00Z"
        );
    }

    #[test]
    fn malformed_expressions_are_refused_with_a_reason() {
        let cases = [
            ("every day", "not a schedule expression"),
            ("rate(0 days)", "positive whole"),
            ("rate(3 weeks)", "rate(N hours)"),
            ("rate(days)", "rate(N hours)"),
            ("cron(0 16 1,15 * ?)", "six"),
            ("cron(0 16 1,15 * ? 2024)", "year"),
            ("cron(0 24 * * ? *)", "hours value"),
            ("cron(0 16 32 * ? *)", "day-of-month value"),
            ("cron(0 16 * 13 ? *)", "month value"),
            ("cron(0 16 * FOO ? *)", "month value"),
            ("cron(0 16 ? * 8 *)", "day-of-week value"),
            ("cron(0 16 ? * ? *)", "both be ?"),
            ("cron(0 16 1 * MON *)", "not both"),
            ("cron(0 16 * * * *)", "not both"),
            ("cron(0 16 ? * MON#6 *)", "1-5"),
            ("cron(0 16 5-1 * ? *)", "backwards"),
            ("cron(0 16 */0 * ? *)", "step"),
            ("cron(0 0 31 2 ? *)", "never matches"),
        ];
        for (expr, needle) in cases {
            let e = Expression::parse(expr).unwrap_err();
            assert!(e.0.contains(needle), "{expr}: {e}");
        }
    }

    #[test]
    fn names_and_numbers_agree() {
        for (i, m) in MONTHS.iter().enumerate() {
            let by_name = Cron::parse(&format!("0 0 1 {m} ? *")).unwrap();
            let by_number = Cron::parse(&format!("0 0 1 {} ? *", i + 1)).unwrap();
            assert_eq!(by_name, by_number);
        }
        assert_eq!(
            Cron::parse("0 0 ? * sun-sat *").unwrap(),
            Cron::parse("0 0 ? * 1-7 *").unwrap()
        );
        assert_eq!(month_name(Month::March), "MAR");
    }
}
