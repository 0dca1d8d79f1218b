//! The running server's state: one storage, one clock, one service and the three frontends
//! in dispatch order.

use crate::config::Config;
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

/// The storage setting that keeps the clock offset across restarts.
pub const CLOCK_OFFSET_SETTING: &str = "clock_offset_ms";

pub struct App {
    pub service: Arc<Service>,
    /// AWS, Huawei, Alibaba: the order DESIGN §4 asks each of them whether a request is theirs.
    pub frontends: Vec<Arc<dyn Frontend>>,
    /// Serialises clock changes so the persisted offset is always the latest one.
    pub clock_change: Mutex<()>,
}

impl App {
    pub fn from_config(config: &Config) -> CoreResult<Self> {
        let storage = open_storage(config.data.as_deref())?;
        let random = match config.seed {
            Some(seed) => Random::seeded(seed),
            None => Random::from_entropy(),
        };
        let mut app = Self::new(storage, random)?;
        let service = app.service.clone();
        app.frontends = vec![
            Arc::new(AwsFrontend::new(service.clone(), config.aws())),
            Arc::new(HuaweiFrontend::new(
                service.clone(),
                HuaweiConfig::default(),
            )),
            Arc::new(AlibabaFrontend::new(service, config.alibaba())),
        ];
        Ok(app)
    }

    /// An app without frontends over `storage`, its clock restored from the stored offset.
    pub fn new(storage: Arc<dyn Storage>, random: Random) -> CoreResult<Self> {
        let offset = stored_clock_offset(&*storage)?;
        let service = Service::new(
            storage,
            Arc::new(Clock::with_offset_millis(offset)),
            Arc::new(random),
        );
        Ok(Self {
            service: Arc::new(service),
            frontends: Vec::new(),
            clock_change: Mutex::new(()),
        })
    }
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
