//! The reference servers every figure is divided by, run as separate processes like the
//! server itself: `fixed` answers every request with the same ~220-byte JSON body (the
//! ceiling of hyper on this machine), `sqlite` does one durable INSERT per request in WAL
//! mode with `synchronous=NORMAL` (the naive store).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// The fixed answer: the size of a small GetSecretValue response.
pub const BODY: &str = r#"{"ARN":"arn:aws:secretsmanager:us-east-1:000000000000:secret:bench/get-AbCdEf","Name":"bench/get","VersionId":"00000000-0000-4000-8000-000000000001","SecretString":"value","VersionStages":["AWSCURRENT"],"CreatedDate":1.7e9}"#;

pub fn run(kind: &str, port: u16, db: Option<&str>) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let conn = match (kind, db) {
        ("fixed", _) => None,
        ("sqlite", Some(path)) => {
            let c = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
            c.execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
                 CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
            )
            .map_err(|e| e.to_string())?;
            Some(Arc::new(Mutex::new(c)))
        }
        _ => {
            return Err(format!(
                "unknown reference {kind} (fixed, or sqlite with a db path)"
            ))
        }
    };
    rt.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        eprintln!(
            "reference listening on http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        loop {
            let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
            let _ = stream.set_nodelay(true);
            let conn = conn.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let conn = conn.clone();
                    async move {
                        let body = req.into_body().collect().await.map(|b| b.to_bytes());
                        if let (Some(conn), Ok(body)) = (conn, body) {
                            let text = String::from_utf8_lossy(&body).into_owned();
                            let _ = tokio::task::spawn_blocking(move || {
                                let c = conn.lock().map_err(|e| e.to_string())?;
                                c.execute("INSERT INTO items (body) VALUES (?1)", [text])
                                    .map_err(|e| e.to_string())
                            })
                            .await;
                        }
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .header("content-type", "application/x-amz-json-1.1")
                                .body(Full::new(Bytes::from_static(BODY.as_bytes())))
                                .expect("a fixed response"),
                        )
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
