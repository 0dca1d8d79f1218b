//! Who may talk to the server at all, checked before any route answers: the `Host` rule
//! (DNS rebinding) for every request, and for the admin API the `Origin` rule, the optional
//! bearer token and the JSON-only rule for state changes. A web page in the developer's
//! browser can send simple requests to `127.0.0.1:4566`, or rebind its own name there; these
//! rules leave it nothing the admin API would act on.

use localsecrets_api::Request;
use std::net::IpAddr;

/// Special-use domains (RFC 6761, RFC 6762, RFC 8375, ICANN's `.internal`): no public DNS
/// answers for them, so no web page can be served from such a name and then rebind it here.
const SPECIAL_USE_DOMAINS: &[&str] = &[
    "internal",
    "local",
    "test",
    "invalid",
    "example",
    "home.arpa",
];

/// A refused request: its status, the admin API's error code and a message saying what to
/// change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(status: u16, code: &'static str, message: String) -> Self {
        Self {
            status,
            code,
            message,
        }
    }
}

/// An `--allowed-host` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Allowed {
    Any,
    Exact(String),
    /// `.example.com`: the domain and every name under it.
    Domain(String),
}

#[derive(Clone, Debug, Default)]
pub struct Guard {
    /// Bound to a loopback address: only loopback names reach it legitimately.
    loopback: bool,
    allowed: Vec<Allowed>,
    admin_token: Option<String>,
}

impl Guard {
    /// `allowed_hosts` are `--allowed-host` entries: a name (any port), `.domain` for a
    /// domain and its subdomains, or `*` for any Host.
    pub fn new(loopback: bool, allowed_hosts: &[String], admin_token: Option<String>) -> Self {
        let allowed = allowed_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .map(|h| {
                if h == "*" {
                    Allowed::Any
                } else if let Some(d) = h.strip_prefix('.') {
                    Allowed::Domain(d.trim_end_matches('.').to_owned())
                } else {
                    Allowed::Exact(host_name(&h).to_owned())
                }
            })
            .collect();
        Self {
            loopback,
            allowed,
            admin_token: admin_token.filter(|t| !t.is_empty()),
        }
    }

    /// The DNS-rebinding rule, for the admin and the cloud APIs alike.
    pub fn check_host(&self, req: &Request) -> Result<(), String> {
        // HTTP/1.0 clients may send none; browsers always do.
        let Some(host) = req.header("host") else {
            return Ok(());
        };
        let name = host_name(host);
        if self.host_allowed(&name) {
            return Ok(());
        }
        let bound = if self.loopback {
            "a loopback address, so the Host must be localhost, 127.0.0.1 or [::1]"
        } else {
            "every interface, so the Host must be an IP address, a name without dots, a name \
             under .localhost, .internal, .local or .test, or a cloud endpoint name"
        };
        Err(format!(
            "Host {host:?} is not allowed: this server is bound to {bound} (a defence against \
             DNS rebinding); start it with --allowed-host {name} to accept it"
        ))
    }

    fn host_allowed(&self, name: &str) -> bool {
        let listed = self.allowed.iter().any(|a| match a {
            Allowed::Any => true,
            Allowed::Exact(n) => n == name,
            Allowed::Domain(d) => in_domain(name, d),
        });
        if listed || is_loopback_name(name) || is_cloud_endpoint(name) {
            return true;
        }
        if self.loopback {
            return false;
        }
        name.parse::<IpAddr>().is_ok()
            || !name.contains('.')
            || SPECIAL_USE_DOMAINS.iter().any(|d| in_domain(name, d))
    }

    /// The admin API's own rules, after [`Guard::check_host`]: same-origin only, the token
    /// when one is set (health needs none), and JSON for anything that changes state.
    pub fn check_admin(&self, req: &Request, path: &str) -> Result<(), Refusal> {
        if let Some(origin) = req.header("origin") {
            if !same_origin(origin, req.header("host")) {
                return Err(Refusal::new(
                    403,
                    "cross_origin_refused",
                    format!(
                        "the admin API answers no cross-origin request (Origin {origin:?}); \
                         call it from a script or tool, not from a web page"
                    ),
                ));
            }
        }
        if let Some(token) = &self.admin_token {
            if !is_health(path) && !bearer_matches(req.header("authorization"), token) {
                return Err(Refusal::new(
                    401,
                    "unauthorized",
                    "this admin endpoint needs the admin token: send \
                     `Authorization: Bearer <token>` (the --admin-token the server was started with)"
                        .into(),
                ));
            }
        }
        let changes_state = !matches!(req.method.as_str(), "GET" | "HEAD" | "OPTIONS");
        if changes_state && !is_json(req.header("content-type")) {
            return Err(Refusal::new(
                415,
                "unsupported_media_type",
                format!(
                    "{} {path} needs `Content-Type: application/json` (got {}); admin calls that \
                     change state accept nothing a web form could send",
                    req.method,
                    req.header("content-type")
                        .map_or("none".to_owned(), |c| format!("{c:?}"))
                ),
            ));
        }
        Ok(())
    }
}

/// The name part of a `Host` (or `--allowed-host`) value: lower case, without port, brackets
/// or a trailing dot.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn in_domain(name: &str, domain: &str) -> bool {
    name == domain
        || name
            .strip_suffix(domain)
            .is_some_and(|head| head.ends_with('.'))
}

fn is_loopback_name(name: &str) -> bool {
    if in_domain(name, "localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// The clouds' endpoint domains: their DNS belongs to the clouds, so a name under them points
/// here only because the user mapped it (and the region may come from it).
fn is_cloud_endpoint(name: &str) -> bool {
    [
        "amazonaws.com",
        "amazonaws.com.cn",
        "aliyuncs.com",
        "myhuaweicloud.com",
        "huaweicloud.com",
    ]
    .iter()
    .any(|d| in_domain(name, d))
}

fn is_health(path: &str) -> bool {
    matches!(
        path.trim_end_matches('/'),
        "/_localsecrets/health" | "/_localstack/health"
    )
}

/// An `Origin` names the server's own origin when its host and port are the request's `Host`.
fn same_origin(origin: &str, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    let Some((scheme, authority)) = origin.trim().split_once("://") else {
        // `null` (sandboxed frames, file: pages) and anything unparsable.
        return false;
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => "80",
        "https" => "443",
        _ => return false,
    };
    let with_port = |a: &str| -> String {
        let a = a.trim().to_ascii_lowercase();
        let has_port = match a.rfind(']') {
            Some(end) => a[end..].contains(':'),
            None => a.contains(':'),
        };
        if has_port {
            a
        } else {
            format!("{a}:{default_port}")
        }
    };
    with_port(authority) == with_port(host)
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        c.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    })
}

/// Compares in time independent of where the first difference is.
fn bearer_matches(header: Option<&str>, token: &str) -> bool {
    let Some(given) = header.and_then(|h| {
        let (scheme, rest) = h.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
    }) else {
        return false;
    };
    let (a, b) = (given.as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, headers: &[(&str, &str)]) -> Request {
        headers
            .iter()
            .fold(Request::new(method, "/_localsecrets/reset"), |r, (k, v)| {
                r.with_header(k, v)
            })
    }

    fn host_ok(guard: &Guard, host: &str) -> bool {
        guard.check_host(&req("GET", &[("host", host)])).is_ok()
    }

    #[test]
    fn host_names_are_normalised() {
        assert_eq!(host_name("LocalHost.:4566"), "localhost");
        assert_eq!(host_name("[::1]:4566"), "::1");
        assert_eq!(host_name("[::1]"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_name("Example.COM:80"), "example.com");
    }

    #[test]
    fn loopback_binds_accept_loopback_names_only() {
        let g = Guard::new(true, &[], None);
        for ok in [
            "localhost:4566",
            "127.0.0.1:4566",
            "127.1.2.3",
            "[::1]:4566",
            "app.localhost:4566",
            "kms.cn-shanghai.aliyuncs.com",
            "secretsmanager.us-east-1.amazonaws.com",
        ] {
            assert!(host_ok(&g, ok), "{ok} refused");
        }
        for bad in [
            "evil.example.com:4566",
            "x",
            "10.0.0.1:4566",
            "localhost.evil.com",
            "aliyuncs.com.evil.com",
            "notamazonaws.com",
        ] {
            assert!(!host_ok(&g, bad), "{bad} accepted");
        }
        let err = g
            .check_host(&req("GET", &[("host", "evil.com:4566")]))
            .unwrap_err();
        assert!(err.contains("--allowed-host evil.com"), "{err}");
        assert!(g.check_host(&Request::new("GET", "/")).is_ok());
    }

    #[test]
    fn wide_binds_accept_names_a_page_cannot_rebind() {
        let g = Guard::new(false, &[], None);
        for ok in [
            "10.0.0.1:4566",
            "[fe80::1]:4566",
            "localsecrets:4566",
            "host.docker.internal:4566",
            "svc.cluster.local",
            "db.test",
        ] {
            assert!(host_ok(&g, ok), "{ok} refused");
        }
        for bad in ["evil.com:4566", "rebind.attacker.net", "internal.evil.com"] {
            assert!(!host_ok(&g, bad), "{bad} accepted");
        }
    }

    #[test]
    fn allowed_hosts_extend_the_rule() {
        let g = Guard::new(
            true,
            &["Secrets.Corp.example:9000".into(), ".dev.corp".into()],
            None,
        );
        assert!(host_ok(&g, "secrets.corp.example:4566"));
        assert!(host_ok(&g, "dev.corp"));
        assert!(host_ok(&g, "a.b.dev.corp:1"));
        assert!(!host_ok(&g, "xdev.corp"));
        assert!(!host_ok(&g, "other.corp.example"));
        assert!(host_ok(
            &Guard::new(true, &["*".into()], None),
            "anything.at.all"
        ));
    }

    #[test]
    fn admin_refuses_other_origins() {
        let g = Guard::new(true, &[], None);
        let json = ("content-type", "application/json");
        let host = ("host", "127.0.0.1:4566");
        for (origin, ok) in [
            ("http://127.0.0.1:4566", true),
            ("HTTP://127.0.0.1:4566", true),
            ("http://localhost:4566", false),
            ("https://evil.example", false),
            ("null", false),
            ("http://127.0.0.1:4567", false),
        ] {
            let r = g.check_admin(&req("POST", &[host, json, ("origin", origin)]), "/x");
            assert_eq!(r.is_ok(), ok, "{origin}: {r:?}");
            if let Err(r) = r {
                assert_eq!((r.status, r.code), (403, "cross_origin_refused"));
            }
        }
        assert!(g
            .check_admin(
                &req(
                    "GET",
                    &[("host", "localhost"), ("origin", "http://localhost:80")]
                ),
                "/x"
            )
            .is_ok());
        assert!(g.check_admin(&req("POST", &[host, json]), "/x").is_ok());
    }

    #[test]
    fn state_changes_need_json() {
        let g = Guard::new(true, &[], None);
        for ct in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonx"),
        ] {
            for method in ["POST", "PUT", "DELETE"] {
                let headers: Vec<(&str, &str)> = ct.iter().map(|c| ("content-type", *c)).collect();
                let r = g.check_admin(&req(method, &headers), "/x").unwrap_err();
                assert_eq!(
                    (r.status, r.code),
                    (415, "unsupported_media_type"),
                    "{ct:?}"
                );
            }
        }
        for ct in ["application/json", "Application/JSON; charset=utf-8"] {
            assert!(g
                .check_admin(&req("POST", &[("content-type", ct)]), "/x")
                .is_ok());
        }
        assert!(g.check_admin(&req("GET", &[]), "/x").is_ok());
    }

    #[test]
    fn the_admin_token_guards_all_but_health() {
        let g = Guard::new(true, &[], Some("s3cret-token".into()));
        let json = ("content-type", "application/json");
        for auth in [
            None,
            Some("Bearer wrong"),
            Some("Bearer s3cret-toke"),
            Some("Basic s3cret-token"),
            Some("s3cret-token"),
        ] {
            let mut headers = vec![json];
            headers.extend(auth.map(|a| ("authorization", a)));
            let r = g.check_admin(&req("POST", &headers), "/_localsecrets/reset");
            assert_eq!(r.unwrap_err().status, 401, "{auth:?}");
        }
        let ok = req("POST", &[json, ("authorization", "bearer  s3cret-token ")]);
        assert!(g.check_admin(&ok, "/moto-api/reset").is_ok());
        for health in [
            "/_localsecrets/health",
            "/_localsecrets/health/",
            "/_localstack/health",
        ] {
            assert!(g.check_admin(&req("GET", &[]), health).is_ok(), "{health}");
        }
        assert!(Guard::new(true, &[], Some(String::new()))
            .check_admin(&req("GET", &[]), "/x")
            .is_ok());
    }
}
