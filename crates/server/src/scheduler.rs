//! What falls due on the model's clock, run in due-time order: scheduled rotations (through
//! each cloud's [`Frontend::scheduled_rotation`]), purges of secrets whose deletion window
//! ended, and versions passing their expiry time (announced to observers: Huawei's
//! SECRET_VERSION_EXPIRED notifications).
//!
//! One background task sleeps until the earliest due time the store knows
//! (`ReadTx::next_due`, an index lookup) and is woken early through a [`Notify`] whenever a
//! write commits or the clock moves, since either may bring that time forward; it never polls
//! the secrets. A clock move (`POST /_localsecrets/clock`) walks the clock to each due time on
//! the way to its target and runs what falls due there before it answers, so advancing 95 days
//! over a 30-day schedule runs exactly three rotations, each at its own time. Passes never
//! overlap: the background task, a clock move and a tick take turns.
//!
//! [`Frontend::scheduled_rotation`]: localsecrets_api::Frontend::scheduled_rotation

use crate::app::App;
use localsecrets_core::storage::{Due, DueKind, ReadTx, Storage, WriteTx};
use localsecrets_core::{CoreError, CoreResult, Scope, SecretRef, Timestamp};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How many outcomes `GET /_localsecrets/rotation` shows.
const KEPT_OUTCOMES: usize = 500;

/// The longest the background task sleeps without looking again (a guard, not a poll: the
/// store is asked for one index minimum).
const MAX_SLEEP: Duration = Duration::from_secs(3600);

/// How far a clock move goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Forward by this many milliseconds of model time.
    By(i64),
    /// Forward to this instant.
    To(Timestamp),
}

/// What one due item came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub scope: Scope,
    pub name: String,
    pub kind: DueKind,
    /// When it was due.
    pub due: Timestamp,
    /// When it ran, on the model's clock.
    pub ran: Timestamp,
    pub error: Option<String>,
}

impl Outcome {
    pub fn to_json(&self) -> Value {
        json!({
            "kind": match self.kind {
                DueKind::Purge => "purge",
                DueKind::Rotation => "rotation",
                DueKind::Expiry => "expiry",
            },
            "cloud": self.scope.cloud.as_str(),
            "tenant": self.scope.tenant,
            "region": self.scope.region,
            "secret": self.name,
            "due": self.due.to_rfc3339(),
            "ran": self.ran.to_rfc3339(),
            "ok": self.error.is_none(),
            "error": self.error,
        })
    }
}

pub struct Scheduler {
    wake: Arc<Notify>,
    /// Held for a whole pass.
    pass: Mutex<()>,
    outcomes: Mutex<VecDeque<Outcome>>,
}

impl Scheduler {
    pub fn new(wake: Arc<Notify>) -> Self {
        Self {
            wake,
            pass: Mutex::new(()),
            outcomes: Mutex::new(VecDeque::new()),
        }
    }

    /// Tells the background task to look at the schedule again.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    /// The most recent outcomes, oldest first.
    pub fn outcomes(&self) -> Vec<Outcome> {
        self.outcomes.lock().iter().cloned().collect()
    }

    /// Runs everything due at or before now, earliest first.
    pub fn run_due(&self, app: &App) -> CoreResult<Vec<Outcome>> {
        let _pass = self.pass.lock();
        self.run_due_locked(app, &mut HashSet::new())
    }

    /// Moves the clock forward, stopping at every due time on the way to run what falls due
    /// there, then runs what is due at the end. The clock offset is stored at each stop.
    pub fn advance(&self, app: &App, by: Move) -> CoreResult<Vec<Outcome>> {
        let _pass = self.pass.lock();
        let clock = app.service.clock();
        let forward = |e: CoreError| CoreError::InvalidParameter(e.to_string());
        let (target, final_offset) = match by {
            Move::By(ms) => (
                clock.now().plus_millis(ms),
                Some(clock.offset_millis() + ms),
            ),
            Move::To(t) => (t, None),
        };
        let mut ran = Vec::new();
        // Items that did not move on when run: skipped for the rest of this advance.
        let mut seen = HashSet::new();
        loop {
            ran.extend(self.run_due_locked(app, &mut seen)?);
            let now = clock.now();
            if now >= target {
                break;
            }
            // The earliest due time is an index lookup; only an item that did not move on when
            // it ran (still due, skipped) makes a scan of what is due up to the target needed.
            let next = match app.service.next_due()? {
                Some(at) if at > now => Some(at),
                Some(_) => app
                    .service
                    .due(target)?
                    .into_iter()
                    .find_map(|d| (d.at > now && !seen.contains(&key(&d))).then_some(d.at)),
                None => None,
            };
            match next {
                Some(at) if at < target => {
                    clock
                        .advance_millis(at.millis() - now.millis())
                        .map_err(forward)?;
                }
                _ => {
                    match final_offset {
                        Some(off) => clock
                            .advance_millis((off - clock.offset_millis()).max(0))
                            .map_err(forward)?,
                        // Refused only when the wall clock already passed the target.
                        None => clock.set(target).unwrap_or(target),
                    };
                }
            }
            app.persist_clock()?;
        }
        self.poke();
        Ok(ran)
    }

    fn run_due_locked(
        &self,
        app: &App,
        seen: &mut HashSet<(Scope, String, u8, Timestamp)>,
    ) -> CoreResult<Vec<Outcome>> {
        let mut ran = Vec::new();
        loop {
            let now = app.service.now();
            let due: Vec<Due> = app
                .service
                .due(now)?
                .into_iter()
                .filter(|d| !seen.contains(&key(d)))
                .collect();
            if due.is_empty() {
                return Ok(ran);
            }
            for item in due {
                seen.insert(key(&item));
                let outcome = self.run_one(app, &item);
                self.keep(outcome.clone());
                ran.push(outcome);
            }
        }
    }

    fn run_one(&self, app: &App, item: &Due) -> Outcome {
        let error = match item.kind {
            DueKind::Purge => app
                .service
                .purge_due()
                .err()
                .map(|e| format!("purge failed: {e}")),
            DueKind::Rotation => self.rotate(app, item).err(),
            DueKind::Expiry => app
                .service
                .announce_expired()
                .err()
                .map(|e| format!("announcing expired versions failed: {e}")),
        };
        match &error {
            None => tracing::info!(
                cloud = item.scope.cloud.as_str(),
                secret = %item.name,
                kind = ?item.kind,
                "scheduled {:?} done",
                item.kind
            ),
            Some(e) => tracing::warn!(
                cloud = item.scope.cloud.as_str(),
                secret = %item.name,
                "scheduled {:?} failed: {e}",
                item.kind
            ),
        }
        Outcome {
            scope: item.scope.clone(),
            name: item.name.clone(),
            kind: item.kind.clone(),
            due: item.at,
            ran: app.service.now(),
            error,
        }
    }

    /// Rotates through the cloud's frontend; whatever happens, a rotation that is still due
    /// afterwards (it could not run, or failed) moves on to its next window.
    fn rotate(&self, app: &App, item: &Due) -> Result<(), String> {
        let result = match app.frontends.iter().find(|f| f.cloud() == item.scope.cloud) {
            Some(f) => f.scheduled_rotation(&item.scope, &item.name),
            None => Err(format!("no {} frontend is running", item.scope.cloud)),
        };
        match app
            .service
            .postpone_rotation(&item.scope, SecretRef::Name(&item.name))
        {
            Ok(_) | Err(CoreError::SecretNotFound { .. }) => result,
            Err(e) => Err(match result {
                Ok(()) => format!("cannot move the schedule on: {e}"),
                Err(first) => format!("{first}; and cannot move the schedule on: {e}"),
            }),
        }
    }

    fn keep(&self, o: Outcome) {
        let mut all = self.outcomes.lock();
        if all.len() == KEPT_OUTCOMES {
            all.pop_front();
        }
        all.push_back(o);
    }

    /// The background task: runs what is due, then sleeps until the next due time or a poke.
    pub async fn run(self: Arc<Self>, app: Arc<App>) {
        loop {
            let (s, a) = (self.clone(), app.clone());
            let pass = tokio::task::spawn_blocking(move || {
                let ran = s.run_due(&a);
                let next = a.service.next_due();
                (ran.map(|r| r.len()), next, a.service.now())
            })
            .await;
            let wait = match pass {
                Ok((Ok(_), Ok(next), now)) => match next {
                    Some(t) if t > now => {
                        Duration::from_millis((t.millis() - now.millis()) as u64).min(MAX_SLEEP)
                    }
                    // Still due after a pass: something keeps failing; look again shortly.
                    Some(_) => Duration::from_secs(1),
                    None => MAX_SLEEP,
                },
                Ok((Err(e), _, _)) | Ok((_, Err(e), _)) => {
                    tracing::error!("scheduler pass failed: {e}");
                    Duration::from_secs(1)
                }
                Err(e) => {
                    tracing::error!("scheduler pass panicked: {e}");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => {}
            }
        }
    }
}

fn key(d: &Due) -> (Scope, String, u8, Timestamp) {
    let kind = match d.kind {
        DueKind::Purge => 0,
        DueKind::Rotation => 1,
        DueKind::Expiry => 2,
    };
    (d.scope.clone(), d.name.clone(), kind, d.at)
}

/// A storage that wakes the scheduler after every committed write, since a write may bring
/// the earliest due time forward.
pub struct WakingStorage {
    pub inner: Arc<dyn Storage>,
    pub wake: Arc<Notify>,
}

impl Storage for WakingStorage {
    fn read(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        self.inner.read(f)
    }

    fn write(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        let r = self.inner.write(f);
        if r.is_ok() {
            self.wake.notify_one();
        }
        r
    }

    fn persistence(&self) -> &'static str {
        self.inner.persistence()
    }

    fn reads_beside_writes(&self) -> bool {
        self.inner.reads_beside_writes()
    }
}
