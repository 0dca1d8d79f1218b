//! How a Huawei secret rotates, from RotateSecret and from the scheduler: with the user
//! function its `rotation_func_urn` names when one is registered (one call with a
//! FunctionGraph-style event; the function writes the new version through the API and the
//! task records SUCCESS or FAILED), else with the built-in generator (a database password in
//! place of the old one, for the types the service rotates itself).

use crate::error::HwResult;
use crate::meta::HuaweiMeta;
use localsecrets_api::rotation::{self as api_rotation, Calls, Rotate};
use localsecrets_api::RotationFunctions;
use localsecrets_core::dialect::HUAWEI;
use localsecrets_core::random::PUNCTUATION;
use localsecrets_core::{
    rotation, Access, CoreResult, PasswordPolicy, Random, RotateRequest, Scope, Secret, SecretRef,
    SecretValue, Service,
};
use serde_json::{json, Value};

/// Special characters RDS and GaussDB accept in passwords.
const DB_SPECIALS: &str = "~!@#%^*-_=+?";

pub fn policy() -> PasswordPolicy {
    PasswordPolicy {
        length: 16,
        exclude_characters: PUNCTUATION
            .chars()
            .filter(|c| !DB_SPECIALS.contains(*c))
            .collect(),
        require_each_included_type: true,
        ..Default::default()
    }
}

/// The field of a JSON value that holds the password: `password` (any case), `passwd`, `pwd`,
/// or the first key containing "password"; `password` when there is none.
pub fn password_field(value: Option<&SecretValue>) -> String {
    let keys: Vec<String> = value
        .and_then(SecretValue::as_text)
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
        .unwrap_or_default();
    let lower = |k: &String| k.to_ascii_lowercase();
    keys.iter()
        .find(|k| matches!(lower(k).as_str(), "password" | "passwd" | "pwd"))
        .or_else(|| keys.iter().find(|k| lower(k).contains("password")))
        .cloned()
        .unwrap_or_else(|| "password".to_owned())
}

/// The rotated value. Single-user rotation resets the current account's password;
/// multi-user rotation resets the other account (the SYSPREVIOUS one), which then becomes
/// current.
pub fn generate(s: &Secret, rnd: &Random) -> CoreResult<SecretValue> {
    let multi = HuaweiMeta::read(s).sub_type().as_deref() == Some("MultiUser");
    let base = if multi {
        s.holder(HUAWEI.previous)
            .or_else(|| s.holder(HUAWEI.current))
    } else {
        s.holder(HUAWEI.current)
    }
    .map(|v| &v.value);
    let password = rnd.password(&policy())?;
    Ok(rotation::replace_password(
        base,
        &password_field(base),
        password,
    ))
}

/// The registry ids a `rotation_func_urn` may be registered under: the URN itself, then the
/// function's name (`urn:fss:<region>:<project>:function:<package>:<name>[:<version>]`).
pub fn function_ids(urn: &str) -> Vec<&str> {
    let mut ids = vec![urn];
    let parts: Vec<&str> = urn.split(':').collect();
    if let Some(name) = parts
        .iter()
        .position(|p| *p == "function")
        .and_then(|i| parts.get(i + 2))
    {
        ids.push(name);
    }
    ids
}

/// The FunctionGraph event a user rotation function gets: which secret, in which project and
/// region, and the task it runs for.
pub fn function_event(scope: &Scope, s: &Secret, urn: &str) -> Value {
    json!({
        "secret_name": s.name,
        "secret_id": s.id,
        "secret_type": s.secret_type,
        "project_id": scope.tenant,
        "region": scope.region,
        "rotation_func_urn": urn,
        "operate_type": "ROTATE",
        "version_id": s.holder_id(HUAWEI.current),
    })
}

/// Rotates now: with the user function `rotation_func_urn` names when one is registered (it
/// makes the new version through the API; the task records its success or its error),
/// else with the built-in generator. Returns the current version afterwards.
pub fn rotate(
    svc: &Service,
    functions: &dyn RotationFunctions,
    scope: &Scope,
    name: &str,
) -> HwResult<String> {
    let r = SecretRef::Name(name);
    let s = svc.describe(scope, r, Access::Live)?;
    let urn = s.rotation.function.as_deref().unwrap_or_default();
    let done = api_rotation::rotate(
        svc,
        functions,
        scope,
        r,
        Rotate {
            function: s
                .rotation
                .function
                .as_deref()
                .and_then(|urn| functions.resolve(&function_ids(urn))),
            calls: Calls::Once {
                event: function_event(scope, &s, urn),
            },
            version_id: None,
            builtin: RotateRequest {
                require_function: !HUAWEI.rotates_itself(&s.secret_type),
                ..RotateRequest::now(&generate)
            },
        },
    )?;
    Ok(done.version_id.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{self, Task};
    use localsecrets_api::rotation::ScriptedFunctions;

    #[test]
    fn password_fields() {
        let t = |s: &str| password_field(Some(&SecretValue::Text(s.into())));
        assert_eq!(t(r#"{"username":"u","password":"p"}"#), "password");
        assert_eq!(t(r#"{"user":"u","passwd":"p"}"#), "passwd");
        assert_eq!(t(r#"{"user":"u","Password":"p"}"#), "Password");
        assert_eq!(
            t(r#"{"user":"u","db_password_main":"p"}"#),
            "db_password_main"
        );
        assert_eq!(t(r#"{"user":"u"}"#), "password");
        assert_eq!(t("plain"), "password");
        assert_eq!(password_field(None), "password");
    }

    #[test]
    fn function_ids_from_urns() {
        let urn = "urn:fss:cn-north-4:0123:function:default:rotate-db:latest";
        assert_eq!(function_ids(urn), [urn, "rotate-db"]);
        assert_eq!(function_ids("rotate-db"), ["rotate-db"]);
    }

    /// A registry whose one function writes a version through the service, or fails.
    fn function(svc: std::sync::Arc<Service>, fail: bool) -> ScriptedFunctions {
        ScriptedFunctions::default().with("rotate-db", move |scope, event| {
            if fail {
                return Err("exited with 1: database unreachable".into());
            }
            svc.put_value(
                scope,
                SecretRef::Name(event["secret_name"].as_str().unwrap_or_default()),
                localsecrets_core::NewVersion {
                    value: Some(SecretValue::Text("from-the-function".into())),
                    ..Default::default()
                },
            )
            .map(drop)
            .map_err(|e| e.to_string())
        })
    }

    fn setup(
        fail: bool,
    ) -> (
        std::sync::Arc<Service>,
        std::sync::Arc<ScriptedFunctions>,
        Scope,
    ) {
        use localsecrets_core::{Cloud, NewSecret, NewVersion};
        let svc = std::sync::Arc::new(Service::in_memory(1));
        svc.observe(
            crate::notify::OBSERVER_KEY,
            std::sync::Arc::new(crate::notify::Notifier),
        );
        let scope = Scope::new(Cloud::Huawei, "0123456789abcdef0123456789abcdef", "r1");
        let rotation = localsecrets_core::Rotation {
            function: Some(
                "urn:fss:r1:0123456789abcdef0123456789abcdef:function:default:rotate-db".into(),
            ),
            ..Default::default()
        };
        svc.create_secret(
            &scope,
            NewSecret {
                name: "app".into(),
                rotation,
                version: NewVersion {
                    value: Some(SecretValue::Text("first".into())),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
        let fake = std::sync::Arc::new(function(svc.clone(), fail));
        (svc, fake, scope)
    }

    fn tasks(svc: &Service, scope: &Scope) -> Vec<Task> {
        records::all::<Task>(svc, scope, records::TASK)
            .unwrap()
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn a_registered_function_rotates_and_its_task_shows_success() {
        let (svc, fake, scope) = setup(false);
        let v = rotate(&svc, &*fake, &scope, "app").unwrap();
        assert_eq!(v, "v2");
        let event = fake.calls()[0].1.clone();
        assert_eq!(event["secret_name"], "app");
        assert_eq!(event["version_id"], "v1");
        assert_eq!(event["project_id"], scope.tenant);
        let s = svc
            .describe(&scope, SecretRef::Name("app"), Access::Live)
            .unwrap();
        assert_eq!(
            s.holder(HUAWEI.current).unwrap().value,
            SecretValue::Text("from-the-function".into())
        );
        assert!(s.rotation.last_rotated.is_some());
        let t = tasks(&svc, &scope);
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].task_status.as_str(), t[0].version_id.as_str()),
            ("SUCCESS", "v2")
        );
    }

    #[test]
    fn a_failing_function_leaves_the_value_and_records_the_error() {
        let (svc, fake, scope) = setup(true);
        assert_eq!(rotate(&svc, &*fake, &scope, "app").unwrap(), "v1");
        let s = svc
            .describe(&scope, SecretRef::Name("app"), Access::Live)
            .unwrap();
        assert_eq!(s.versions.len(), 1);
        let t = tasks(&svc, &scope);
        assert_eq!(t[0].task_status, "FAILED");
        assert_eq!(
            t[0].task_error_msg.as_deref(),
            Some("exited with 1: database unreachable")
        );
    }

    #[test]
    fn a_function_rotation_is_refused_while_another_is_in_progress() {
        let (svc, fake, scope) = setup(false);
        // An unfinished rotation: SYSPENDING on a version that is not current.
        svc.put_value(
            &scope,
            SecretRef::Name("app"),
            localsecrets_core::NewVersion {
                value: Some(SecretValue::Text("half".into())),
                labels: Some(vec![HUAWEI.pending.into()]),
                ..Default::default()
            },
        )
        .unwrap();
        let e = rotate(&svc, &*fake, &scope, "app").unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidRequest, "{e:?}");
        assert!(fake.calls().is_empty(), "the function was called");
        assert!(tasks(&svc, &scope).is_empty());
    }

    #[test]
    fn generated_passwords_suit_databases() {
        let r = Random::seeded(3);
        for _ in 0..50 {
            let p = r.password(&policy()).unwrap();
            assert_eq!(p.len(), 16);
            assert!(p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || DB_SPECIALS.contains(c)));
            assert!(p.chars().any(|c| DB_SPECIALS.contains(c)));
        }
    }
}
