//! What CSMS derives from a change, written in the change's own transaction: a task record
//! for every rotation (whoever started it), and a notification record whenever a secret's
//! subscribed event covers what happened (a version passing its `expire_time` included, when
//! the scheduler reaches that time). No message leaves the emulator; the record shows
//! what would have been sent.

use crate::meta::HuaweiMeta;
use crate::records::{self, Event, NotificationRecord, Task};
use localsecrets_core::storage::WriteTx;
use localsecrets_core::{Change, Cloud, CoreError, CoreResult, Ctx, Observer, Scope, Secret};
use serde_json::json;

pub const OBSERVER_KEY: &str = "huawei";

pub struct Notifier;

fn core(e: crate::error::HuaweiError) -> CoreError {
    CoreError::Storage(e.message)
}

impl Observer for Notifier {
    fn changed(
        &self,
        tx: &mut dyn WriteTx,
        scope: &Scope,
        change: &Change<'_>,
        ctx: &Ctx<'_>,
    ) -> CoreResult<()> {
        if scope.cloud != Cloud::Huawei {
            return Ok(());
        }
        let (event_type, version_id) = match *change {
            Change::VersionAdded { version_id, .. } => ("SECRET_VERSION_CREATED", Some(version_id)),
            Change::Rotated { secret, version_id } => {
                record_task(tx, scope, ctx, secret, version_id, None)?;
                ("SECRET_ROTATED", Some(version_id))
            }
            Change::RotationFailed {
                secret,
                version_id,
                error,
            } => {
                record_task(tx, scope, ctx, secret, version_id, Some(error))?;
                ("SECRET_ROTATED_FAILED", Some(version_id))
            }
            Change::VersionExpired { version_id, .. } => {
                ("SECRET_VERSION_EXPIRED", Some(version_id))
            }
            Change::Deleted { .. } => ("SECRET_DELETED", None),
            Change::Created { .. } | Change::Updated { .. } | Change::DeletionScheduled { .. } => {
                return Ok(())
            }
        };
        notify(tx, scope, ctx, change.secret(), event_type, version_id)
    }
}

fn record_task(
    tx: &mut dyn WriteTx,
    scope: &Scope,
    ctx: &Ctx<'_>,
    secret: &Secret,
    version_id: &str,
    error: Option<&str>,
) -> CoreResult<()> {
    let task = Task {
        task_id: ctx.random.uuid(),
        secret_name: secret.name.clone(),
        rotation_func_urn: secret.rotation.function.clone(),
        task_status: if error.is_some() { "FAILED" } else { "SUCCESS" }.to_owned(),
        operate_type: "ROTATE".to_owned(),
        task_time: ctx.now.millis(),
        attempt_nums: 1,
        task_error_code: error.map(|_| "CSMS.0001".to_owned()),
        task_error_msg: error.map(str::to_owned),
        version_id: version_id.to_owned(),
    };
    let key = records::time_key(task.task_time, &task.task_id);
    records::put_in(tx, scope, records::TASK, &key, &task).map_err(core)
}

fn notify(
    tx: &mut dyn WriteTx,
    scope: &Scope,
    ctx: &Ctx<'_>,
    secret: &Secret,
    event_type: &str,
    version_id: Option<&str>,
) -> CoreResult<()> {
    for name in HuaweiMeta::read(secret).event_subscriptions {
        let Some(event) =
            records::get_in::<Event, _>(&*tx, scope, records::EVENT, &name).map_err(core)?
        else {
            continue;
        };
        if !event.enabled_for(event_type) {
            continue;
        }
        let content = json!({
            "event_type": event_type,
            "secret_name": secret.name,
            "secret_id": secret.id,
            "version_id": version_id,
            "time": ctx.now.millis(),
        });
        let record = NotificationRecord {
            event_name: event.name.clone(),
            trigger_event_type: event_type.to_owned(),
            create_time: ctx.now.millis(),
            secret_name: secret.name.clone(),
            secret_type: secret.secret_type.clone(),
            notification_target_name: event.notification.target_name.clone(),
            notification_target_id: event.notification.target_id.clone(),
            notification_content: content.to_string(),
            notification_status: "SUCCESS".to_owned(),
        };
        let key = records::time_key(ctx.now.millis(), &ctx.random.uuid());
        records::put_in(tx, scope, records::NOTIFICATION, &key, &record).map_err(core)?;
    }
    Ok(())
}
