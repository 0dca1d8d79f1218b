//! The request journal: the last N cloud API calls (admin calls are not recorded) in a ring
//! buffer, each with its time, cloud, tenant, region, operation, secret name, HTTP status,
//! error code and duration — never a secret value: what a frontend's `describe` reports is
//! names only, and neither body is kept. With `--log-requests` each entry is also printed to
//! stdout as one JSON line.

use localsecrets_api::{Frontend, Request, RequestInfo, Response};
use localsecrets_core::{Cloud, Timestamp};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::Write;
use std::time::Duration;

/// The journal's size when none is configured.
pub const DEFAULT_SIZE: usize = 1000;

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Increases by one per recorded call, also across evictions and clears.
    pub seq: u64,
    /// The model's clock (the one `CreatedDate` and friends are in).
    pub time: Timestamp,
    pub cloud: Cloud,
    pub tenant: Option<String>,
    pub region: Option<String>,
    pub operation: Option<String>,
    pub secret: Option<String>,
    pub status: u16,
    pub error_code: Option<String>,
    pub duration: Duration,
    pub request_id: String,
}

impl Entry {
    pub fn to_json(&self) -> Value {
        json!({
            "seq": self.seq,
            "time": self.time.to_rfc3339(),
            "cloud": self.cloud.as_str(),
            "tenant": self.tenant,
            "region": self.region,
            "operation": self.operation,
            "secret": self.secret,
            "status": self.status,
            "error_code": self.error_code,
            "duration_ms": (self.duration.as_secs_f64() * 1e6).round() / 1e3,
            "request_id": self.request_id,
        })
    }
}

#[derive(Default)]
struct Ring {
    entries: VecDeque<Entry>,
    next_seq: u64,
    /// Entries pushed out by newer ones since the last clear.
    evicted: u64,
}

pub struct Journal {
    capacity: usize,
    log: bool,
    ring: Mutex<Ring>,
}

/// Which entries a query wants; every given field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub cloud: Option<Cloud>,
    pub operation: Option<String>,
    pub secret: Option<String>,
    pub tenant: Option<String>,
    pub region: Option<String>,
    pub status: Option<StatusFilter>,
    pub since: Option<Timestamp>,
}

/// `404` or a class such as `4xx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    Exact(u16),
    Class(u16),
}

impl StatusFilter {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Some(c) = s
            .strip_suffix("xx")
            .or_else(|| s.strip_suffix("XX"))
            .and_then(|d| d.parse::<u16>().ok())
            .filter(|d| (1..=5).contains(d))
        {
            return Some(Self::Class(c));
        }
        s.parse::<u16>()
            .ok()
            .filter(|n| (100..=599).contains(n))
            .map(Self::Exact)
    }

    fn matches(self, status: u16) -> bool {
        match self {
            Self::Exact(n) => n == status,
            Self::Class(c) => status / 100 == c,
        }
    }
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        let eq = |want: &Option<String>, got: &Option<String>| {
            want.as_ref().is_none_or(|w| got.as_deref() == Some(w))
        };
        self.cloud.is_none_or(|c| c == e.cloud)
            && self.operation.as_ref().is_none_or(|w| {
                e.operation
                    .as_deref()
                    .is_some_and(|o| o.eq_ignore_ascii_case(w))
            })
            && eq(&self.secret, &e.secret)
            && eq(&self.tenant, &e.tenant)
            && eq(&self.region, &e.region)
            && self.status.is_none_or(|s| s.matches(e.status))
            && self.since.is_none_or(|t| e.time >= t)
    }
}

impl Journal {
    /// A journal keeping the last `capacity` calls (0 keeps none); `log` prints each call.
    pub fn new(capacity: usize, log: bool) -> Self {
        Self {
            capacity,
            log,
            ring: Mutex::new(Ring::default()),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether anything wants to hear about calls.
    pub fn is_active(&self) -> bool {
        self.capacity > 0 || self.log
    }

    /// Records one answered call. Only names and the outcome are taken from the request and
    /// the response.
    pub fn note(
        &self,
        frontend: &dyn Frontend,
        req: &Request,
        resp: &Response,
        time: Timestamp,
        duration: Duration,
    ) {
        if !self.is_active() {
            return;
        }
        self.record(
            frontend.cloud(),
            frontend.describe(req),
            req,
            resp,
            time,
            duration,
        );
    }

    /// [`Journal::note`] for a call whose frontend already said what it was about.
    pub fn record(
        &self,
        cloud: Cloud,
        info: RequestInfo,
        req: &Request,
        resp: &Response,
        time: Timestamp,
        duration: Duration,
    ) {
        if !self.is_active() {
            return;
        }
        let mut entry = Entry {
            seq: 0,
            time,
            cloud,
            tenant: info.tenant,
            region: info.region,
            operation: info.operation,
            secret: info.secret,
            status: resp.status,
            error_code: resp.error_code.clone(),
            duration,
            request_id: req.request_id.clone(),
        };
        // The entry moves into the ring (its log line, when asked for, is made first); the one
        // it pushes out is dropped after the lock is released.
        let (line, evicted) = {
            let mut ring = self.ring.lock();
            ring.next_seq += 1;
            entry.seq = ring.next_seq;
            let line = self.log.then(|| entry.to_json().to_string());
            let mut evicted = None;
            if self.capacity > 0 {
                if ring.entries.len() == self.capacity {
                    evicted = ring.entries.pop_front();
                    ring.evicted += 1;
                }
                ring.entries.push_back(entry);
            }
            (line, evicted)
        };
        drop(evicted);
        if let Some(line) = line {
            let mut out = std::io::stdout().lock();
            // A closed stdout must not take the server down.
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }

    /// The matching entries, oldest first.
    pub fn query(&self, filter: &Filter) -> Vec<Entry> {
        let ring = self.ring.lock();
        ring.entries
            .iter()
            .filter(|e| filter.matches(e))
            .cloned()
            .collect()
    }

    /// Entries pushed out by newer ones since the last clear.
    pub fn evicted(&self) -> u64 {
        self.ring.lock().evicted
    }

    /// Forgets every entry; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut ring = self.ring.lock();
        let n = ring.entries.len();
        ring.entries.clear();
        ring.evicted = 0;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;

    impl Frontend for Fake {
        fn cloud(&self) -> Cloud {
            Cloud::Alibaba
        }
        fn claims(&self, _: &Request) -> bool {
            true
        }
        fn handle(&self, _: &Request) -> Response {
            Response::new(200)
        }
        fn operation(&self, req: &Request) -> Option<String> {
            req.header("op").map(str::to_owned)
        }
        fn describe(&self, req: &Request) -> localsecrets_api::RequestInfo {
            localsecrets_api::RequestInfo {
                operation: self.operation(req),
                tenant: Some("t".into()),
                region: Some("r".into()),
                secret: req.header("secret").map(str::to_owned),
            }
        }
    }

    fn call(j: &Journal, op: &str, secret: &str, status: u16, at: i64) {
        let req = Request::new("POST", "/")
            .with_header("op", op)
            .with_header("secret", secret)
            .with_body("SecretData=hunter2");
        let mut resp = Response::new(status).body("hunter2");
        if status >= 400 {
            resp.error_code = Some("Forbidden.ResourceNotFound".into());
        }
        j.note(
            &Fake,
            &req,
            &resp,
            Timestamp::from_secs(at),
            Duration::from_micros(1500),
        );
    }

    #[test]
    fn keeps_the_last_n_and_filters() {
        let j = Journal::new(3, false);
        call(&j, "GetSecretValue", "a", 200, 10);
        call(&j, "GetSecretValue", "b", 404, 20);
        call(&j, "PutSecretValue", "a", 200, 30);
        call(&j, "GetSecretValue", "a", 200, 40);
        let all = j.query(&Filter::default());
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(j.evicted(), 1);
        let count = |f: Filter| j.query(&f).len();
        assert_eq!(
            count(Filter {
                operation: Some("getsecretvalue".into()),
                ..Default::default()
            }),
            2
        );
        assert_eq!(
            count(Filter {
                secret: Some("a".into()),
                operation: Some("GetSecretValue".into()),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            count(Filter {
                status: StatusFilter::parse("4xx"),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            count(Filter {
                status: StatusFilter::parse("200"),
                since: Some(Timestamp::from_secs(35)),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            count(Filter {
                cloud: Some(Cloud::Aws),
                ..Default::default()
            }),
            0
        );
        let e = &j.query(&Filter {
            status: Some(StatusFilter::Exact(404)),
            ..Default::default()
        })[0];
        let v = e.to_json();
        assert_eq!(v["error_code"], "Forbidden.ResourceNotFound");
        assert_eq!(v["duration_ms"], 1.5);
        assert_eq!(v["cloud"], "alibaba");
        assert!(!v.to_string().contains("hunter2"));
        assert_eq!(j.clear(), 3);
        assert!(j.query(&Filter::default()).is_empty());
        call(&j, "X", "a", 200, 50);
        assert_eq!(j.query(&Filter::default())[0].seq, 5);
    }

    #[test]
    fn size_zero_keeps_nothing() {
        let j = Journal::new(0, false);
        assert!(!j.is_active());
        call(&j, "GetSecretValue", "a", 200, 10);
        assert!(j.query(&Filter::default()).is_empty());
    }

    #[test]
    fn status_filters() {
        assert_eq!(StatusFilter::parse("4xx"), Some(StatusFilter::Class(4)));
        assert_eq!(StatusFilter::parse("200"), Some(StatusFilter::Exact(200)));
        for bad in ["", "6xx", "99", "abc", "2x"] {
            assert_eq!(StatusFilter::parse(bad), None, "{bad}");
        }
    }
}
