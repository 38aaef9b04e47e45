//! Referral search: the filters, visibility and keyset cursor of [`Store::search_referrals`],
//! and the summaries and pages it answers with.

use super::*;

impl Store {
    /// Searches referrals with keyset pagination.
    pub async fn search_referrals(
        &self,
        search: &ReferralSearch,
    ) -> Result<ReferralPage, StoreError> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM referrals r");
        let mut binds: Vec<Bind> = Vec::new();
        let mut clauses = conditions(search, &mut binds);
        let mut add = |clause: &str, value: Bind| {
            binds.push(value);
            clauses.push(clause.replace("$?", &format!("${}", binds.len())));
        };
        if let Some(cursor) = &search.after {
            let cursor = Cursor::parse(cursor)?;
            match search.sort {
                ReferralSort::Newest => {
                    add(
                        "(r.received_at < $? OR (r.received_at = ",
                        Bind::Int(cursor.received_at),
                    );
                    let last = clauses.len() - 1;
                    binds.push(Bind::Int(cursor.received_at));
                    binds.push(Bind::Text(cursor.id.clone()));
                    clauses[last].push_str(&format!(
                        "${} AND r.id < ${}))",
                        binds.len() - 1,
                        binds.len()
                    ));
                }
                ReferralSort::Priority => {
                    binds.push(Bind::Int(cursor.rank));
                    let a = binds.len();
                    binds.push(Bind::Int(cursor.received_at));
                    let b = binds.len();
                    binds.push(Bind::Text(cursor.id.clone()));
                    let c = binds.len();
                    clauses.push(format!(
                        "(r.priority_rank > ${a} OR (r.priority_rank = ${a} AND (r.received_at > ${b} OR (r.received_at = ${b} AND r.id > ${c}))))"
                    ));
                }
            }
        }
        if let Some(v) = &search.visible_to {
            clauses.push(visibility_clause(v, &mut binds));
        }
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(match search.sort {
            ReferralSort::Newest => " ORDER BY r.received_at DESC, r.id DESC",
            ReferralSort::Priority => " ORDER BY r.priority_rank ASC, r.received_at ASC, r.id ASC",
        });
        let limit = search.limit.clamp(1, 500);
        sql.push_str(&format!(" LIMIT {}", limit + 1));
        let mut query = crate::search::searched(&sql);
        for bind in binds {
            query = match bind {
                Bind::Text(t) => query.bind(t),
                Bind::Int(i) => query.bind(i),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut items = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|last| {
                Cursor {
                    rank: last.priority.rank(),
                    received_at: ms(last.received_at),
                    id: last.id.to_string(),
                }
                .encode()
            })
        } else {
            None
        };
        Ok(ReferralPage { items, next })
    }
}

/// The `WHERE` conditions of a search's filters and terms (`r` is the referrals table; not
/// the cursor nor the visibility), their values appended to `binds`. One definition for the
/// API's keyset pages and the pages' numbered lists (`Store::referral_list`).
pub(crate) fn conditions(search: &ReferralSearch, binds: &mut Vec<Bind>) -> Vec<String> {
    let mut clauses: Vec<String> = Vec::new();
    let mut add = |clause: &str, value: Bind| {
        binds.push(value);
        clauses.push(clause.replace("$?", &format!("${}", binds.len())));
    };
    if let Some(nhs) = &search.nhs_number {
        add(
            "r.person_id IN (SELECT pn.id FROM persons pn WHERE pn.nhs_number = $?)",
            Bind::Text(nhs.as_digits()),
        );
    }
    if let Some(status) = search.status {
        add("r.status = $?", Bind::Text(status.as_str().into()));
    }
    if let Some(kind) = search.kind {
        add("r.kind = $?", Bind::Text(kind.as_str().into()));
    }
    if let Some(source) = search.source {
        add("r.source = $?", Bind::Text(source.as_str().into()));
    }
    if let Some(priority) = search.priority {
        add("r.priority = $?", Bind::Text(priority.as_str().into()));
    }
    if let Some(group) = search.need_group {
        add("r.need_group = $?", Bind::Text(group.as_str().into()));
    }
    if let Some(reason) = search.reason {
        add("r.primary_reason = $?", Bind::Text(reason.as_str().into()));
    }
    if let Some(person) = search.person_id {
        add("r.person_id = $?", Bind::Text(person.to_string()));
    }
    if let Some(from) = search.received_from {
        add("r.received_at >= $?", Bind::Int(ms(from)));
    }
    if let Some(to) = search.received_to {
        add("r.received_at < $?", Bind::Int(ms(to)));
    }
    if let Some(area) = &search.area {
        // A district (`ME14`) is the outward code before the space; an area (`ME`) is the
        // letters before the first digit, so `ME` never matches `M1` or `MEX…`.
        if area.chars().any(|c| c.is_ascii_digit()) {
            add(
                "EXISTS (SELECT 1 FROM persons pa WHERE pa.id = r.person_id AND pa.postcode LIKE $?)",
                Bind::Text(format!("{area} %")),
            );
        } else {
            let next = area.len() + 1;
            add(
                &format!(
                    "EXISTS (SELECT 1 FROM persons pa WHERE pa.id = r.person_id AND pa.postcode LIKE $? \
                     AND SUBSTR(pa.postcode, {next}, 1) IN ('0','1','2','3','4','5','6','7','8','9'))"
                ),
                Bind::Text(format!("{area}%")),
            );
        }
    }
    if !search.sources.is_empty() {
        let mut placeholders = Vec::new();
        for source in &search.sources {
            binds.push(Bind::Text(source.as_str().into()));
            placeholders.push(format!("${}", binds.len()));
        }
        clauses.push(format!("r.source IN ({})", placeholders.join(", ")));
    }
    clauses.extend(crate::search::term_conditions(&search.terms, binds));
    clauses
}

/// The `WHERE` condition that keeps the referrals a principal may open (`r` is the referrals
/// table), its values appended to `binds`.
pub(crate) fn visibility_clause(v: &crate::auth::Visibility, binds: &mut Vec<Bind>) -> String {
    let mut any: Vec<String> = Vec::new();
    if v.single_point_of_access {
        binds.push(Bind::Int(v.cutoff_ms));
        any.push(format!(
            "(r.status <> 'closed' OR r.closed_at > ${})",
            binds.len()
        ));
    }
    if !v.service_ids.is_empty() {
        binds.push(Bind::Int(v.cutoff_ms));
        let cutoff = binds.len();
        let mut placeholders = Vec::new();
        for service in &v.service_ids {
            binds.push(Bind::Text(service.clone()));
            placeholders.push(format!("${}", binds.len()));
        }
        any.push(format!(
            "EXISTS (SELECT 1 FROM allocations a WHERE a.person_id = r.person_id AND \
             a.service_id IN ({}) AND (a.ended_at IS NULL OR a.ended_at > ${cutoff}))",
            placeholders.join(", ")
        ));
    }
    if let Some(org) = &v.submitted_by_org {
        binds.push(Bind::Text(org.clone()));
        any.push(format!("r.submitted_by_org = ${}", binds.len()));
    }
    if let Some(user) = &v.user_id {
        binds.push(Bind::Text(user.clone()));
        let u = binds.len();
        binds.push(Bind::Int(v.now_ms));
        let n = binds.len();
        any.push(format!(
            "EXISTS (SELECT 1 FROM break_glass b WHERE b.person_id = r.person_id AND \
             b.user_id = ${u} AND b.starts_at <= ${n} AND b.expires_at > ${n})"
        ));
    }
    if any.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("({})", any.join(" OR "))
    }
}

/// The columns [`summary_from_row`] reads (`r` is the referrals table).
pub(crate) const SUMMARY_COLUMNS: &str = "r.id, r.person_id, r.kind, r.source, r.priority, r.priority_rank, r.primary_reason, r.status, r.need_group, \
     r.received_at, r.triaged_at, r.closed_at, r.destination_kind, r.destination_name, r.version, \
     r.requested_priority, r.risk_level, r.risk_review_due";

/// A query with its values bound in order.
pub(crate) fn bind_all<'q>(
    sql: &'q str,
    binds: &[Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = match bind {
            Bind::Text(t) => query.bind(t.clone()),
            Bind::Int(i) => query.bind(*i),
        };
    }
    query
}

pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

/// Search parameters for referrals.
#[derive(Debug, Clone)]
pub struct ReferralSearch {
    /// Status.
    pub status: Option<ReferralStatus>,
    /// Source.
    pub source: Option<nwd_domain::codes::ReferralSource>,
    /// Priority.
    pub priority: Option<nwd_domain::codes::Priority>,
    /// Current need group.
    pub need_group: Option<nwd_domain::need::NeedGroup>,
    /// Primary reason.
    pub reason: Option<nwd_domain::codes::ReasonCode>,
    /// The young person.
    pub person_id: Option<PersonId>,
    /// The young person's NHS number.
    pub nhs_number: Option<nwd_domain::NhsNumber>,
    /// Received at or after.
    pub received_from: Option<Timestamp>,
    /// Received before.
    pub received_to: Option<Timestamp>,
    /// The young person's postcode area (`ME`) or district (`ME14`), upper case.
    pub area: Option<String>,
    /// Referral or advice request.
    pub kind: Option<nwd_domain::referral::ReferralKind>,
    /// Any of these sources (a source group); empty: any source.
    pub sources: Vec<nwd_domain::codes::ReferralSource>,
    /// Reference, name, NHS number, date of birth.
    pub terms: nwd_domain::search::SearchTerms,
    /// Sort order.
    pub sort: ReferralSort,
    /// Page size (1–500).
    pub limit: u32,
    /// Cursor from the previous page.
    pub after: Option<String>,
    /// Only referrals the caller may open (None: no limit — for internal callers only).
    pub visible_to: Option<crate::auth::Visibility>,
}

impl Default for ReferralSearch {
    fn default() -> Self {
        ReferralSearch {
            status: None,
            source: None,
            priority: None,
            need_group: None,
            reason: None,
            person_id: None,
            nhs_number: None,
            received_from: None,
            received_to: None,
            area: None,
            kind: None,
            sources: Vec::new(),
            terms: nwd_domain::search::SearchTerms::default(),
            sort: ReferralSort::Newest,
            limit: 50,
            after: None,
            visible_to: None,
        }
    }
}

/// Orders for referral search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralSort {
    /// Most recently received first.
    Newest,
    /// Emergency first, then longest waiting (the triage queue's order).
    Priority,
}

/// One line of a referral search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralSummary {
    /// Id.
    pub id: ReferralId,
    /// The young person.
    pub person_id: PersonId,
    /// Kind.
    pub kind: String,
    /// Source.
    pub source: nwd_domain::codes::ReferralSource,
    /// Priority.
    pub priority: nwd_domain::codes::Priority,
    /// Primary reason; `None` until triage codes it (a referrer who chose only "not sure" or
    /// "something else": `nwd_domain::codes::PlainReason`).
    pub primary_reason: Option<nwd_domain::codes::ReasonCode>,
    /// Status.
    pub status: ReferralStatus,
    /// Need group.
    pub need_group: Option<nwd_domain::need::NeedGroup>,
    /// Received.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
    /// Triaged.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub triaged_at: Option<Timestamp>,
    /// Closed.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    /// Destination kind, when closed.
    pub destination_kind: Option<String>,
    /// Destination name, when closed.
    pub destination_name: Option<String>,
    /// Version.
    pub version: u32,
    /// An unverified sender's request for more urgency, pending triage.
    pub requested_priority: Option<nwd_domain::codes::Priority>,
    /// Current risk level (none: not assessed).
    pub risk: Option<nwd_domain::need::RiskLevel>,
    /// When the risk review becomes overdue.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub risk_review_due: Option<Timestamp>,
}

/// A page of search results.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralPage {
    /// Results.
    pub items: Vec<ReferralSummary>,
    /// Cursor for the next page, when there is one.
    pub next: Option<String>,
}

struct Cursor {
    rank: i64,
    received_at: i64,
    id: String,
}

impl Cursor {
    fn encode(&self) -> String {
        format!("{}.{}.{}", self.rank, self.received_at, self.id)
    }
    fn parse(text: &str) -> Result<Cursor, StoreError> {
        let bad = || {
            nwd_domain::DomainError::invalid(
                "after",
                "this cursor is not one this server issued; start from the first page",
            )
        };
        let mut parts = text.splitn(3, '.');
        let rank = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let received_at = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let id = parts
            .next()
            .filter(|p| Uuid::parse_str(p).is_ok())
            .ok_or_else(bad)?
            .to_string();
        Ok(Cursor {
            rank,
            received_at,
            id,
        })
    }
}

pub(crate) fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<ReferralSummary, StoreError> {
    let parse =
        |column: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(column)?) };
    let corrupt = StoreError::Corrupt;
    let need_group: Option<String> = row.try_get("need_group")?;
    let triaged: Option<i64> = row.try_get("triaged_at")?;
    let closed: Option<i64> = row.try_get("closed_at")?;
    let version: i64 = row.try_get("version")?;
    let requested: Option<String> = row.try_get("requested_priority")?;
    let risk: Option<String> = row.try_get("risk_level")?;
    let review: Option<i64> = row.try_get("risk_review_due")?;
    Ok(ReferralSummary {
        id: ReferralId(uuid(&parse("id")?)?),
        person_id: PersonId(uuid(&parse("person_id")?)?),
        kind: parse("kind")?,
        source: nwd_domain::codes::ReferralSource::parse(&parse("source")?).map_err(corrupt)?,
        priority: nwd_domain::codes::Priority::parse(&parse("priority")?)
            .map_err(StoreError::Corrupt)?,
        primary_reason: crate::referrals::primary_reason(&parse("primary_reason")?)?,
        status: match parse("status")?.as_str() {
            "awaiting_triage" => ReferralStatus::AwaitingTriage,
            "open" => ReferralStatus::Open,
            "closed" => ReferralStatus::Closed,
            other => return Err(StoreError::Corrupt(format!("status {other}"))),
        },
        need_group: need_group
            .map(|g| nwd_domain::need::NeedGroup::parse(&g))
            .transpose()
            .map_err(StoreError::Corrupt)?,
        received_at: ts(row.try_get("received_at")?)?,
        triaged_at: triaged.map(ts).transpose()?,
        closed_at: closed.map(ts).transpose()?,
        destination_kind: row.try_get("destination_kind")?,
        destination_name: row.try_get("destination_name")?,
        version: version as u32,
        requested_priority: requested
            .map(|p| nwd_domain::codes::Priority::parse(&p))
            .transpose()
            .map_err(StoreError::Corrupt)?,
        risk: risk
            .map(|r| nwd_domain::need::RiskLevel::parse(&r))
            .transpose()
            .map_err(StoreError::Corrupt)?,
        risk_review_due: review.map(ts).transpose()?,
    })
}
