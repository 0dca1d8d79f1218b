//! ListSecretVersionIds: a secret's versions, oldest first; versions without a stage only with
//! IncludeDeprecated=true.

use crate::call::Call;
use crate::error::AliResult;
use crate::params::Params;
use crate::render::{Node, Obj};
use crate::view;
use localsecrets_core::Access;

pub fn handle(call: &Call<'_>, p: &Params) -> AliResult<Obj> {
    let name = call.secret_name(p)?;
    let deprecated = p.bool("IncludeDeprecated")?.unwrap_or(false);
    let page = p.int("PageNumber", 1..=i64::from(u32::MAX))?.unwrap_or(1);
    let size = p.int("PageSize", 1..=100)?.unwrap_or(20);
    let s = call.describe(name, Access::Live)?;
    let versions: Vec<_> = s
        .versions
        .iter()
        .filter(|v| deprecated || !v.is_deprecated())
        .collect();
    let start = usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX);
    let items: Vec<Node> = versions
        .iter()
        .skip(start)
        .take(usize::try_from(size).unwrap_or(20))
        .map(|v| {
            let o = Obj::new()
                .str("VersionId", &v.id)
                .str("CreateTime", view::time(v.created));
            Node::from(view::stages(o, v))
        })
        .collect();
    Ok(Obj::new()
        .str("SecretName", &s.name)
        .int("PageNumber", page)
        .int("PageSize", size)
        .int(
            "TotalCount",
            i64::try_from(versions.len()).unwrap_or(i64::MAX),
        )
        .wrapped("VersionIds", "VersionId", items))
}
