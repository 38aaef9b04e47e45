//! Finding referrals for the staff pages: the search terms (`nwd_domain::search`) as SQL, the
//! numbered lists with their true totals (the triage queue and the staff search), and the
//! person search keys kept beside each person (migration 0015).
//!
//! **Offset pages here, keyset in the API.** A page is asked for by number (`?page=N`, the
//! design system's numbered pagination needs to jump to any page and to show the total), so
//! these lists read `LIMIT 50 OFFSET (N−1)×50` in the list's index order. That is cheap
//! because every list it serves is short or narrowed first: the triage queue is the referrals
//! awaiting triage (a few thousand at a million referrals, read from `referrals_by_status`),
//! and a search with a term is first narrowed to the matching people by an index. A search
//! with only filters can be long: its count stops at [`COUNT_CAP`] and the page says "more
//! than", so no request counts a million rows. The API keeps its keyset cursor
//! (`Store::search_referrals`), which costs the same on any page, for machines that walk
//! everything; both read the same conditions (`referrals::conditions`).

use jiff::civil::Date;
use nwd_domain::search::SearchTerms;
use sqlx::Row;

use crate::codec::date;
use crate::referrals::{conditions, summary_from_row, visibility_clause, Bind, SUMMARY_COLUMNS};
use crate::{ReferralSearch, ReferralSort, ReferralSummary, Store, StoreError};

/// Searches count at most this many matches; a list with more says "more than".
pub const COUNT_CAP: u64 = 1000;

/// A referral in a staff list, with who the young person is.
#[derive(Debug, Clone)]
pub struct ListedReferral {
    /// The referral.
    pub summary: ReferralSummary,
    /// The young person's given name.
    pub given_name: String,
    /// The young person's family name.
    pub family_name: String,
    /// The young person's date of birth.
    pub date_of_birth: Date,
}

/// One page of a staff list of referrals.
#[derive(Debug, Clone)]
pub struct ReferralList {
    /// How many match (at most `cap` when the count was capped).
    pub total: u64,
    /// True when there are more than `total`.
    pub more_than: bool,
    /// The page asked for, in the search's order.
    pub items: Vec<ListedReferral>,
}

/// A search's terms as conditions on the referrals table `r`: the names as ranges on the
/// referral's own copy of its young person's name keys (migration 0021), the NHS number and
/// date of birth as a condition on `r.person_id`, and the reference as a range on the
/// referral's id; values appended to `binds`. Empty when no term is given.
pub(crate) fn term_conditions(terms: &SearchTerms, binds: &mut Vec<Bind>) -> Vec<String> {
    terms_on(terms, "r.id", "r.person_id", Some("r"), 0, binds)
}

/// [`term_conditions`] on other columns: `referral_id` holds the referral's id and
/// `person_id` the young person's (e.g. `a.referral_id`, `a.person_id` on allocations); with
/// `name_keys` (a table alias, e.g. `a` for allocations, migration 0019, or `r` for referrals,
/// 0021) the name prefixes are ranges on that row's own copy of the person's `family_key` /
/// `given_key` instead of on the persons table. The placeholders are numbered after `base`
/// values bound before `binds`.
pub(crate) fn terms_on(
    terms: &SearchTerms,
    referral_id: &str,
    person_id: &str,
    name_keys: Option<&str>,
    base: usize,
    binds: &mut Vec<Bind>,
) -> Vec<String> {
    let mut clauses = Vec::new();
    if let Some(reference) = &terms.reference {
        binds.push(Bind::Text(reference.as_str().to_owned()));
        let low = base + binds.len();
        binds.push(Bind::Text(reference.upper()));
        let high = base + binds.len();
        clauses.push(format!(
            "{referral_id} >= ${low} AND {referral_id} < ${high}"
        ));
    }
    let (people, names) = people_conditions(terms, name_keys, base, binds);
    clauses.extend(names);
    if let Some(people) = people {
        clauses.push(format!("{person_id} IN ({people})"));
    }
    clauses
}

/// The person terms of a search (NHS number, date of birth, names; not the reference) as a
/// query of the people's ids (`SELECT p.id FROM persons p WHERE …`), `None` without such
/// terms; with `name_keys`, the name conditions are returned apart, on that table's copy of
/// the keys. Placeholders numbered after `base` values bound before `binds`.
fn people_conditions(
    terms: &SearchTerms,
    name_keys: Option<&str>,
    base: usize,
    binds: &mut Vec<Bind>,
) -> (Option<String>, Vec<String>) {
    let push = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", base + binds.len())
    };
    let mut person = Vec::new();
    if let Some(nhs) = &terms.nhs_number {
        let n = push(binds, Bind::Text(nhs.as_digits()));
        person.push(format!("p.nhs_number = {n}"));
    }
    if let Some(born) = terms.date_of_birth {
        let d = push(binds, Bind::Text(born.to_string()));
        person.push(format!("p.date_of_birth = {d}"));
    }
    let table = name_keys.unwrap_or("p");
    let prefix = |binds: &mut Vec<Bind>, column: &str, name: &nwd_domain::search::NamePrefix| {
        let low = push(binds, Bind::Text(name.as_str().to_owned()));
        match name.upper() {
            Some(upper) => {
                let high = push(binds, Bind::Text(upper));
                format!("({table}.{column} >= {low} AND {table}.{column} < {high})")
            }
            None => format!("{table}.{column} >= {low}"),
        }
    };
    let mut names = Vec::new();
    if let Some(family) = &terms.family {
        names.push(prefix(binds, "family_key", family));
    }
    if let Some(given) = &terms.given {
        names.push(prefix(binds, "given_key", given));
    }
    match terms.any_name.as_slice() {
        // Two words: given then family, family then given, or both prefixes of the one name —
        // the same as "each word is a given or family name", written so that each part is a
        // range on an index whose second column narrows it (migration 0020).
        // Both words begin one name only when one word begins the other: then that name
        // begins with the longer word, and otherwise no name does. Written so, the planner's
        // estimate stays near the truth: with the two impossible ranges spelt out it guessed
        // 9,650 referrals for 704 at 1,000,000 and walked the newest referrals (p50 64 ms).
        [first, second] => {
            let f1 = prefix(binds, "family_key", first);
            let g1 = prefix(binds, "given_key", first);
            let f2 = prefix(binds, "family_key", second);
            let g2 = prefix(binds, "given_key", second);
            let mut any = vec![format!("({g1} AND {f2})"), format!("({f1} AND {g2})")];
            let longer = if second.as_str().starts_with(first.as_str()) {
                Some(second)
            } else if first.as_str().starts_with(second.as_str()) {
                Some(first)
            } else {
                None
            };
            if let Some(word) = longer {
                any.push(prefix(binds, "family_key", word));
                any.push(prefix(binds, "given_key", word));
            }
            names.push(format!("({})", any.join(" OR ")));
        }
        words => {
            for word in words {
                let family = prefix(binds, "family_key", word);
                let given = prefix(binds, "given_key", word);
                names.push(format!("({family} OR {given})"));
            }
        }
    }
    let apart = match name_keys {
        Some(_) => names,
        None => {
            person.extend(names);
            Vec::new()
        }
    };
    let people = (!person.is_empty())
        .then(|| format!("SELECT p.id FROM persons p WHERE {}", person.join(" AND ")));
    (people, apart)
}

/// `sql` with `binds`, planned for these values each time (see [`searched`]).
fn bind_all<'q>(
    sql: &'q str,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = searched(sql);
    for bind in binds {
        query = match bind {
            Bind::Text(t) => query.bind(t.as_str()),
            Bind::Int(i) => query.bind(*i),
        };
    }
    query
}

impl Store {
    /// A numbered page of referrals for the staff pages: `search`'s filters and terms, only
    /// what `search.visible_to` may open, in its order (`Priority`: the most urgent first,
    /// then the longest waiting), `search.limit` of them after `offset`, with how many match —
    /// counted exactly when `count_cap` is `None` (a list bounded by its status, like the
    /// triage queue), else up to the cap.
    pub async fn referral_list(
        &self,
        search: &ReferralSearch,
        offset: u32,
        count_cap: Option<u64>,
    ) -> Result<ReferralList, StoreError> {
        let mut binds = Vec::new();
        let mut clauses = conditions(search, &mut binds);
        if let Some(v) = &search.visible_to {
            clauses.push(visibility_clause(v, &mut binds));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let count_sql = match count_cap {
            None => format!("SELECT COUNT(*) AS n FROM referrals r{filter}"),
            Some(cap) => format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM referrals r{filter} LIMIT {}) c",
                cap + 1
            ),
        };
        let counted: i64 = bind_all(&count_sql, &binds)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let counted = counted.max(0) as u64;
        let (total, more_than) = match count_cap {
            Some(cap) if counted > cap => (cap, true),
            _ => (counted, false),
        };
        // Clinical urgency: priority, then the risk assessed (higher first; not assessed after
        // every assessed level — COALESCE, as the two databases put NULLs at different ends),
        // then the longest waiting. The sort is over the filtered rows (the queue's few
        // thousand at most), so no index needs to hold the risk order.
        let order = match search.sort {
            ReferralSort::Newest => "r.received_at DESC, r.id DESC",
            ReferralSort::Priority => {
                "r.priority_rank, COALESCE(r.risk_rank, 0) DESC, r.received_at, r.id"
            }
        };
        // The page is chosen from the referrals alone; only its rows are joined to their
        // people (a search matching 700 referrals read 700 people for a page of 50).
        let page_sql = format!(
            "SELECT {SUMMARY_COLUMNS}, p.given_name, p.family_name, p.date_of_birth \
             FROM (SELECT r.* FROM referrals r{filter} ORDER BY {order} LIMIT {} OFFSET {offset}) r \
             JOIN persons p ON p.id = r.person_id ORDER BY {order}",
            search.limit.clamp(1, 500)
        );
        let rows = bind_all(&page_sql, &binds).fetch_all(&self.pool).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            items.push(ListedReferral {
                summary: summary_from_row(row)?,
                given_name: row.try_get("given_name")?,
                family_name: row.try_get("family_name")?,
                date_of_birth: date(&row.try_get::<String, _>("date_of_birth")?)?,
            });
        }
        Ok(ReferralList {
            total,
            more_than,
            items,
        })
    }
}

/// Who a listed referral is about: for lists read elsewhere (waiting lists, caseloads).
#[derive(Debug, Clone)]
pub struct ListedPerson {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// The referral's primary reason (`None` until triage codes it).
    pub primary_reason: Option<nwd_domain::codes::ReasonCode>,
}

impl Store {
    /// The young person and primary reason of each of `referrals` (a page of a list: one
    /// primary-key lookup each).
    pub async fn people_of(
        &self,
        referrals: &[nwd_domain::ReferralId],
    ) -> Result<std::collections::HashMap<nwd_domain::ReferralId, ListedPerson>, StoreError> {
        let mut people = std::collections::HashMap::with_capacity(referrals.len());
        if referrals.is_empty() {
            return Ok(people);
        }
        let placeholders: Vec<String> = (1..=referrals.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT r.id, r.primary_reason, p.given_name, p.family_name, p.date_of_birth \
             FROM referrals r JOIN persons p ON p.id = r.person_id WHERE r.id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in referrals {
            query = query.bind(id.to_string());
        }
        for row in query.fetch_all(&self.pool).await? {
            let id = nwd_domain::ReferralId(crate::codec::uuid(&row.try_get::<String, _>("id")?)?);
            people.insert(
                id,
                ListedPerson {
                    given_name: row.try_get("given_name")?,
                    family_name: row.try_get("family_name")?,
                    date_of_birth: date(&row.try_get::<String, _>("date_of_birth")?)?,
                    primary_reason: crate::referrals::primary_reason(
                        &row.try_get::<String, _>("primary_reason")?,
                    )?,
                },
            );
        }
        Ok(people)
    }
}

/// Fills in the name search keys of people stored before migration 0015 (or by an older
/// version of this program), and of their allocations (0019), in batches. Runs at connect; costs one indexed query when there
/// is nothing to do.
pub(crate) async fn fill_search_keys(pool: &sqlx::AnyPool) -> Result<(), StoreError> {
    loop {
        let rows = sqlx::query(
            "SELECT id, given_name, family_name FROM persons WHERE family_key IS NULL LIMIT 1000",
        )
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = pool.begin().await?;
        for row in &rows {
            let id: String = row.try_get("id")?;
            let given: String = row.try_get("given_name")?;
            let family: String = row.try_get("family_name")?;
            for table_and_column in [
                "persons SET family_key = $1, given_key = $2 WHERE id = $3",
                "allocations SET family_key = $1, given_key = $2 WHERE person_id = $3",
                "referrals SET family_key = $1, given_key = $2 WHERE person_id = $3",
            ] {
                sqlx::query(&format!("UPDATE {table_and_column}"))
                    .bind(nwd_domain::search::name_key(&family))
                    .bind(nwd_domain::search::name_key(&given))
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
    }
}

/// A search's query, not kept as a prepared statement: PostgreSQL plans it for the values
/// asked each time. A kept statement switches to a generic plan after five runs, which cannot
/// see how narrow a name prefix is; at 1,000,000 referrals a two-word staff search then
/// walked the referrals in priority order (p50 62 ms) where the plan for its values reads
/// 700 rows by the name indexes (4.6 ms). Planning costs well under a millisecond.
pub(crate) fn searched(
    sql: &str,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(sql).persistent(false)
}
