//! Need and equality for commissioners (issue 20): expected need from the population table and
//! the prevalence rates, set against referrals and those seen, by postcode district, age band
//! and deprivation; uptake by ethnic group, sex, deprivation and the groups the plans name,
//! as ratios with 95 % confidence intervals; and how complete the record is. Each figure says
//! its period, links to its definition and names its source; its chart has its data table
//! beside it. Aggregates only, every count through the small-number rule with secondary
//! suppression (`nwd_domain::population`); the CSV carries the same published figures.
//! Loading a population table is `need_population`'s.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use nwd_domain::authz::Permission;
use nwd_domain::disclosure::protect::{ProtectedTable, Shown};
use nwd_domain::population::report::{NeedReport, OTHER_AREA};
use nwd_domain::population::stats::Interval;
use nwd_domain::population::AgeBand;
use nwd_http::extract::Caller;
use nwd_http::AppState;
use nwd_usecase::need::{self, NeedPage as Content, Period};

use crate::chart::{Chart, ChartKind, Series};
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};

/// A table as shown: caption, column headings, rows of a heading and cells.
pub(crate) struct TableView {
    pub(crate) id: &'static str,
    pub(crate) caption: String,
    pub(crate) row_heading: &'static str,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<(String, Vec<String>)>,
}

/// One figure: heading, what it shows, its chart and table, and its definition's anchor.
pub(crate) struct Figure {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) note: String,
    pub(crate) svg: Option<String>,
    pub(crate) table: TableView,
}

/// One definition.
pub(crate) struct Definition {
    pub(crate) id: &'static str,
    pub(crate) term: &'static str,
    pub(crate) text: String,
}

#[derive(Template)]
#[template(path = "need.html")]
struct NeedPageView {
    layout: Layout,
    may_load: bool,
    period: String,
    from: String,
    months: u32,
    load: Option<String>,
    summary: Option<String>,
    figures: Vec<Figure>,
    rates: Vec<(String, String, String)>,
    definitions: Vec<Definition>,
    suppression: String,
}

/// A count or `*`.
fn shown(s: Shown) -> String {
    s.text()
}

/// `12.3 (9.8 to 15.1)`, or `*`.
fn interval(i: Option<Interval>, decimals: usize) -> String {
    i.map_or_else(
        || "*".to_owned(),
        |i| {
            format!(
                "{:.d$} ({:.d$} to {:.d$})",
                i.value,
                i.lower,
                i.upper,
                d = decimals
            )
        },
    )
}

fn percent(p: Option<u64>) -> String {
    p.map_or_else(|| "*".to_owned(), |p| format!("{p}%"))
}

fn number(n: Option<u64>) -> String {
    n.map_or_else(|| "–".to_owned(), |n| n.to_string())
}

/// The period's words for a figure.
fn for_period(period: &Period) -> String {
    format!("Referrals received {}.", period.label())
}

fn area_figure(r: &NeedReport, period: &Period) -> Figure {
    let rows: Vec<(String, Vec<String>)> = r
        .areas
        .iter()
        .map(|a| {
            (
                a.area.clone(),
                vec![
                    a.decile.map_or_else(|| "–".to_owned(), |d| d.to_string()),
                    if a.area == OTHER_AREA {
                        "–".to_owned()
                    } else {
                        a.population.to_string()
                    },
                    number(a.expected_need),
                    shown(a.referrals),
                    shown(a.seen),
                    interval(a.referral_rate, 0),
                    interval(a.access_rate, 0),
                    percent(a.seen_of_expected),
                ],
            )
        })
        .collect();
    let districts: Vec<_> = r.areas.iter().filter(|a| a.area != OTHER_AREA).collect();
    let chart = Chart {
        id: "chart-need-areas".into(),
        title: "Expected need and young people seen, by district".into(),
        description: "For each postcode district, two bars: the expected number of young people with a mental health need, and the referrals seen in the period. Hidden counts are not drawn; the table \"Need by district\" beside the chart has every value.".into(),
        x_labels: districts.iter().map(|a| a.area.clone()).collect(),
        y_label: "Young people".into(),
        kind: ChartKind::HorizontalBar,
        series: vec![
            Series::new("Expected need", districts.iter().map(|a| a.expected_need.map(|n| n as f64)).collect()),
            Series::new("Seen", districts.iter().map(|a| a.seen.value().map(|n| n as f64)).collect()),
        ],
        y_max: None,
    };
    Figure {
        id: "need-by-district",
        title: "Need by district",
        note: format!(
            "{} Expected need is the district's 0 to 25 population times the prevalence of its age bands; rates are per 10,000 of that population with 95% confidence intervals. Unmet need shows as a low share of expected need seen.",
            for_period(period)
        ),
        svg: Some(chart.svg()),
        table: TableView {
            id: "need-areas",
            caption: "Need by district".into(),
            row_heading: "District",
            columns: [
                "Deprivation decile",
                "Population 0 to 25",
                "Expected need",
                "Referrals",
                "Seen",
                "Referrals per 10,000 (95% CI)",
                "Seen per 10,000 (95% CI)",
                "Seen as % of expected need",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        },
    }
}

fn band_figure(r: &NeedReport, period: &Period) -> Figure {
    let rows = r
        .bands
        .iter()
        .map(|b| {
            (
                b.age_band.replace('-', " to "),
                vec![
                    b.population.to_string(),
                    b.prevalence
                        .map_or_else(|| "–".to_owned(), |p| format!("{:.1}%", p * 100.0)),
                    number(b.expected_need),
                    shown(b.referrals),
                    shown(b.seen),
                    interval(b.referral_rate, 0),
                    percent(b.seen_of_expected),
                ],
            )
        })
        .collect();
    let chart = Chart {
        id: "chart-need-bands".into(),
        title: "Expected need and young people seen, by age band".into(),
        description: "For each age band, two bars: expected need and the referrals seen in the period. The table \"Need by age band\" beside the chart has every value.".into(),
        x_labels: r.bands.iter().map(|b| b.age_band.replace('-', "–")).collect(),
        y_label: "Young people".into(),
        kind: ChartKind::Bar,
        series: vec![
            Series::new("Expected need", r.bands.iter().map(|b| b.expected_need.map(|n| n as f64)).collect()),
            Series::new("Seen", r.bands.iter().map(|b| b.seen.value().map(|n| n as f64)).collect()),
        ],
        y_max: None,
    };
    Figure {
        id: "need-by-age",
        title: "Need by age band",
        note: format!(
            "{} Age on the day the request was received. Each band's prevalence and its source are listed under \"Prevalence rates used\".",
            for_period(period)
        ),
        svg: Some(chart.svg()),
        table: TableView {
            id: "need-bands",
            caption: "Need by age band".into(),
            row_heading: "Age band",
            columns: [
                "Population",
                "Prevalence",
                "Expected need",
                "Referrals",
                "Seen",
                "Referrals per 10,000 (95% CI)",
                "Seen as % of expected need",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        },
    }
}

/// A protected two-way table with its margins.
fn cross_table(t: &ProtectedTable, r: &NeedReport) -> TableView {
    let mut columns: Vec<String> = AgeBand::ALL.iter().map(|b| b.label()).collect();
    columns.push("Age not known".into());
    columns.push("Total".into());
    let mut rows: Vec<(String, Vec<String>)> = t
        .cells
        .iter()
        .zip(&t.row_totals)
        .zip(&r.areas)
        .map(|((cells, total), area)| {
            let mut row: Vec<String> = cells.iter().map(|s| shown(*s)).collect();
            row.push(shown(*total));
            (area.area.clone(), row)
        })
        .collect();
    let mut totals: Vec<String> = t.column_totals.iter().map(|s| shown(*s)).collect();
    totals.push(shown(t.total));
    rows.push(("Total".into(), totals));
    TableView {
        id: "need-cross",
        caption: "Referrals by district and age band".into(),
        row_heading: "District",
        columns,
        rows,
    }
}

fn equality_figure(r: &NeedReport, period: &Period) -> Figure {
    let rows = r
        .equality
        .iter()
        .map(|e| {
            (
                e.label.clone(),
                vec![
                    shown(e.referrals),
                    shown(e.seen),
                    e.share_of_referrals.map_or_else(
                        || "*".to_owned(),
                        |i| {
                            format!(
                                "{:.1}% ({:.1} to {:.1})",
                                i.value * 100.0,
                                i.lower * 100.0,
                                i.upper * 100.0
                            )
                        },
                    ),
                    e.share_of_population
                        .map_or_else(|| "–".to_owned(), |s| format!("{:.1}%", s * 100.0)),
                    interval(e.ratio, 2),
                    if e.population_source.is_empty() {
                        "No population share configured".to_owned()
                    } else {
                        e.population_source.clone()
                    },
                ],
            )
        })
        .collect();
    let with_ratio: Vec<_> = r.equality.iter().filter(|e| e.ratio.is_some()).collect();
    let chart = Chart {
        id: "chart-need-uptake".into(),
        title: "Uptake ratio by group".into(),
        description: "For each group with a ratio, one bar: its share of referrals over its share of the population; 1 means uptake in proportion, below 1 fewer referrals than its population share. The table \"Uptake by group\" beside the chart has every value with its 95% confidence interval.".into(),
        x_labels: with_ratio.iter().map(|e| e.label.clone()).collect(),
        y_label: "Uptake ratio".into(),
        kind: ChartKind::HorizontalBar,
        series: vec![Series::new("Uptake ratio", with_ratio.iter().map(|e| e.ratio.map(|i| i.value)).collect())],
        y_max: None,
    };
    Figure {
        id: "uptake",
        title: "Uptake by group",
        note: format!(
            "{} A ratio of 1 is uptake in proportion to the population; its 95% confidence interval is the Wilson interval of the share of referrals. Ethnic group and sex are compared among referrals with the answer recorded; deprivation among those with a postcode in the table; the named groups among all referrals (an unanswered question counts as not in the group, so their ratios are at most what is recorded).",
            for_period(period)
        ),
        svg: (!with_ratio.is_empty()).then(|| chart.svg()),
        table: TableView {
            id: "need-uptake",
            caption: "Uptake by group".into(),
            row_heading: "Group",
            columns: [
                "Referrals",
                "Seen",
                "Share of referrals (95% CI)",
                "Share of population",
                "Uptake ratio (95% CI)",
                "Population source",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        },
    }
}

fn completeness_figure(r: &NeedReport, period: &Period) -> Figure {
    let rows = r
        .completeness
        .iter()
        .map(|c| {
            (
                c.label.to_owned(),
                vec![shown(c.recorded), shown(c.referrals), percent(c.percent)],
            )
        })
        .collect();
    Figure {
        id: "completeness",
        title: "Data completeness",
        note: format!(
            "{} How many referrals have each field recorded: figures by a field are only as good as its completeness.",
            for_period(period)
        ),
        svg: None,
        table: TableView {
            id: "need-completeness",
            caption: "Data completeness".into(),
            row_heading: "Field",
            columns: ["Recorded", "Referrals", "% recorded"].map(String::from).to_vec(),
            rows,
        },
    }
}

/// The definitions every figure links to.
pub(crate) fn definitions(period: &Period) -> Vec<Definition> {
    let d = |id, term, text: &str| Definition {
        id,
        term,
        text: text.to_owned(),
    };
    vec![
        d("def-period", "Period", &format!("Requests received from the first day of {} to the last day of {} (the area's time zone); the population is the table in force now.", period.from.strftime("%B %Y"), period.end().yesterday().unwrap_or(period.from).strftime("%B %Y"))),
        d("def-referrals", "Referrals", "Requests received in the period, referrals and advice requests, from every source: the dashboard's \"received\". A young person referred twice counts twice."),
        d("def-seen", "Seen", "Of those referrals, the ones with at least one allocation whose first contact was attended: the dashboard's uptake \"seen\"."),
        d("def-district", "District", "The postcode district (outward code, such as ME14) of the young person's postcode as recorded now. No postcode, or a district outside the population table, is \"Other or not known\"."),
        d("def-expected", "Expected need", "The population aged 0 to 25 in each age band times the band's prevalence (the share with a probable mental disorder), summed, to the nearest 5. A modelled figure from national surveys, not a count: local prevalence may differ."),
        d("def-rate", "Rate per 10,000", "Published referrals (or seen) per 10,000 of the 0 to 25 population, with a 95% confidence interval by Byar's method (Public Health England, Technical Guide: Confidence intervals, 2018)."),
        d("def-ratio", "Uptake ratio", "A group's share of referrals over its share of the population, with the Wilson score interval of the share of referrals (Newcombe 1998, method 3), the population share taken as exact. Close to 1 is in proportion."),
        d("def-completeness", "Completeness", "Referrals with the field recorded over all referrals in the period. \"Prefer not to say\" counts as recorded (asked and answered)."),
        d("def-suppression", "Hidden figures", "Counts below the threshold are shown as *, the rest rounded; a rate or share on a hidden count is hidden; and further counts are hidden where needed so that no hidden count can be worked out from the totals (nwd_domain::disclosure::protect). Shares and rates use the published counts."),
        d("def-source", "Sources", "Counts: this record. Population: the table loaded (its source is named at the top). Prevalence: NHS England, Mental Health of Children and Young People in England (2017 and 2023, wave 4), as listed under \"Prevalence rates used\". There is no NHS England published code for these need figures; referral and access counts follow the dashboard's definitions."),
    ]
}

/// Which months.
#[derive(Debug, serde::Deserialize)]
pub struct NeedQuery {
    /// First month, `YYYY-MM`.
    from: Option<String>,
    /// Months, 1 to 36.
    months: Option<String>,
    /// The load just made, for the banner.
    loaded: Option<i64>,
}

/// The period asked for, or the field at fault.
pub(crate) fn period_of(
    state: &AppState,
    from: Option<&str>,
    months: Option<&str>,
) -> Result<Period, FieldMessage> {
    let today = state.store.now().to_zoned(state.store.tz().clone()).date();
    let mut period = Period::last_twelve_months(today);
    if let Some(from) = from.filter(|f| !f.trim().is_empty()) {
        period.from = format!("{}-01", from.trim()).parse().map_err(|_| {
            FieldMessage::new("from", "Enter the first month as YYYY-MM, such as 2025-04")
        })?;
    }
    if let Some(months) = months.filter(|m| !m.trim().is_empty()) {
        period.months = months
            .trim()
            .parse()
            .ok()
            .filter(|m| (1..=need::MAX_MONTHS).contains(m))
            .ok_or_else(|| {
                FieldMessage::new(
                    "months",
                    format!("Enter a number of months from 1 to {}", need::MAX_MONTHS),
                )
            })?;
    }
    Ok(period)
}

/// Every figure of the report.
pub(crate) fn figures(r: &NeedReport, period: &Period) -> Vec<Figure> {
    let cross = cross_table(&r.referrals_by_area_band, r);
    vec![
        area_figure(r, period),
        band_figure(r, period),
        Figure {
            id: "need-by-district-and-age",
            title: "Referrals by district and age band",
            note: format!(
                "{} With its totals; a hidden count cannot be worked out from them.",
                for_period(period)
            ),
            svg: None,
            table: cross,
        },
        equality_figure(r, period),
        completeness_figure(r, period),
    ]
}

/// The need and equality page.
#[utoipa::path(get, path = "/commissioning/need", tag = "pages",
    params(("from" = Option<String>, Query, description = "First month, YYYY-MM"), ("months" = Option<String>, Query, description = "Months, 1 to 36")),
    responses((status = 200, description = "Need and equality", content_type = "text/html"), (status = 422, description = "The period needs correcting", content_type = "text/html")))]
pub async fn page(
    State(state): State<AppState>,
    Caller(principal): Caller,
    axum::extract::Query(query): axum::extract::Query<NeedQuery>,
) -> PageResult {
    let (period, errors, status) =
        match period_of(&state, query.from.as_deref(), query.months.as_deref()) {
            Ok(p) => (p, Vec::new(), StatusCode::OK),
            Err(e) => {
                let today = state.store.now().to_zoned(state.store.tz().clone()).date();
                (
                    Period::last_twelve_months(today),
                    vec![e],
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
        };
    let content: Content = need::report(&state.store, period)
        .await
        .map_err(PageError::staff)?;
    let when = |at: jiff::Timestamp| {
        at.to_zoned(state.store.tz().clone())
            .strftime("%-d %B %Y")
            .to_string()
    };
    let load = content.load.as_ref().map(|l| {
        format!(
            "Population: {} ({} rows, {} young people aged 0 to 25), loaded by {} on {}.",
            l.source,
            l.rows,
            l.people,
            l.loaded_by,
            when(l.loaded_at)
        )
    });
    let summary = content.report.as_ref().map(|r| {
        format!(
            "Expected need across the area: about {} young people aged 0 to 25 with a probable mental disorder, of {} in the population table.",
            number(r.expected_need),
            r.population
        )
    });
    let rates = content
        .prevalence
        .band
        .iter()
        .map(|b| {
            (
                b.age_band.label(),
                format!("{:.1}%", b.rate * 100.0),
                b.source.clone(),
            )
        })
        .chain(content.prevalence.group.iter().map(|g| {
            (
                g.group.replace('_', " "),
                format!("{:.2}% of the population", g.share * 100.0),
                g.source.clone(),
            )
        }))
        .collect();
    let rule = state.store.standards().suppression;
    let success = query
        .loaded
        .map(|n| format!("Population load {n} is in force: every figure below uses it."));
    let view = NeedPageView {
        layout: Layout::staff("Need and equality", &principal)
            .with_errors(errors)
            .with_success(success),
        may_load: principal.granted.contains(&Permission::ManageCommissioning),
        from: period.from.strftime("%Y-%m").to_string(),
        months: period.months,
        period: period.label(),
        load,
        summary,
        figures: content
            .report
            .as_ref()
            .map(|r| figures(r, &period))
            .unwrap_or_default(),
        rates,
        definitions: definitions(&period),
        suppression: if rule.enabled {
            format!(
                "Counts below {} are shown as *, the rest rounded to the nearest {}.",
                rule.below, rule.round_to
            )
        } else {
            "Small-number suppression is switched off in this installation's configuration: not for publication.".to_owned()
        },
    };
    Ok(render(&view, status, Sensitivity::Identifiable))
}

/// The need page's figures as CSV (the published figures only).
#[utoipa::path(get, path = "/commissioning/need.csv", tag = "pages",
    params(("from" = Option<String>, Query, description = "First month, YYYY-MM"), ("months" = Option<String>, Query, description = "Months, 1 to 36")),
    responses((status = 200, description = "The figures as CSV", content_type = "text/csv")))]
pub async fn download(
    State(state): State<AppState>,
    Caller(_principal): Caller,
    axum::extract::Query(query): axum::extract::Query<NeedQuery>,
) -> Result<axum::response::Response, PageError> {
    let period = period_of(&state, query.from.as_deref(), query.months.as_deref())
        .map_err(|e| PageError::staff(nwd_http::problem::ApiError::field(&e.id, e.message)))?;
    let content = need::report(&state.store, period)
        .await
        .map_err(PageError::staff)?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| {
        PageError::staff(nwd_http::problem::ApiError::Internal(format!("csv: {e}")))
    };
    csv.write_record(["figure", "period", "row", "column", "value", "definition"])
        .map_err(fail)?;
    if let Some(r) = &content.report {
        for f in figures(r, &period) {
            for (row, cells) in &f.table.rows {
                for (column, value) in f.table.columns.iter().zip(cells) {
                    csv.write_record([
                        f.title,
                        &period.label(),
                        row,
                        column,
                        value,
                        &format!("/commissioning/need#{}", f.id),
                    ])
                    .map_err(fail)?;
                }
            }
        }
    }
    crate::commissioner::money::csv_download(csv, "need-and-equality")
}
