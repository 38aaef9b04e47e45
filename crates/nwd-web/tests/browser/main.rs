//! End-to-end tests in a real browser (issue 6): headless Debian Chromium, driven through
//! chromedriver, against a real server on a fresh SQLite database. Every page visited is
//! checked with axe-core (no serious or critical violation), for requests to other origins,
//! and for its security headers.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`scripts/test` installs them) and
//! `web/node_modules` (for axe-core). NWD_SKIP_BROWSER=1 skips these tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod about;
mod admin;
mod back_and_refresh;
mod commissioning;
mod destinations;
mod directory;
mod end_to_end;
mod journeys;
mod measure_link;
mod money;
mod need;
mod outcomes;
mod refer_anonymous;
mod refer_back_and_refresh;
mod screenshots;
mod search;
mod staff;
mod statements;
mod urgency;
