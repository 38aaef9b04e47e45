//! The population table and its loads (migration 0031), and the record's counts the need
//! page publishes ([`Store::need_counts`]).
//!
//! What a population must satisfy is the domain's (`nwd_domain::population::read_csv`, run
//! before calling here); loading replaces the whole table in one transaction with its audit
//! entry. The counts follow the dashboard's definitions — received in the period, seen when an
//! allocation of the referral has a first attended contact, the uptake groups of the young
//! person's current "about" record (`AboutYoungPerson::uptake_groups`, kept as
//! `nwd_domain::population::report::AboutFacts`) — and are classified by
//! `nwd_domain::population::report::NeedCounts::count`; the store counts from the dashboard's
//! kept inputs (`dashboard::mirror`, its `need` module), never reading every referral of the
//! period per view. The SQL it replaced is kept for the tests as `need_counts_by_sql`.

use jiff::Timestamp;
use nwd_domain::population::report::NeedCounts;
use nwd_domain::population::{ethnicity_key, parse_ethnicity, AgeBand, Area, Population, Sex};
use sqlx::Row;

use crate::codec::{ms, ts};
use crate::{Store, StoreError};

/// Rows per INSERT statement (6 values each, far below either database's limit).
const ROWS_PER_INSERT: usize = 200;

/// One load of the population table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationLoad {
    /// 1, 2, …
    pub load_id: i64,
    /// When.
    pub loaded_at: Timestamp,
    /// Who (the name shown).
    pub loaded_by: String,
    /// From what (a file name, "demo", …).
    pub source: String,
    /// Rows loaded.
    pub rows: i64,
    /// People counted.
    pub people: i64,
    /// The prevalence rates in force with it (TOML).
    pub prevalence: String,
}

/// The population in force and its load.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPopulation {
    /// The table.
    pub population: Population,
    /// Its load.
    pub load: PopulationLoad,
}

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(format!("population: {what}"))
}

impl Store {
    /// Replaces the whole population table with `population` and records the load, under
    /// `audit`, in one transaction; the load's number.
    pub async fn replace_population(
        &self,
        audit: &crate::audit::AuditContext,
        population: &Population,
        prevalence: &str,
        loaded_by: &str,
        source: &str,
    ) -> Result<i64, StoreError> {
        let mut w = self.begin_write().await?;
        // A write first, so that SQLite takes its write lock before anything is read.
        sqlx::query("DELETE FROM population")
            .execute(&mut *w.tx)
            .await?;
        let cells: Vec<_> = population.cells().collect();
        for chunk in cells.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let b = i * 6;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5,
                        b + 6
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO population (area, age_band, sex, ethnicity, deprivation_decile, people) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for c in chunk {
                query = query
                    .bind(c.area.as_str().to_owned())
                    .bind(c.band.key())
                    .bind(c.sex.key())
                    .bind(ethnicity_key(c.ethnicity))
                    .bind(i64::from(population.decile(c.area).unwrap_or(0)))
                    .bind(i64::try_from(c.people).unwrap_or(i64::MAX));
            }
            query.execute(&mut *w.tx).await?;
        }
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(load_id) FROM population_loads")
            .fetch_one(&mut *w.tx)
            .await?;
        let load_id = last.unwrap_or(0) + 1;
        audit.set_record("population", load_id.to_string());
        sqlx::query(
            "INSERT INTO population_loads (load_id, loaded_at, loaded_by, source, row_count, people, prevalence) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(load_id)
        .bind(ms(self.now()))
        .bind(loaded_by)
        .bind(source)
        .bind(i64::try_from(population.rows()).unwrap_or(i64::MAX))
        .bind(i64::try_from(population.people()).unwrap_or(i64::MAX))
        .bind(prevalence)
        .execute(&mut *w.tx)
        .await?;
        w.commit_audited(self.now(), audit).await?;
        Ok(load_id)
    }

    /// The population in force, if one was ever loaded.
    pub async fn population(&self) -> Result<Option<StoredPopulation>, StoreError> {
        let Some(load) = sqlx::query(
            "SELECT load_id, loaded_at, loaded_by, source, row_count, people, prevalence \
             FROM population_loads ORDER BY load_id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let load = PopulationLoad {
            load_id: load.try_get("load_id")?,
            loaded_at: ts(load.try_get("loaded_at")?)?,
            loaded_by: load.try_get("loaded_by")?,
            source: load.try_get("source")?,
            rows: load.try_get("row_count")?,
            people: load.try_get("people")?,
            prevalence: load.try_get("prevalence")?,
        };
        let rows = sqlx::query(
            "SELECT area, age_band, sex, ethnicity, deprivation_decile, people FROM population \
             ORDER BY area, age_band, sex, ethnicity",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut population = Population::default();
        for row in rows {
            let area = Area::parse(&row.try_get::<String, _>("area")?).map_err(corrupt)?;
            let band = AgeBand::parse(&row.try_get::<String, _>("age_band")?).map_err(corrupt)?;
            let sex = Sex::parse(&row.try_get::<String, _>("sex")?).map_err(corrupt)?;
            let ethnicity =
                parse_ethnicity(&row.try_get::<String, _>("ethnicity")?).map_err(corrupt)?;
            let decile = u8::try_from(row.try_get::<i64, _>("deprivation_decile")?)
                .map_err(|e| corrupt(e.to_string()))?;
            let people = u64::try_from(row.try_get::<i64, _>("people")?)
                .map_err(|e| corrupt(e.to_string()))?;
            population
                .add(area, band, sex, ethnicity, decile, people)
                .map_err(|(_, m)| corrupt(m))?;
        }
        Ok(Some(StoredPopulation { population, load }))
    }

    /// The record's exact counts for the need page: the referrals received in `[from, to)`,
    /// classified by `NeedCounts::count` (`in_population` says whether a district is in the
    /// population table), from the dashboard's kept inputs brought up to date.
    pub async fn need_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
        in_population: impl Fn(&Area) -> bool,
    ) -> Result<NeedCounts, StoreError> {
        let inputs = self.kept_inputs().await?;
        Ok(inputs.need_counts(ms(from), ms(to), in_population))
    }

    /// [`Store::need_counts`] read from the tables in one query, as before the kept inputs
    /// held what it counts (the tests compare the two; `nwd-bench money` times both).
    #[cfg(feature = "testing")]
    pub async fn need_counts_by_sql(
        &self,
        from: Timestamp,
        to: Timestamp,
        in_population: impl Fn(&Area) -> bool,
    ) -> Result<NeedCounts, StoreError> {
        use nwd_domain::about::AboutYoungPerson;
        use nwd_domain::population::report::{AboutFacts, ReferralFacts};
        let rows = sqlx::query(
            "SELECT r.received_at, p.date_of_birth, p.postcode, a.record, \
               (SELECT COUNT(*) FROM allocations al \
                 WHERE al.referral_id = r.id AND al.first_attended_at IS NOT NULL) AS seen \
             FROM referrals r JOIN persons p ON p.id = r.person_id \
             LEFT JOIN person_about a ON a.person_id = r.person_id \
             WHERE r.received_at >= $1 AND r.received_at < $2",
        )
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(&self.pool)
        .await?;
        let mut counts = NeedCounts::new();
        for row in rows {
            let received = ts(row.try_get("received_at")?)?
                .to_zoned(self.tz().clone())
                .date();
            let born = crate::codec::date(&row.try_get::<String, _>("date_of_birth")?)?;
            let age = (born <= received).then(|| nwd_domain::person::age_in_years(born, received));
            let postcode: Option<String> = row.try_get("postcode")?;
            let area = postcode
                .as_deref()
                .and_then(|p| nwd_domain::Postcode::parse(p).ok())
                .map(|p| Area::of_postcode(&p));
            let record: Option<String> = row.try_get("record")?;
            let about: AboutYoungPerson = match record {
                None => AboutYoungPerson::default(),
                Some(text) => serde_json::from_str(&text)
                    .map_err(|e| StoreError::Corrupt(format!("person_about: {e}")))?,
            };
            let seen: i64 = row.try_get("seen")?;
            counts.count(
                ReferralFacts {
                    area: area.as_ref(),
                    age,
                    about: AboutFacts::of(&about),
                    seen: seen > 0,
                },
                &in_population,
            );
        }
        Ok(counts)
    }
}
