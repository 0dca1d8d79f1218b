//! The localsecrets server: one port answering AWS Secrets Manager, Alibaba Cloud KMS
//! secrets and Huawei Cloud CSMS over one shared model.
//!
//! - [`config`]: flags and `LOCALSECRETS_*` variables.
//! - [`app`]: storage (memory or a SQLite file), clock (restored from storage), service and
//!   the frontends in dispatch order.
//! - [`listener`]: hyper on tokio, the body limit, request ids, graceful shutdown.
//! - [`guard`]: the `Host` rule for every request; `Origin`, admin token and JSON-only state
//!   changes for the admin API.
//! - [`dispatch`]: [`guard`], then admin API → AWS → Huawei → Alibaba → neutral 404.
//! - [`admin`]: health, reset and clock under `/_localsecrets/`.
//! - [`fixtures`] and [`export`]: scenario files in and the current state out, one format.
//! - [`journal`]: the last N cloud API calls, for `GET /_localsecrets/requests`.
//! - [`healthcheck`]: the `localsecrets healthcheck` subcommand (the container's probe).
//! - [`scheduler`]: scheduled rotations and purges on the model's clock, in due-time order.
//! - [`rotation_functions`]: the registry of user rotation functions (HTTP hooks, commands).
//!
//! Data flow: [`listener`] reads a request (≤ 1 MiB) into an `api::Request` → on the blocking
//! pool [`dispatch::route`] checks it with [`guard`] and hands it to [`admin`] or the claiming
//! `Frontend` → the `api::Response` goes back through hyper with an `x-request-id` if the
//! frontend set none. `docs/ARCHITECTURE.md` walks one request through every crate.

pub mod admin;
pub mod app;
pub mod config;
pub mod dispatch;
pub mod export;
pub mod fixtures;
pub mod guard;
pub mod healthcheck;
pub mod journal;
pub mod listener;
pub mod rotation_functions;
pub mod scheduler;

pub use app::App;
pub use config::Config;
