//! The audit log's table (`audit_log`, schema 6): [`crate::audit::AuditEntry`] lines written
//! durably and read newest first, through the one SQL layer. The entry is kept whole as JSON,
//! beside the columns a filter needs (time, user, kind).

use crate::audit::{AuditEntry, AuditFilter};
use crate::store::StoreError;
use crate::store::sql::conn::Param;
use crate::store::sql::rows::corrupt;

impl crate::store::Records {
    /// Writes an audit-log line, durably.
    pub fn log_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let json = serde_json::to_string(entry)
            .map_err(|_| corrupt("an audit entry could not be written as JSON"))?;
        let (at, user, kind) = (
            entry.at.to_rfc3339(),
            entry.user_id.clone(),
            entry.event.kind(),
        );
        self.write(move |c| {
            c.execute(
                "INSERT INTO audit_log (at, user_id, kind, entry) VALUES (?1, ?2, ?3, ?4)",
                &[
                    Param::Str(&at),
                    Param::opt(user.as_deref()),
                    Param::Str(kind),
                    Param::Str(&json),
                ],
            )
            .map(drop)
        })
    }

    /// The audit-log lines of `user_id` of any of `kinds`, newest first, at most `limit`
    /// (what a person sees of their own account, [`crate::accounts::activity`]).
    pub fn user_audit(
        &self,
        user_id: &str,
        kinds: &[&str],
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let marks: Vec<String> = (0..kinds.len()).map(|i| format!("?{}", i + 3)).collect();
        let sql = format!(
            "SELECT entry FROM audit_log WHERE user_id = ?1 AND kind IN ({})
             ORDER BY id DESC LIMIT ?2",
            marks.join(", ")
        );
        let mut params = vec![Param::Str(user_id), Param::Int(limit.into())];
        params.extend(kinds.iter().map(|k| Param::Str(k)));
        self.with(|c| {
            c.query(&sql, &params)?
                .iter_mut()
                .map(|r| {
                    serde_json::from_str(&r.text(0)?)
                        .map_err(|_| corrupt("an audit entry is not one this build reads"))
                })
                .collect()
        })
    }

    /// Audit-log lines matching `filter`, newest first.
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let since = filter.since.map(|s| s.to_rfc3339());
        self.with(|c| {
            c.query(
                "SELECT entry FROM audit_log
                 WHERE (CAST(?1 AS TEXT) IS NULL OR user_id = ?1)
                   AND (CAST(?2 AS TEXT) IS NULL OR kind = ?2)
                   AND (CAST(?3 AS TEXT) IS NULL OR at >= ?3)
                 ORDER BY id DESC LIMIT ?4",
                &[
                    Param::opt(filter.user_id.as_deref()),
                    Param::opt(filter.kind.as_deref()),
                    Param::opt(since.as_deref()),
                    Param::Int(filter.limit.into()),
                ],
            )?
            .iter_mut()
            .map(|r| {
                serde_json::from_str(&r.text(0)?)
                    .map_err(|_| corrupt("an audit entry is not one this build reads"))
            })
            .collect()
        })
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use crate::actor::{Actor, Role};
    use crate::audit::{AuditEntry, AuditEvent, AuditFilter};
    use crate::store::Records;

    fn search(results: u32) -> AuditEvent {
        AuditEvent::CaseSearch {
            fields: vec!["name".into()],
            terms: vec!["9f86d081884c7d65".into()],
            results,
        }
    }

    #[test]
    fn entries_come_back_whole_newest_first_and_filtered() {
        let records = Records::in_memory().unwrap();
        let ana = Actor::new("ana", Role::Officer, "TAP");
        let dir = Actor::new("dir", Role::Directorate, "");
        records.log_audit(&AuditEntry::by(&ana, search(1))).unwrap();
        let second = AuditEntry::by(&dir, search(2)).from_client(Some("c0ffee".into()));
        records.log_audit(&second).unwrap();

        let all = records
            .audit_log(&AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            })
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0], second, "newest first, every field kept");
        assert_eq!(all[0].office, None, "the directorate has no office");

        let ana_only = records
            .audit_log(&AuditFilter {
                user_id: Some("ana".into()),
                kind: Some("case_search".into()),
                limit: 10,
                ..AuditFilter::default()
            })
            .unwrap();
        assert_eq!(ana_only.len(), 1);
        assert_eq!(ana_only[0].office.as_deref(), Some("TAP"));
        let none = records
            .audit_log(&AuditFilter {
                kind: Some("sign_in".into()),
                limit: 10,
                ..AuditFilter::default()
            })
            .unwrap();
        assert!(none.is_empty());
    }
}
