//! Break-the-glass grants in the records (`server_grants`, with schema 8's reason code, office
//! and end): taken within a daily quota in one transaction, read by their holder's reads,
//! listed for the owning office's supervisors, ended early by them.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::access::{AccessError, Grant, check_grant_quota};
use crate::store::StoreError;
use crate::store::records::sql_records::time;
use crate::store::sql::conn::{Conn, Dialect, Param, Row};
use crate::store::sql::rows::corrupt;

/// The columns [`grant_row`] reads, in its order.
const GRANT_COLUMNS: &str = "id, user_id, case_id, office, reason_code, reason, granted_at, \
                             expires_at, ended_at, ended_by";

fn grant_row(r: &mut Row) -> Result<Grant, StoreError> {
    let opt_time = |t: Option<String>| t.as_deref().map(time).transpose();
    Ok(Grant {
        id: Some(
            u64::try_from(r.int(0)?).map_err(|_| corrupt("a record holds a bad grant number"))?,
        ),
        user_id: r.text(1)?,
        case_id: Uuid::parse_str(&r.text(2)?)
            .map_err(|_| corrupt("a record holds a bad case id"))?,
        office: r.opt_text(3)?,
        // Grants from before schema 8 had no code.
        reason_code: r.opt_text(4)?.unwrap_or_default(),
        reason: r.text(5)?,
        granted_at: time(&r.text(6)?)?,
        expires_at: time(&r.text(7)?)?,
        ended_at: opt_time(r.opt_text(8)?)?,
        ended_by: r.opt_text(9)?,
    })
}

/// Takes `user_id`'s place in the queue of grant writes (PostgreSQL; SQLite's one writer already
/// orders them), so two grants at once cannot both pass the quota.
fn serialise_user(c: &mut dyn Conn, user_id: &str) -> Result<(), StoreError> {
    if c.dialect() == Dialect::Postgres {
        c.query_one(
            "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(?1))) t",
            &[Param::Str(user_id)],
        )?;
    }
    Ok(())
}

impl crate::store::Records {
    /// Stores `grant` if its user has taken fewer than `max_per_day` grants in the 24 hours
    /// before it (counting ended ones), in one transaction; answers it with its number, or the
    /// quota's refusal.
    pub fn take_grant(
        &self,
        grant: &Grant,
        max_per_day: u32,
    ) -> Result<Result<Grant, AccessError>, StoreError> {
        let outcome: Arc<Mutex<Option<Result<u64, AccessError>>>> = Arc::default();
        let (out, grant_) = (outcome.clone(), grant.clone());
        let since = (grant.granted_at - Duration::hours(24)).to_rfc3339();
        self.write(move |c| {
            let g = &grant_;
            serialise_user(c, &g.user_id)?;
            let taken = c
                .query_one(
                    "SELECT COUNT(*) FROM server_grants WHERE user_id = ?1 AND granted_at > ?2",
                    &[Param::Str(&g.user_id), Param::Str(&since)],
                )?
                .int(0)?;
            let answer = match check_grant_quota(u32::try_from(taken).unwrap_or(u32::MAX), max_per_day) {
                Err(refused) => Err(refused),
                Ok(()) => {
                    let id = c
                        .query_one(
                            "INSERT INTO server_grants (user_id, case_id, office, reason_code, reason,
                                 granted_at, expires_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                            &[
                                Param::Str(&g.user_id),
                                Param::Text(g.case_id.to_string()),
                                Param::opt(g.office.as_deref()),
                                Param::Str(&g.reason_code),
                                Param::Str(&g.reason),
                                Param::Text(g.granted_at.to_rfc3339()),
                                Param::Text(g.expires_at.to_rfc3339()),
                            ],
                        )?
                        .int(0)?;
                    Ok(u64::try_from(id).map_err(|_| corrupt("a grant number is negative"))?)
                }
            };
            *out.lock().unwrap_or_else(PoisonError::into_inner) = Some(answer);
            Ok(())
        })?;
        let answer = outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| corrupt("a grant was neither stored nor refused"))?;
        Ok(answer.map(|id| Grant {
            id: Some(id),
            ..grant.clone()
        }))
    }

    /// The grants of `user_id` on `case_id` in force at `now` (not expired, not ended).
    pub fn grants(
        &self,
        user_id: &str,
        case_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Vec<Grant>, StoreError> {
        let now = now.to_rfc3339();
        self.with(|c| {
            c.query(
                &format!(
                    "SELECT {GRANT_COLUMNS} FROM server_grants
                     WHERE user_id = ?1 AND case_id = ?2 AND expires_at > ?3
                       AND (ended_at IS NULL OR ended_at > ?3)"
                ),
                &[
                    Param::Str(user_id),
                    Param::Text(case_id.to_string()),
                    Param::Str(&now),
                ],
            )?
            .iter_mut()
            .map(grant_row)
            .collect()
        })
    }

    /// Grant number `id`, if any.
    pub fn grant(&self, id: u64) -> Result<Option<Grant>, StoreError> {
        self.with(|c| {
            c.query_opt(
                &format!("SELECT {GRANT_COLUMNS} FROM server_grants WHERE id = ?1"),
                &[Param::count(id)],
            )?
            .as_mut()
            .map(grant_row)
            .transpose()
        })
    }

    /// Grants numbered after `after`, oldest first, at most `limit`: on cases of `office` when
    /// given (else of every office), and only those in force at `active_at` when given.
    pub fn grants_after(
        &self,
        office: Option<&str>,
        active_at: Option<DateTime<Utc>>,
        after: u64,
        limit: u32,
    ) -> Result<Vec<Grant>, StoreError> {
        let at = active_at.map(|t| t.to_rfc3339());
        self.with(|c| {
            c.query(
                &format!(
                    "SELECT {GRANT_COLUMNS} FROM server_grants
                     WHERE id > ?1
                       AND (CAST(?2 AS TEXT) IS NULL OR office = ?2)
                       AND (CAST(?3 AS TEXT) IS NULL
                            OR (expires_at > ?3 AND (ended_at IS NULL OR ended_at > ?3)))
                     ORDER BY id LIMIT ?4"
                ),
                &[
                    Param::count(after),
                    Param::opt(office),
                    Param::opt(at.as_deref()),
                    Param::Int(limit.into()),
                ],
            )?
            .iter_mut()
            .map(grant_row)
            .collect()
        })
    }

    /// The number of the latest grant (0 when none): where a stream of new grants starts.
    pub fn grants_head(&self) -> Result<u64, StoreError> {
        self.with(|c| {
            let n = c
                .query_one("SELECT COALESCE(MAX(id), 0) FROM server_grants", &[])?
                .int(0)?;
            u64::try_from(n).map_err(|_| corrupt("a grant number is negative"))
        })
    }

    /// Ends grant `id` at `at`, by `by`, if it is in force then; answers whether it ended now
    /// (false: no such grant, or one already expired or ended).
    pub fn end_grant(&self, id: u64, by: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let ended: Arc<Mutex<bool>> = Arc::default();
        let (out, by, at) = (ended.clone(), by.to_owned(), at.to_rfc3339());
        self.write(move |c| {
            let changed = c.execute(
                "UPDATE server_grants SET ended_at = ?2, ended_by = ?3
                 WHERE id = ?1 AND ended_at IS NULL AND expires_at > ?2",
                &[Param::count(id), Param::Str(&at), Param::Str(&by)],
            )?;
            *out.lock().unwrap_or_else(PoisonError::into_inner) = changed == 1;
            Ok(())
        })?;
        Ok(*ended.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use chrono::{Duration, Utc};
    use uuid::Uuid;

    use crate::access::{Grant, GrantReason};
    use crate::actor::{Actor, Role};
    use crate::store::Records;

    #[allow(clippy::unwrap_used)]
    fn grant(user: &str, office: &str, at: chrono::DateTime<Utc>) -> Grant {
        Grant::new(
            &Actor::new(user, Role::Officer, "TAP"),
            Uuid::now_v7(),
            Some(office.into()),
            &GrantReason {
                code: "national_at_office".into(),
                text: "asks for help at the counter".into(),
            },
            &crate::Catalog::honduras().unwrap(),
            at,
            3,
        )
        .unwrap()
    }

    #[test]
    fn grants_are_counted_per_user_per_day_listed_by_office_and_ended_once() {
        let records = Records::in_memory().unwrap();
        let now = Utc::now();
        let old = records
            .take_grant(&grant("ana", "MIA", now - Duration::hours(25)), 2)
            .unwrap()
            .unwrap();
        let first = records
            .take_grant(&grant("ana", "MIA", now), 2)
            .unwrap()
            .unwrap();
        let second = records
            .take_grant(&grant("ana", "HOU", now), 2)
            .unwrap()
            .unwrap();
        assert_eq!(
            records
                .take_grant(&grant("ana", "MIA", now), 2)
                .unwrap()
                .map_err(|e| e.code()),
            Err("access.too_many_grants"),
            "two a day: the one of yesterday does not count"
        );
        assert!(
            records
                .take_grant(&grant("bea", "MIA", now), 2)
                .unwrap()
                .is_ok()
        );
        assert_eq!(
            records.grants("ana", first.case_id, now).unwrap(),
            vec![first.clone()]
        );
        let mia = records.grants_after(Some("MIA"), Some(now), 0, 10).unwrap();
        assert_eq!(
            mia.len(),
            2,
            "ana's and bea's in force; yesterday's expired"
        );
        assert_eq!(
            records.grants_after(None, None, 0, 10).unwrap().len(),
            4,
            "every grant"
        );
        assert_eq!(records.grants_head().unwrap(), 4);
        assert_eq!(records.grant(old.id.unwrap()).unwrap(), Some(old));

        let id = first.id.unwrap();
        assert!(records.end_grant(id, "sup", now).unwrap());
        assert!(!records.end_grant(id, "sup", now).unwrap(), "once");
        assert!(
            records
                .grants("ana", first.case_id, now)
                .unwrap()
                .is_empty()
        );
        let ended = records.grant(id).unwrap().unwrap();
        assert_eq!(ended.ended_by.as_deref(), Some("sup"));
        assert!(!ended.is_active(now));
        assert_eq!(
            records.grants_after(Some("HOU"), Some(now), 0, 10).unwrap(),
            vec![second]
        );
    }
}
