//! The load generator: `c` keep-alive connections, each with one request in flight, for a
//! fixed time; every latency kept. Plain HTTP/1.1 over `std::net` (one thread per connection,
//! pinned to the load core with the process), so the generator adds no runtime of its own.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Unique numbers for tokens and names across every connection.
static NEXT: AtomicU64 = AtomicU64::new(1);

pub struct Load {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
}

impl Load {
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr, conn: None }
    }

    pub fn id(&self) -> u64 {
        NEXT.fetch_add(1, Ordering::Relaxed)
    }

    fn exchange(&mut self, head: &str, body: &[u8]) -> Result<u16, String> {
        if self.conn.is_none() {
            let s = TcpStream::connect(self.addr).map_err(|e| e.to_string())?;
            let _ = s.set_nodelay(true);
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut().expect("connected above");
        let mut req = head.as_bytes().to_vec();
        req.extend_from_slice(body);
        let sent = conn.get_mut().write_all(&req);
        let read = sent
            .map_err(|e| e.to_string())
            .and_then(|()| read_response(conn));
        if read.is_err() {
            self.conn = None;
        }
        read
    }

    pub fn get_health(&mut self) -> Result<u16, String> {
        let head = format!(
            "GET /_localsecrets/health HTTP/1.1\r\nhost: {}\r\n\r\n",
            self.addr
        );
        let r = self.exchange(&head, b"");
        self.conn = None;
        r.and_then(|s| {
            if s == 200 {
                Ok(s)
            } else {
                Err(format!("status {s}"))
            }
        })
    }

    /// One AWS call; any answer below 500 counts (the load measures the server, not the call).
    pub fn aws(&mut self, op: &str, body: &str) -> Result<(), String> {
        let head = format!(
            "POST / HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-amz-json-1.1\r\n\
             x-amz-target: secretsmanager.{op}\r\nauthorization: AWS4-HMAC-SHA256 \
             Credential=000000000000/20240101/us-east-1/secretsmanager/aws4_request, \
             SignedHeaders=host, Signature=0\r\ncontent-length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        match self.exchange(&head, body.as_bytes())? {
            s if s < 500 => Ok(()),
            s => Err(format!("{op} answered {s}")),
        }
    }
}

fn read_response(conn: &mut BufReader<TcpStream>) -> Result<u16, String> {
    let mut line = String::new();
    conn.read_line(&mut line).map_err(|e| e.to_string())?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {line:?}"))?;
    let mut length = 0usize;
    loop {
        line.clear();
        conn.read_line(&mut line).map_err(|e| e.to_string())?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().map_err(|_| "bad content-length")?;
            }
        }
    }
    let mut body = vec![0u8; length];
    conn.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok(status)
}

/// What one run measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outcome {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Outcome {
    /// The round with the median throughput.
    pub fn median(mut runs: Vec<Outcome>) -> Outcome {
        runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
        runs.get(runs.len() / 2).copied().unwrap_or_default()
    }
}

/// Runs `work` on `c` connections for `duration` after a one-second warm-up.
pub fn drive(
    addr: SocketAddr,
    c: usize,
    duration: Duration,
    work: &(dyn Fn(&mut Load, usize) -> Result<(), String> + Sync),
) -> Result<Outcome, String> {
    let warm = Duration::from_secs(1);
    let results: Vec<Result<Vec<u32>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..c)
            .map(|_| {
                s.spawn(move || {
                    let mut l = Load::new(addr);
                    let start = Instant::now();
                    let mut lat = Vec::new();
                    let mut n = 0usize;
                    while start.elapsed() < warm + duration {
                        let t = Instant::now();
                        work(&mut l, n)?;
                        n += 1;
                        if start.elapsed() > warm {
                            lat.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                        }
                    }
                    Ok(lat)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a load thread panicked".into()))
            })
            .collect()
    });
    let mut all = Vec::new();
    for r in results {
        all.extend(r?);
    }
    all.sort_unstable();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |us| f64::from(*us) / 1000.0)
    };
    Ok(Outcome {
        rps: all.len() as f64 / duration.as_secs_f64(),
        p50_ms: pick(0.5),
        p99_ms: pick(0.99),
    })
}
