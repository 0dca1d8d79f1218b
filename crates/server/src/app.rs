//! The running server's state: one storage, one clock, one service and the three frontends
//! in dispatch order.

use crate::config::Config;
use crate::fixtures::Defaults;
use crate::guard::Guard;
use crate::journal::Journal;
use crate::rotation_functions::Registry;
use crate::scheduler::{Scheduler, WakingStorage};
use localsecrets_alibaba::AlibabaFrontend;
use localsecrets_api::Frontend;
use localsecrets_aws::AwsFrontend;
use localsecrets_core::storage::Storage;
use localsecrets_core::{Clock, CoreError, CoreResult, Random, Service};
use localsecrets_huawei::HuaweiConfig;
use localsecrets_huawei::HuaweiFrontend;
use parking_lot::Mutex;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The storage setting that keeps the clock offset across restarts.
pub const CLOCK_OFFSET_SETTING: &str = "clock_offset_ms";

pub struct App {
    pub service: Arc<Service>,
    /// AWS, Huawei, Alibaba: the order DESIGN §4 asks each of them whether a request is theirs.
    pub frontends: Vec<Arc<dyn Frontend>>,
    /// Serialises clock changes so the persisted offset is always the latest one.
    pub clock_change: Mutex<()>,
    /// The last API calls (`GET /_localsecrets/requests`).
    pub journal: Journal,
    /// Where fixture secrets land when they name no tenant or region.
    pub defaults: Defaults,
    /// Runs scheduled rotations and purges; woken by every committed write.
    pub scheduler: Arc<Scheduler>,
    /// User rotation functions, handed to the frontends.
    pub functions: Arc<Registry>,
    /// The access rules every request passes first; set once the listener is bound.
    pub guard: Guard,
}

impl App {
    pub fn from_config(config: &Config) -> CoreResult<Self> {
        let storage = open_storage(config.data_path())?;
        let random = match config.seed {
            Some(seed) => Random::seeded(seed),
            None => Random::from_entropy(),
        };
        let mut app = Self::new(storage, random)?;
        app.journal = Journal::new(config.journal_size, config.log_requests);
        app.defaults = Defaults::new(&config.aws(), &config.alibaba(), &HuaweiConfig::default());
        app.functions = Arc::new(
            Registry::load(
                app.service.clone(),
                Duration::from_secs(config.rotation_timeout),
            )?
            .allow_commands(config.allow_command_functions),
        );
        if let Some(path) = &config.rotation_functions {
            app.functions.put_trusted(read_functions(path)?)?;
        }
        let service = app.service.clone();
        app.frontends = vec![
            Arc::new(
                AwsFrontend::new(service.clone(), config.aws())
                    .with_rotation_functions(app.functions.clone()),
            ),
            Arc::new(
                HuaweiFrontend::new(service.clone(), HuaweiConfig::default())
                    .with_rotation_functions(app.functions.clone()),
            ),
            Arc::new(
                AlibabaFrontend::new(service, config.alibaba())
                    .with_rotation_functions(app.functions.clone()),
            ),
        ];
        Ok(app)
    }

    /// An app without frontends over `storage`, its clock restored from the stored offset.
    pub fn new(storage: Arc<dyn Storage>, random: Random) -> CoreResult<Self> {
        let offset = stored_clock_offset(&*storage)?;
        let wake = Arc::new(tokio::sync::Notify::new());
        let storage = Arc::new(WakingStorage {
            inner: storage,
            wake: wake.clone(),
        });
        let service = Arc::new(Service::new(
            storage,
            Arc::new(Clock::with_offset_millis(offset)),
            Arc::new(random),
        ));
        let functions = Arc::new(Registry::load(service.clone(), DEFAULT_ROTATION_TIMEOUT)?);
        Ok(Self {
            service,
            frontends: Vec::new(),
            clock_change: Mutex::new(()),
            journal: Journal::new(crate::journal::DEFAULT_SIZE, false),
            defaults: Defaults::default(),
            scheduler: Arc::new(Scheduler::new(wake)),
            functions,
            guard: Guard::default(),
        })
    }

    /// Stores the clock's offset so a restart with `--data` resumes at the same model time.
    pub fn persist_clock(&self) -> CoreResult<()> {
        let offset = self.service.clock().offset_millis().to_string();
        self.service.set_setting(CLOCK_OFFSET_SETTING, &offset)
    }
}

/// How long a user rotation function may run when neither the flag nor the function says.
pub const DEFAULT_ROTATION_TIMEOUT: Duration = Duration::from_secs(30);

/// The functions of a `--rotation-functions` file.
fn read_functions(
    path: &Path,
) -> CoreResult<std::collections::BTreeMap<String, crate::rotation_functions::Function>> {
    let bad = |e: String| CoreError::InvalidParameter(format!("{}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    crate::rotation_functions::parse_all(&v).map_err(bad)
}

/// SQLite in both modes (a file, or `:memory:`), so memory runs exercise the same code.
fn open_storage(data: Option<&Path>) -> CoreResult<Arc<dyn Storage>> {
    localsecrets_store::open_storage(data)
}

fn stored_clock_offset(storage: &dyn Storage) -> CoreResult<i64> {
    let mut raw = None;
    storage.read(&mut |tx| {
        raw = tx.setting(CLOCK_OFFSET_SETTING)?;
        Ok(())
    })?;
    match raw {
        None => Ok(0),
        Some(s) => s.trim().parse::<i64>().map_err(|_| {
            CoreError::Storage(format!(
                "stored setting {CLOCK_OFFSET_SETTING} is not a number of milliseconds: {s:?}"
            ))
        }),
    }
}
