//! Long lists in pages of [`PAGE_SIZE`]: the page asked for (`?page=N`, counted from 1) and
//! the NHS design system's numbered pagination (links only, so it works without JavaScript).
//! Used by the crisis and transition lists and a service's waiting list and caseload.

use askama::Template;

use nwd_http::problem::ApiError;

/// Rows per page.
pub const PAGE_SIZE: u32 = 50;

/// Which page a query parameter asks for: absent or empty is the first; anything but a
/// whole number from 1 is refused naming the parameter.
pub fn requested(value: Option<&str>, field: &str) -> Result<u32, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(1),
        Some(text) => match text.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(ApiError::BadRequest(format!(
                "{field} must be a page number from 1"
            ))),
        },
    }
}

/// The pages a list of `total` rows has (at least one).
pub fn pages(total: u64) -> u32 {
    u32::try_from(total.div_ceil(u64::from(PAGE_SIZE)).max(1)).unwrap_or(u32::MAX)
}

/// The page to show: the one asked for, or the last if it asked past the end (a list can
/// shrink between two clicks).
pub fn clamp(page: u32, total: u64) -> u32 {
    page.clamp(1, pages(total))
}

/// The rows to skip before `page`.
pub fn offset(page: u32) -> u32 {
    page.saturating_sub(1).saturating_mul(PAGE_SIZE)
}

/// One numbered link, or an ellipsis between numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Page number.
    pub number: u32,
    /// Its address.
    pub href: String,
    /// The page shown.
    pub current: bool,
    /// A gap in the numbers.
    pub ellipsis: bool,
}

/// The pagination component for one list.
#[derive(Debug, Clone, Template)]
#[template(path = "pagination.html")]
pub struct Pagination {
    /// Its landmark's name (two lists on one page need different names).
    pub label: String,
    /// The previous page's address.
    pub previous: Option<String>,
    /// The next page's address.
    pub next: Option<String>,
    /// Numbered links: the first, the last, and the pages next to the current one.
    pub items: Vec<Item>,
}

/// The component's HTML for page `current` of a list of `total` rows, or nothing when the
/// list fits on one page. `href` gives a page's address.
pub fn nav(label: &str, total: u64, current: u32, href: impl Fn(u32) -> String) -> String {
    let last = pages(total);
    if last <= 1 {
        return String::new();
    }
    let mut items = Vec::new();
    let mut previous_shown = 0;
    for number in 1..=last {
        let near = number.abs_diff(current) <= 1;
        if number == 1 || number == last || near {
            if previous_shown != 0 && number > previous_shown + 1 {
                items.push(Item {
                    number: 0,
                    href: String::new(),
                    current: false,
                    ellipsis: true,
                });
            }
            items.push(Item {
                number,
                href: href(number),
                current: number == current,
                ellipsis: false,
            });
            previous_shown = number;
        }
    }
    let pagination = Pagination {
        label: label.to_owned(),
        previous: (current > 1).then(|| href(current - 1)),
        next: (current < last).then(|| href(current + 1)),
        items,
    };
    pagination.render().unwrap_or_default()
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use super::*;

    #[test]
    fn pages_offsets_and_requests() {
        assert_eq!(pages(0), 1);
        assert_eq!(pages(50), 1);
        assert_eq!(pages(51), 2);
        assert_eq!(offset(1), 0);
        assert_eq!(offset(3), 100);
        assert_eq!(clamp(9, 120), 3);
        assert_eq!(requested(None, "page").unwrap(), 1);
        assert_eq!(requested(Some("4"), "page").unwrap(), 4);
        assert!(requested(Some("0"), "page").is_err());
        assert!(requested(Some("two"), "page").is_err());
    }

    #[test]
    fn numbered_links_with_gaps_and_no_component_for_one_page() {
        assert_eq!(nav("Pages", 50, 1, |n| format!("?page={n}")), "");
        let html = nav("Pages", 500, 5, |n| format!("?page={n}"));
        for n in [1, 4, 5, 6, 10] {
            assert!(
                html.contains(&format!("href=\"?page={n}\" aria-label=\"Page {n}\"")),
                "{n}: {html}"
            );
        }
        assert!(!html.contains("aria-label=\"Page 3\""));
        assert_eq!(html.matches("nhsuk-pagination__item--ellipsis").count(), 2);
        assert!(html.contains("aria-label=\"Page 5\" aria-current=\"page\""));
        assert!(html.contains("href=\"?page=4\" class=\"nhsuk-pagination__previous\""));
        assert!(html.contains("href=\"?page=6\" class=\"nhsuk-pagination__next\""));
        let first = nav("Pages", 120, 1, |n| format!("?page={n}"));
        assert!(!first.contains("nhsuk-pagination__previous"));
        assert!(!first.contains("nhsuk-pagination__item--ellipsis"));
    }
}
