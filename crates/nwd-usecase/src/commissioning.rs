//! The commissioning record for every door (issue 20): read the version in force, check a
//! document without saving it, save a new version (refused, writing nothing, with each
//! problem under its field's path — `contract[1].payment.price`, or the line and column of
//! a TOML mistake), restore an earlier version as a new one, and the payment and activity
//! statement of a contract for a financial year.
//!
//! Services are named in the document by the directory's name (or id); they are resolved
//! each time the record is read, so a service renamed in the directory makes the record fail
//! its check — shown, with the field, where the record is read — rather than be priced
//! against the wrong service.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::Timestamp;
use nwd_domain::commissioning::plan::{Contract, Element};
use nwd_domain::commissioning::statement::{contract_rows, element_row, StatementRow};
use nwd_domain::commissioning::{Commissioning, CommissioningDocument, FinancialYear, Quarter};
use nwd_domain::disclosure::Suppression;
use nwd_domain::{FieldError, ServiceId};
use nwd_store::commissioning::CommissioningVersion;
use nwd_store::{ServiceFilter, Store};

use crate::error::UseCaseError;

/// Largest document accepted, in bytes (an area's whole record is a few tens of kilobytes).
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;

/// Longest reason for a save, in characters.
pub const MAX_REASON: usize = 300;

/// The record as read: the version in force and what its check found.
#[derive(Debug, Clone)]
pub struct Record {
    /// The version (with its source), `None` when nothing was ever saved.
    pub version: Option<CommissioningVersion>,
    /// The checked record (empty when nothing was saved), or what no longer checks.
    pub plan: Result<Commissioning, Vec<FieldError>>,
}

impl Record {
    /// The version number in force (0 when nothing was saved): what an edit is made from.
    pub fn number(&self) -> i64 {
        self.version.as_ref().map_or(0, |v| v.version)
    }
}

/// Reads a TOML document: the line and column of a syntax mistake, the key of an unknown or
/// mistyped field.
pub fn parse(source: &str) -> Result<CommissioningDocument, UseCaseError> {
    if source.len() > MAX_DOCUMENT_BYTES {
        return Err(UseCaseError::field(
            "document",
            format!(
                "the document is {} bytes; at most {MAX_DOCUMENT_BYTES} are accepted",
                source.len()
            ),
        ));
    }
    toml::from_str(source).map_err(|e| {
        let place = e
            .span()
            .map(|span| {
                let before = &source[..span.start.min(source.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("line {line}, column {column}: ")
            })
            .unwrap_or_default();
        UseCaseError::field("document", format!("{place}{}", e.message().trim()))
    })
}

/// The directory's services by lower-cased name and by id (every service, taking referrals
/// or not: a contract may outlive a service's intake).
async fn directory(store: &Store) -> Result<HashMap<String, Vec<ServiceId>>, UseCaseError> {
    let filter = ServiceFilter {
        include_inactive: true,
        ..ServiceFilter::default()
    };
    let mut by_name: HashMap<String, Vec<ServiceId>> = HashMap::new();
    for (service, _) in store.search_services(&filter).await? {
        by_name
            .entry(service.details.name.trim().to_lowercase())
            .or_default()
            .push(service.id);
        by_name
            .entry(service.id.to_string())
            .or_default()
            .push(service.id);
    }
    Ok(by_name)
}

/// Checks `document` against the directory.
pub async fn check(
    store: &Store,
    document: &CommissioningDocument,
) -> Result<Commissioning, UseCaseError> {
    let by_name = directory(store).await?;
    let resolve = |name: &str| -> Result<ServiceId, String> {
        match by_name.get(&name.trim().to_lowercase()).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some([_, ..]) => Err(format!(
                "{name:?} names several services in the directory: use the service's id"
            )),
            _ => Err(format!("{name:?} is not a service in the directory")),
        }
    };
    document
        .check(&resolve)
        .map_err(|errors| UseCaseError::Invalid(errors.0))
}

/// Parses and checks `source`.
pub async fn check_source(store: &Store, source: &str) -> Result<Commissioning, UseCaseError> {
    let document = parse(source)?;
    check(store, &document).await
}

/// The record in force.
pub async fn current(store: &Store) -> Result<Record, UseCaseError> {
    let version = store.commissioning_current().await?;
    let plan = match &version {
        None => Ok(Commissioning::default()),
        Some(v) => match check_source(store, &v.source).await {
            Ok(plan) => Ok(plan),
            Err(UseCaseError::Invalid(errors)) => Err(errors),
            Err(other) => return Err(other),
        },
    };
    Ok(Record { version, plan })
}

fn check_reason(reason: &str) -> Result<(), UseCaseError> {
    if reason.trim().is_empty() {
        return Err(UseCaseError::field(
            "reason",
            "say why the record changes (it is kept with the version)",
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(UseCaseError::field(
            "reason",
            format!("at most {MAX_REASON} characters"),
        ));
    }
    Ok(())
}

/// Saves `source` as the version after `edited_from` (the version the editor started from; 0
/// for the first). Refused, writing nothing, when it does not check, when the reason is
/// missing, or (`Store(Conflict)`) when someone saved since `edited_from`.
pub async fn save(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
    by: &str,
    edited_from: i64,
    source: &str,
    reason: &str,
) -> Result<i64, UseCaseError> {
    check_reason(reason)?;
    check_source(store, source).await?;
    Ok(store
        .save_commissioning(audit, edited_from, source, by, reason.trim())
        .await?)
}

/// Saves earlier version `version`'s document again as the newest (the way back from a
/// change), after `edited_from`; checked against today's directory like any save.
pub async fn restore(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
    by: &str,
    edited_from: i64,
    version: i64,
    reason: &str,
) -> Result<i64, UseCaseError> {
    let old = store
        .commissioning_version(version)
        .await?
        .ok_or_else(|| UseCaseError::NotFound(format!("no version {version} of the record")))?;
    save(store, audit, by, edited_from, &old.source, reason).await
}

/// A contract's statement for a year: the contract's quarters and each funded element's.
#[derive(Debug, Clone)]
pub struct ContractStatement {
    /// The year.
    pub year: FinancialYear,
    /// The contract's quarters, Q1 first, up to the current one.
    pub rows: Vec<StatementRow>,
    /// Each funded element's quarters.
    pub elements: Vec<(Element, Vec<StatementRow>)>,
}

/// The instant the area's day `day` starts.
fn start_of(store: &Store, day: Date) -> Result<Timestamp, UseCaseError> {
    day.to_zoned(store.tz().clone())
        .map(|z| z.timestamp())
        .map_err(|e| UseCaseError::Internal(format!("day {day}: {e}")))
}

/// The quarters of `year` that have begun by `today`.
pub fn quarters_begun(year: FinancialYear, today: Date) -> Vec<Quarter> {
    year.quarters()
        .into_iter()
        .filter(|q| q.first_day() <= today)
        .collect()
}

/// The financial years of `contract`'s term that have begun, and the one asked for
/// (`2026/27`; the current one, or the term's last, by default). Refused, naming the years
/// there are, when `asked` is not one of them.
pub fn year_for(
    store: &Store,
    contract: &Contract,
    asked: Option<&str>,
) -> Result<(FinancialYear, Vec<FinancialYear>), UseCaseError> {
    let today = store.now().to_zoned(store.tz().clone()).date();
    let mut years = Vec::new();
    let mut y = FinancialYear::of(contract.start);
    while y.first_day() <= contract.end && y.first_day() <= today {
        years.push(y);
        y = y.next();
    }
    let year = match asked.map(str::trim).filter(|t| !t.is_empty()) {
        None => FinancialYear::of(today.min(contract.end)),
        Some(text) => FinancialYear::parse(text).map_err(|e| UseCaseError::field("year", e))?,
    };
    if !years.contains(&year) {
        let there = if years.is_empty() {
            "none has begun yet".to_owned()
        } else {
            format!(
                "choose one of {}",
                years
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(UseCaseError::field(
            "year",
            format!("{year} is not a year of this contract that has begun: {there}"),
        ));
    }
    Ok((year, years))
}

/// `contract`'s payment and activity statement for `year` (quarters begun by today), its
/// counts suppressed by `rule`.
pub async fn statement(
    store: &Store,
    plan: &Commissioning,
    contract: &Contract,
    year: FinancialYear,
    rule: &Suppression,
) -> Result<ContractStatement, UseCaseError> {
    let today = store.now().to_zoned(store.tz().clone()).date();
    let quarters = quarters_begun(year, today);
    let mut periods = Vec::with_capacity(quarters.len());
    for q in &quarters {
        let (from, to) = nwd_domain::commissioning::statement::days_counted(
            *q,
            contract.start,
            contract.end,
            today,
        );
        periods.push((start_of(store, from)?, start_of(store, to)?));
    }
    let activity = store.activity(&contract.services, &periods).await?;
    let paired: Vec<_> = quarters.iter().copied().zip(&activity).collect();
    let rows = contract_rows(plan, contract, &paired, rule, today);
    let mut elements = Vec::with_capacity(contract.elements.len());
    for element in &contract.elements {
        let activity = store.activity(&element.services, &periods).await?;
        let rows = quarters
            .iter()
            .zip(&activity)
            .map(|(q, a)| element_row(element, contract, *q, a, rule, today))
            .collect();
        elements.push((element.clone(), rows));
    }
    Ok(ContractStatement {
        year,
        rows,
        elements,
    })
}

/// Quarters shown in a quarterly report: the one asked for and the four before it.
pub const REPORT_QUARTERS: usize = 5;

/// One contract in a quarterly report.
#[derive(Debug, Clone)]
pub struct ContractQuarters {
    /// The contract.
    pub contract: Contract,
    /// Each report quarter, oldest first (`None`: outside the contract's term).
    pub rows: Vec<Option<StatementRow>>,
}

/// The quarterly performance report: the whole system's KPIs and activity, then each
/// contract's, for a quarter and the four before it.
#[derive(Debug, Clone)]
pub struct QuarterlyReport {
    /// The quarter reported.
    pub quarter: Quarter,
    /// The five quarters, oldest first.
    pub quarters: Vec<Quarter>,
    /// Whether each is not yet over (figures to date).
    pub partial: Vec<bool>,
    /// Every service's activity in each quarter, published.
    pub system_activity: Vec<nwd_domain::commissioning::statement::PublishedActivity>,
    /// The whole system's KPIs, each with its five results.
    pub system_kpis: Vec<(
        nwd_domain::commissioning::plan::KpiTerm,
        Vec<nwd_domain::commissioning::statement::KpiResult>,
    )>,
    /// Each contract.
    pub contracts: Vec<ContractQuarters>,
    /// The no-wrong-door ledger of the requests received in each quarter, published.
    pub ledger: Vec<crate::ledger::KeyedLedger>,
}

/// The quarter asked for (`2026/27 Q3`; the current one by default); refused when it has not
/// begun.
pub fn quarter_for(store: &Store, asked: Option<&str>) -> Result<Quarter, UseCaseError> {
    let today = store.now().to_zoned(store.tz().clone()).date();
    let quarter = match asked.map(str::trim).filter(|t| !t.is_empty()) {
        None => Quarter::of(today),
        Some(text) => Quarter::parse(text).map_err(|e| UseCaseError::field("quarter", e))?,
    };
    if quarter.first_day() > today {
        return Err(UseCaseError::field(
            "quarter",
            format!(
                "{quarter} has not begun: choose {} or earlier",
                Quarter::of(today)
            ),
        ));
    }
    Ok(quarter)
}

/// The quarterly performance report for `quarter` and the four quarters before it.
pub async fn quarterly_report(
    store: &Store,
    plan: &Commissioning,
    quarter: Quarter,
    rule: &Suppression,
) -> Result<QuarterlyReport, UseCaseError> {
    use nwd_domain::commissioning::statement::{days_counted, KpiResult, PublishedActivity, Rag};
    let today = store.now().to_zoned(store.tz().clone()).date();
    let mut quarters = vec![quarter];
    while quarters.len() < REPORT_QUARTERS {
        let earlier = quarters[quarters.len() - 1].previous();
        quarters.push(earlier);
    }
    quarters.reverse();
    let partial = quarters
        .iter()
        .map(|q| today >= q.first_day() && today < q.end())
        .collect();
    let mut periods = Vec::with_capacity(quarters.len());
    for q in &quarters {
        periods.push((start_of(store, q.first_day())?, start_of(store, q.end())?));
    }
    let system = store.system_activity(&periods).await?;
    let ledger = store
        .ledgers(&periods)
        .await?
        .iter()
        .map(|l| crate::ledger::publish_ledger(l, *rule))
        .collect();
    let system_kpis = plan
        .system_kpis
        .iter()
        .map(|term| {
            let results = system
                .iter()
                .map(|a| {
                    let value = term.kpi.value(a, rule);
                    KpiResult {
                        kpi: term.kpi,
                        value,
                        threshold: term.threshold,
                        rag: Rag::of(term.kpi, value, term.threshold, term.amber),
                    }
                })
                .collect();
            (*term, results)
        })
        .collect();
    // A capped activity contract's quarter depends on what its year's earlier quarters paid:
    // the oldest quarter's year is counted from its first quarter.
    let mut counted: Vec<Quarter> = quarters[0]
        .year
        .quarters()
        .into_iter()
        .filter(|q| *q < quarters[0])
        .collect();
    let earlier = counted.len();
    counted.extend(quarters.iter().copied());
    let mut contracts = Vec::with_capacity(plan.contracts.len());
    for contract in &plan.contracts {
        let mut bounds = Vec::with_capacity(counted.len());
        for q in &counted {
            let (from, to) = days_counted(*q, contract.start, contract.end, today);
            bounds.push((from, to, start_of(store, from)?, start_of(store, to)?));
        }
        let windows: Vec<(Timestamp, Timestamp)> = bounds.iter().map(|b| (b.2, b.3)).collect();
        let activity = store.activity(&contract.services, &windows).await?;
        let paired: Vec<_> = counted.iter().copied().zip(&activity).collect();
        let rows = contract_rows(plan, contract, &paired, rule, today)
            .into_iter()
            .zip(&bounds)
            .skip(earlier)
            .map(|(row, (from, to, _, _))| (from < to).then_some(row))
            .collect();
        contracts.push(ContractQuarters {
            contract: contract.clone(),
            rows,
        });
    }
    Ok(QuarterlyReport {
        quarter,
        quarters,
        partial,
        system_activity: system
            .iter()
            .map(|a| PublishedActivity::of(a, rule))
            .collect(),
        system_kpis,
        contracts,
        ledger,
    })
}

/// One provider's declaration in a Transformation Plan, beside what its declared services
/// did in the year to date (from the live record, suppressed).
#[derive(Debug, Clone)]
pub struct ProviderPart {
    /// The declaration.
    pub declaration: nwd_domain::commissioning::transformation::Declaration,
    /// Its declared services' activity in the year to date.
    pub activity: nwd_domain::commissioning::statement::PublishedActivity,
    /// Seen within the standard, median and 90th-percentile wait to first contact.
    pub waits: [(
        nwd_domain::commissioning::statement::Kpi,
        nwd_domain::commissioning::statement::KpiValue,
    ); 3],
}

/// The Transformation Plan for a year, with what the record says beside it.
#[derive(Debug, Clone)]
pub struct PlanReport {
    /// The year.
    pub year: FinancialYear,
    /// Not yet over (figures to date).
    pub to_date: bool,
    /// Today, in the area.
    pub today: Date,
    /// The plan written for the year, if any.
    pub plan: Option<nwd_domain::commissioning::transformation::TransformationPlan>,
    /// Each commissioner's investment in the year, from the money model.
    pub investment: Vec<nwd_domain::commissioning::transformation::Investment>,
    /// Each provider's declaration with its figures.
    pub providers: Vec<ProviderPart>,
}

/// The year asked for (`2026/27`; the current one by default); refused when it has not begun.
pub fn plan_year(store: &Store, asked: Option<&str>) -> Result<FinancialYear, UseCaseError> {
    let today = store.now().to_zoned(store.tz().clone()).date();
    let year = match asked.map(str::trim).filter(|t| !t.is_empty()) {
        None => FinancialYear::of(today),
        Some(text) => FinancialYear::parse(text).map_err(|e| UseCaseError::field("year", e))?,
    };
    if year.first_day() > today {
        return Err(UseCaseError::field(
            "year",
            format!(
                "{year} has not begun: choose {} or earlier",
                FinancialYear::of(today)
            ),
        ));
    }
    Ok(year)
}

/// The Transformation Plan for `year`: the plan as written, each commissioner's investment
/// from the money model, and each provider's declared services' waits and activity in the
/// year to date, counts suppressed by `rule`.
pub async fn transformation_plan(
    store: &Store,
    record: &Commissioning,
    year: FinancialYear,
    rule: &Suppression,
) -> Result<PlanReport, UseCaseError> {
    use nwd_domain::commissioning::statement::{Kpi, PublishedActivity};
    use nwd_domain::commissioning::transformation::investment;
    let today = store.now().to_zoned(store.tz().clone()).date();
    let to = year.end().min(today.tomorrow().unwrap_or(today));
    let period = [(start_of(store, year.first_day())?, start_of(store, to)?)];
    let plan = record.plan_for(year).cloned();
    let mut providers = Vec::new();
    for declaration in plan.iter().flat_map(|p| p.declarations.iter()) {
        let mut services: Vec<ServiceId> = declaration.staff.iter().map(|s| s.service).collect();
        services.sort_unstable_by_key(|s| s.0);
        services.dedup();
        let activity = store.activity(&services, &period).await?;
        let a = activity.into_iter().next().unwrap_or_default();
        let waits = [
            Kpi::SeenWithinStandard,
            Kpi::MedianWaitDays,
            Kpi::P90WaitDays,
        ]
        .map(|k| (k, k.value(&a, rule)));
        providers.push(ProviderPart {
            declaration: declaration.clone(),
            activity: PublishedActivity::of(&a, rule),
            waits,
        });
    }
    Ok(PlanReport {
        year,
        to_date: today < year.end(),
        today,
        plan,
        investment: investment(record, year),
        providers,
    })
}
