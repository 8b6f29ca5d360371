//! Four-eyes export requests in the records (`export_requests`, schema 8): asked for by one
//! directorate user, approved by another, downloaded once by the first
//! ([`crate::archive::ExportRequest`] holds the rules).

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::archive::ExportRequest;
use crate::store::StoreError;
use crate::store::records::sql_records::time;
use crate::store::sql::conn::{Param, Row};
use crate::store::sql::rows::corrupt;

fn request_row(r: &mut Row) -> Result<ExportRequest, StoreError> {
    let opt_time = |t: Option<String>| t.as_deref().map(time).transpose();
    Ok(ExportRequest {
        id: u64::try_from(r.int(0)?).map_err(|_| corrupt("a record holds a bad request number"))?,
        requested_by: r.text(1)?,
        requested_at: time(&r.text(2)?)?,
        approved_by: r.opt_text(3)?,
        approved_at: opt_time(r.opt_text(4)?)?,
        downloaded_at: opt_time(r.opt_text(5)?)?,
    })
}

/// Runs the one-row update `sql` (parameters `params`) durably; answers whether it changed it.
fn update_one(
    records: &crate::store::Records,
    sql: &'static str,
    params: Vec<Param<'static>>,
) -> Result<bool, StoreError> {
    let changed: Arc<Mutex<bool>> = Arc::default();
    let out = changed.clone();
    records.write(move |c| {
        let n = c.execute(sql, &params)?;
        *out.lock().unwrap_or_else(PoisonError::into_inner) = n == 1;
        Ok(())
    })?;
    Ok(*changed.lock().unwrap_or_else(PoisonError::into_inner))
}

impl crate::store::Records {
    /// Records a new export request by `user_id` at `at`; answers it.
    pub fn request_export(
        &self,
        user_id: &str,
        at: DateTime<Utc>,
    ) -> Result<ExportRequest, StoreError> {
        let made: Arc<Mutex<Option<u64>>> = Arc::default();
        let (out, user, when) = (made.clone(), user_id.to_owned(), at.to_rfc3339());
        self.write(move |c| {
            let id = c
                .query_one(
                    "INSERT INTO export_requests (requested_by, requested_at) VALUES (?1, ?2)
                     RETURNING id",
                    &[Param::Str(&user), Param::Str(&when)],
                )?
                .int(0)?;
            *out.lock().unwrap_or_else(PoisonError::into_inner) = u64::try_from(id).ok();
            Ok(())
        })?;
        let id = made
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .ok_or_else(|| corrupt("an export request was not numbered"))?;
        self.export_request(id)?
            .ok_or_else(|| corrupt("an export request was not kept"))
    }

    /// Export request `id`, if any.
    pub fn export_request(&self, id: u64) -> Result<Option<ExportRequest>, StoreError> {
        self.with(|c| {
            c.query_opt(
                "SELECT id, requested_by, requested_at, approved_by, approved_at, downloaded_at
                 FROM export_requests WHERE id = ?1",
                &[Param::count(id)],
            )?
            .as_mut()
            .map(request_row)
            .transpose()
        })
    }

    /// Approves request `id` by `user_id` at `at` if it is still pending and not the
    /// approver's own; answers whether it did.
    pub fn approve_export(
        &self,
        id: u64,
        user_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        update_one(
            self,
            "UPDATE export_requests SET approved_by = ?2, approved_at = ?3
             WHERE id = ?1 AND approved_at IS NULL AND requested_by <> ?2",
            vec![
                Param::count(id),
                Param::Text(user_id.to_owned()),
                Param::Text(at.to_rfc3339()),
            ],
        )
    }

    /// Marks approved request `id` of `user_id` downloaded at `at`, once; answers whether it
    /// did (false: not theirs, not approved, or downloaded already).
    pub fn claim_export(
        &self,
        id: u64,
        user_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        update_one(
            self,
            "UPDATE export_requests SET downloaded_at = ?3
             WHERE id = ?1 AND requested_by = ?2
               AND approved_at IS NOT NULL AND downloaded_at IS NULL",
            vec![
                Param::count(id),
                Param::Text(user_id.to_owned()),
                Param::Text(at.to_rfc3339()),
            ],
        )
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use chrono::Utc;

    use crate::store::Records;

    #[test]
    fn a_request_is_approved_by_another_and_downloaded_once() {
        let records = Records::in_memory().unwrap();
        let now = Utc::now();
        let r = records.request_export("ana", now).unwrap();
        assert_eq!((r.requested_by.as_str(), r.approved_at), ("ana", None));
        assert!(
            !records.claim_export(r.id, "ana", now).unwrap(),
            "not approved"
        );
        assert!(
            !records.approve_export(r.id, "ana", now).unwrap(),
            "not one's own"
        );
        assert!(records.approve_export(r.id, "bea", now).unwrap());
        assert!(!records.approve_export(r.id, "eva", now).unwrap(), "once");
        assert!(
            !records.claim_export(r.id, "bea", now).unwrap(),
            "the requester's"
        );
        assert!(records.claim_export(r.id, "ana", now).unwrap());
        assert!(
            !records.claim_export(r.id, "ana", now).unwrap(),
            "one download"
        );
        let done = records.export_request(r.id).unwrap().unwrap();
        assert_eq!(done.approved_by.as_deref(), Some("bea"));
        assert!(done.downloaded_at.is_some());
        assert_eq!(records.export_request(99).unwrap(), None);
    }
}
