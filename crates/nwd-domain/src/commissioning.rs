//! Joint commissioning's money (issue 20; domain guide §5): who commissions and who provides,
//! pooled funds (Section 75/76) and aligned budgets with each partner's contributions per
//! financial year and their variations, contracts with their payment terms, funded elements
//! and KPIs ([`plan`]), and the payment and activity statement that sets what a contract
//! delivered against what it cost, quarter by quarter ([`statement`]).
//!
//! Money is whole pence ([`Money`]); years are NHS financial years, 1 April to 31 March
//! ([`FinancialYear`], [`Quarter`]). Nothing here reads the record: the store counts the
//! activity ([`statement::Activity`]) and this module prices it.

pub mod edit;
pub mod kpi;
pub mod money;
pub mod plan;
pub mod statement;
pub mod transformation;
pub mod year;

pub use money::Money;
pub use plan::{Commissioning, CommissioningDocument};
pub use year::{FinancialYear, Quarter};
