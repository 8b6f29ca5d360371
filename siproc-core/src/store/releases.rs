//! The statistics releases' table (`stat_releases`, schema 7): each version of each period's
//! release ([`crate::stats::releases`]) kept as the JSON every partner reads, beside the
//! columns a list needs (id, version, period kind, publication time), through the one SQL
//! layer. A kept version is never changed: a correction is a new row.

use crate::stats::releases::{Period, PeriodKind, PublishedRelease, ReleaseSummary};
use crate::store::StoreError;
use crate::store::records::sql_records::{time, wire};
use crate::store::sql::conn::{Param, Row};
use crate::store::sql::rows::corrupt;

fn version_of(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| corrupt("a release version is out of range"))
}

fn summary(r: &mut Row) -> Result<ReleaseSummary, StoreError> {
    let id = r.text(0)?;
    let period = Period::parse(&id).ok_or_else(|| corrupt("a release has a bad id"))?;
    let (Some(from), Some(to)) = (period.first_day(), period.last_day()) else {
        return Err(corrupt("a release has a bad id"));
    };
    let kind: PeriodKind = wire(r.text(2)?, "period kind")?;
    Ok(ReleaseSummary {
        id,
        version: version_of(r.int(1)?)?,
        kind,
        from,
        to,
        published_at: time(&r.text(3)?)?,
    })
}

impl crate::store::Records {
    /// Keeps `release` (its id and version, its JSON as [`PublishedRelease::to_json`] writes
    /// it), durably. Another release already kept under the same id and version (a
    /// publication racing this one) is [`StoreError::Conflict`] naming the newest version.
    pub fn add_release(&self, release: &PublishedRelease) -> Result<(), StoreError> {
        let body = release.to_json();
        let kind = match release.kind {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
        };
        let (id, version, at) = (
            release.id.clone(),
            i64::from(release.version),
            release.published_at.to_rfc3339(),
        );
        let kept_body = body.clone();
        self.write(move |c| {
            c.execute(
                "INSERT INTO stat_releases (id, version, period, created_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id, version) DO NOTHING",
                &[
                    Param::Str(&id),
                    Param::Int(version),
                    Param::Str(kind),
                    Param::Str(&at),
                    Param::Str(&kept_body),
                ],
            )
            .map(drop)
        })?;
        match self.release_json(&release.id, Some(release.version))? {
            Some(kept) if kept == body => Ok(()),
            _ => Err(StoreError::Conflict {
                current: self.release_version(&release.id)?.unwrap_or(0).into(),
            }),
        }
    }

    /// The newest version of the release `id`, if it was ever published.
    pub fn release_version(&self, id: &str) -> Result<Option<u32>, StoreError> {
        self.with(|c| {
            c.query_one(
                "SELECT MAX(version) FROM stat_releases WHERE id = ?1",
                &[Param::Str(id)],
            )?
            .opt_int(0)?
            .map(version_of)
            .transpose()
        })
    }

    /// The kept JSON of version `version` of the release `id` (the newest when `None`): the
    /// bytes every partner reads.
    pub fn release_json(
        &self,
        id: &str,
        version: Option<u32>,
    ) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            c.query_opt(
                "SELECT body FROM stat_releases
                 WHERE id = ?1 AND (CAST(?2 AS BIGINT) IS NULL OR version = ?2)
                 ORDER BY version DESC LIMIT 1",
                &[Param::Str(id), Param::opt_int(version.map(i64::from))],
            )?
            .map(|mut r| r.text(0))
            .transpose()
        })
    }

    /// Every kept version of every release, newest period first, newest version first.
    pub fn releases(&self) -> Result<Vec<ReleaseSummary>, StoreError> {
        let mut list = self.with(|c| {
            c.query(
                "SELECT id, version, period, created_at FROM stat_releases",
                &[],
            )?
            .iter_mut()
            .map(summary)
            .collect::<Result<Vec<_>, _>>()
        })?;
        list.sort_by(|a, b| {
            (b.to, b.kind == PeriodKind::Month, b.version).cmp(&(
                a.to,
                a.kind == PeriodKind::Month,
                a.version,
            ))
        });
        Ok(list)
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use chrono::{TimeZone, Utc};

    use crate::Catalog;
    use crate::stats::releases::{self, Period};
    use crate::store::{MemoryStore, Records, StoreError};

    #[test]
    fn releases_are_kept_whole_and_versions_never_change() {
        let records = Records::in_memory().unwrap();
        let catalog = Catalog::honduras().unwrap();
        let store = MemoryStore::new();
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 8, 0, 0).unwrap();
        let sep = Period::parse("2026-09").unwrap();
        let q3 = Period::parse("2026-Q3").unwrap();
        assert_eq!(records.release_version("2026-09").unwrap(), None);
        let first = releases::compute(&store, &catalog, sep, 1, now).unwrap();
        records.add_release(&first).unwrap();
        // The same version again, computed later, is refused: a kept version never changes.
        let later = releases::compute(&store, &catalog, sep, 1, now + chrono::TimeDelta::days(1));
        let e = records.add_release(&later.unwrap()).unwrap_err();
        assert_eq!(e, StoreError::Conflict { current: 1 });
        let second = releases::compute(&store, &catalog, sep, 2, now).unwrap();
        records.add_release(&second).unwrap();
        records
            .add_release(&releases::compute(&store, &catalog, q3, 1, now).unwrap())
            .unwrap();
        assert_eq!(records.release_version("2026-09").unwrap(), Some(2));
        assert_eq!(
            records.release_json("2026-09", Some(1)).unwrap(),
            Some(first.to_json())
        );
        assert_eq!(
            records.release_json("2026-09", None).unwrap(),
            Some(second.to_json())
        );
        assert_eq!(records.release_json("2026-08", None).unwrap(), None);
        let list: Vec<(String, u32)> = records
            .releases()
            .unwrap()
            .into_iter()
            .map(|s| (s.id, s.version))
            .collect();
        assert_eq!(
            list,
            [
                ("2026-09".into(), 2),
                ("2026-09".into(), 1),
                ("2026-Q3".into(), 1)
            ]
        );
    }
}
