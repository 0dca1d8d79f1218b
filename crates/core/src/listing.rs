//! One page of a scope's secrets: the order, the position a listing resumes from, and the
//! filters. Stores answer it on an index for the order (keyset pagination), so the cost of a
//! page does not grow with the number of secrets; [`page_of`] is the reference they are
//! checked against.

use crate::storage::Versions;
use crate::{Secret, Timestamp};

/// The order a listing walks. Every order ends with the name, so each position is unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListOrder {
    Name,
    Created,
    Updated,
    /// Never-read secrets come first (ascending).
    LastAccessed,
}

impl ListOrder {
    /// The secret's sort key before its name; `Name` has none (0 for all).
    pub fn key(self, s: &Secret) -> i64 {
        match self {
            Self::Name => 0,
            Self::Created => s.created.millis(),
            Self::Updated => s.updated.millis(),
            Self::LastAccessed => s.last_accessed.map_or(NEVER, Timestamp::millis),
        }
    }
}

/// The sort key of a secret never read: before every time.
pub const NEVER: i64 = i64::MIN;

/// Where a listing resumes: just after the secret with this key and name, in the listing's
/// direction. It names a place, not a secret, so deleting that secret does not lose it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    pub key: i64,
    pub name: String,
}

impl Position {
    /// Where a listing by name resumes after `name` (name order has no key of its own).
    pub fn after_name(name: impl Into<String>) -> Self {
        Self {
            key: 0,
            name: name.into(),
        }
    }

    pub fn of(order: ListOrder, s: &Secret) -> Self {
        Self {
            key: order.key(s),
            name: s.name.clone(),
        }
    }
}

/// Which secrets a caller's filter keeps, judged on metadata only: versions are loaded for
/// the secrets of the page alone.
pub type Keep<'a> = &'a dyn Fn(&Secret) -> bool;

pub struct ListQuery<'a> {
    pub order: ListOrder,
    pub descending: bool,
    pub after: Option<Position>,
    /// Matching secrets to pass over before the page (page-number paging).
    pub skip: usize,
    pub limit: usize,
    /// Secrets in their deletion window too.
    pub include_deleted: bool,
    pub keep: Option<Keep<'a>>,
    /// Count every matching secret (Alibaba `TotalCount`); costs a pass over the scope when
    /// `keep` is set.
    pub count: bool,
    /// The page's secrets carry only their stages ([`Versions::Stages`]), not every version.
    pub stages_only: bool,
    /// Only names that start with this: a necessary condition of `keep` the store checks on
    /// its name column, so rows it rules out are never decoded (and a listing in name order
    /// seeks straight to them).
    pub name_prefix: Option<&'a str>,
}

impl<'a> ListQuery<'a> {
    /// The first `limit` secrets in `order`, ascending, none skipped or filtered.
    pub fn new(order: ListOrder, limit: usize) -> Self {
        Self {
            order,
            descending: false,
            after: None,
            skip: 0,
            limit,
            include_deleted: false,
            keep: None,
            count: false,
            stages_only: false,
            name_prefix: None,
        }
    }

    /// Whether `s` lies after the resume position in this listing's direction.
    pub fn is_after(&self, s: &Secret) -> bool {
        let Some(p) = &self.after else { return true };
        let here = (self.order.key(s), s.name.as_str());
        let there = (p.key, p.name.as_str());
        if self.descending {
            here < there
        } else {
            here > there
        }
    }

    /// Whether `s` belongs in the listing at `now`, wherever it is.
    pub fn admits(&self, s: &Secret, now: Timestamp) -> bool {
        match s.deletion {
            Some(d) if d.purge_at <= now || !self.include_deleted => false,
            _ => {
                self.name_prefix.is_none_or(|p| s.name.starts_with(p))
                    && self.keep.is_none_or(|k| k(s))
            }
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListPage {
    pub secrets: Vec<Secret>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Position>,
    /// Every matching secret, when the query asked for the count.
    pub total: Option<usize>,
}

/// The reference: `secrets` in any order, all of one scope, answered the slow way.
pub fn page_of(
    secrets: impl IntoIterator<Item = Secret>,
    q: &ListQuery<'_>,
    now: Timestamp,
) -> ListPage {
    let mut all: Vec<Secret> = secrets.into_iter().filter(|s| q.admits(s, now)).collect();
    all.sort_by(|a, b| (q.order.key(a), &a.name).cmp(&(q.order.key(b), &b.name)));
    if q.descending {
        all.reverse();
    }
    let total = q.count.then_some(all.len());
    let rest: Vec<Secret> = all
        .into_iter()
        .filter(|s| q.is_after(s))
        .skip(q.skip)
        .collect();
    let more = rest.len() > q.limit;
    let secrets: Vec<Secret> = rest
        .into_iter()
        .take(q.limit)
        .map(|s| match q.stages_only {
            true => Versions::Stages.keep(s),
            false => s,
        })
        .collect();
    let next = more
        .then(|| secrets.last().map(|s| Position::of(q.order, s)))
        .flatten();
    ListPage {
        secrets,
        next,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Deletion;

    fn secret(name: &str, created: i64) -> Secret {
        Secret::new(name, name, "x", Timestamp::from_millis(created))
    }

    fn names(p: &ListPage) -> Vec<&str> {
        p.secrets.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn pages_resume_after_their_position_in_either_direction() {
        let all = vec![
            secret("c", 1),
            secret("a", 2),
            secret("b", 2),
            secret("d", 3),
        ];
        let now = Timestamp::from_millis(10);
        let mut q = ListQuery::new(ListOrder::Created, 2);
        let first = page_of(all.clone(), &q, now);
        assert_eq!(names(&first), ["c", "a"]);
        q.after = first.next.clone();
        let second = page_of(all.clone(), &q, now);
        assert_eq!(names(&second), ["b", "d"]);
        assert_eq!(second.next, None);

        let mut q = ListQuery::new(ListOrder::Created, 3);
        q.descending = true;
        let first = page_of(all.clone(), &q, now);
        assert_eq!(names(&first), ["d", "b", "a"]);
        q.after = first.next;
        assert_eq!(names(&page_of(all, &q, now)), ["c"]);
    }

    #[test]
    fn a_position_survives_the_deletion_of_its_secret() {
        let all = vec![secret("a", 0), secret("c", 0)];
        let mut q = ListQuery::new(ListOrder::Name, 10);
        q.after = Some(Position::after_name("b"));
        assert_eq!(names(&page_of(all, &q, Timestamp::from_millis(0))), ["c"]);
    }

    #[test]
    fn deletion_filter_skip_and_count() {
        let mut deleted = secret("b", 0);
        deleted.deletion = Some(Deletion {
            deleted_at: Timestamp::from_millis(0),
            purge_at: Timestamp::from_millis(100),
        });
        let all = vec![secret("a", 0), deleted, secret("c", 0), secret("dd", 0)];
        let short = |s: &Secret| s.name.len() == 1;
        let mut q = ListQuery::new(ListOrder::Name, 1);
        q.keep = Some(&short);
        q.count = true;
        q.skip = 1;
        let p = page_of(all.clone(), &q, Timestamp::from_millis(50));
        assert_eq!((names(&p), p.total), (vec!["c"], Some(2)));
        q.include_deleted = true;
        let p = page_of(all.clone(), &q, Timestamp::from_millis(50));
        assert_eq!((names(&p), p.total), (vec!["b"], Some(3)));
        // Past its purge time a secret is gone even before the purge runs.
        let p = page_of(all, &q, Timestamp::from_millis(100));
        assert_eq!((names(&p), p.total), (vec!["c"], Some(2)));
    }
}
