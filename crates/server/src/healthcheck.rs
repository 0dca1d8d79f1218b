//! `localsecrets healthcheck`: asks a running server whether it is healthy, for container
//! health checks in images without curl. It reads the same `--host`/`--port` settings (and
//! `LOCALSECRETS_HOST`/`LOCALSECRETS_PORT`) as the server, so inside the container it probes
//! exactly what the server listens on; an unspecified address (`0.0.0.0`, `::`) is probed on
//! loopback. Exit code 0 when `GET /_localsecrets/health` answers 200 with `"status":"ok"`,
//! 1 otherwise, with the reason on stderr.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

/// How long each of connecting, sending and reading may take.
pub const TIMEOUT: Duration = Duration::from_secs(3);

/// The largest health answer read (it is a few hundred bytes).
const MAX_ANSWER: u64 = 64 * 1024;

pub fn run(host: &str, port: u16) -> ExitCode {
    match probe(host, port) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("localsecrets healthcheck: {reason}");
            ExitCode::FAILURE
        }
    }
}

/// The addresses to try for a listening address.
fn targets(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) if ip.is_unspecified() => {
            Ok(vec![SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port)])
        }
        Ok(IpAddr::V6(ip)) if ip.is_unspecified() => Ok(vec![
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port),
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port),
        ]),
        Ok(ip) => Ok(vec![SocketAddr::new(ip, port)]),
        Err(_) => (host, port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .map_err(|e| format!("cannot resolve {host}: {e}")),
    }
}

/// Ok when the server's health endpoint answers ok.
pub fn probe(host: &str, port: u16) -> Result<(), String> {
    let mut last = format!("no address for {host}");
    for addr in targets(host, port)? {
        match ask(addr) {
            Ok(()) => return Ok(()),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn ask(addr: SocketAddr) -> Result<(), String> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let _ = stream.set_read_timeout(Some(TIMEOUT));
    let _ = stream.set_write_timeout(Some(TIMEOUT));
    let request = format!(
        "GET /_localsecrets/health HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    let mut answer = Vec::new();
    stream
        .take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .map_err(|e| format!("no answer from {addr}: {e}"))?;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{addr} did not answer HTTP"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("{addr} did not answer HTTP"))?;
    if status != 200 {
        return Err(format!("{addr} answered {status}"));
    }
    let ok = serde_json::from_str::<serde_json::Value>(body.trim())
        .ok()
        .is_some_and(|v| v["status"] == "ok");
    if ok {
        Ok(())
    } else {
        Err(format!("{addr} answered 200 without \"status\":\"ok\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn serve_once(answer: &'static str) -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = l.accept() {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf);
                let _ = s.write_all(answer.as_bytes());
            }
        });
        port
    }

    #[test]
    fn unspecified_addresses_are_probed_on_loopback() {
        assert_eq!(
            targets("0.0.0.0", 4566).unwrap(),
            vec!["127.0.0.1:4566".parse().unwrap()]
        );
        assert_eq!(targets("::", 1).unwrap()[0], "[::1]:1".parse().unwrap());
        assert_eq!(
            targets("10.1.2.3", 7).unwrap(),
            vec!["10.1.2.3:7".parse().unwrap()]
        );
    }

    #[test]
    fn judges_the_answer() {
        let ok = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"status\":\"ok\"}";
        assert_eq!(probe("127.0.0.1", serve_once(ok)), Ok(()));
        let down = "HTTP/1.1 503 Service Unavailable\r\n\r\n{}";
        let e = probe("127.0.0.1", serve_once(down)).unwrap_err();
        assert!(e.contains("503"), "{e}");
        let odd = "HTTP/1.1 200 OK\r\n\r\n{\"status\":\"starting\"}";
        assert!(probe("0.0.0.0", serve_once(odd)).is_err());
        let garbage = "hello";
        assert!(probe("127.0.0.1", serve_once(garbage)).is_err());
        // Nothing listens on a port just released.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = probe("127.0.0.1", port).unwrap_err();
        assert!(e.contains("cannot connect"), "{e}");
    }
}
