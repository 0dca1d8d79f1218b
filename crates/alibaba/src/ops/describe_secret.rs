//! DescribeSecret: a secret's metadata, also while it waits for deletion (PlannedDeleteTime).

use crate::call::Call;
use crate::error::AliResult;
use crate::params::Params;
use crate::render::Obj;
use crate::view;
use localsecrets_core::Access;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    let fetch_tags = p.bool("FetchTags")?.unwrap_or(false);
    let s = call.describe(name, Access::AnyState)?;
    let obj = Obj::new()
        .str("Arn", call.arn(&s.name))
        .str("SecretName", &s.name)
        .str("SecretType", &s.secret_type)
        .opt_str("Description", s.description.clone())
        .opt_str("EncryptionKeyId", s.kms_key_id.clone())
        .str("CreateTime", view::time(s.created))
        .str("UpdateTime", view::time(s.updated))
        .opt_str(
            "PlannedDeleteTime",
            s.deletion.map(|d| view::time(d.purge_at)),
        );
    let obj = view::rotation(obj, &s)
        .opt_str("ExtendedConfig", view::extended_config(&s))
        .opt_str("DKMSInstanceId", view::dkms_instance(&s));
    Ok(if fetch_tags { view::tags(obj, &s) } else { obj })
}
