//! A statistic across replications: its mean and 95 % confidence half-width ([`Estimate`],
//! Student t over the independent replications, undefined replications left out), and the t
//! quantile itself ([`t_975`]).

use serde::{Serialize, Serializer};

/// A mean over replications with its 95 % confidence half-width. Undefined replications (a
/// group with no visits, say) are left out; `n` counts the rest. Serialised as
/// `{"mean": …, "hw": …}`, `null` where not a finite number (no replication defined it, fewer
/// than two for `hw`, or a quantile beyond the run for `mean`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Half-width of the 95 % confidence interval.
    pub hw: f64,
    /// Replications that defined the statistic.
    pub n: usize,
    /// Standard deviation over replications.
    pub sd: f64,
}

impl Serialize for Estimate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let finite = |x: f64| x.is_finite().then_some(x);
        let mut s = serializer.serialize_struct("Estimate", 2)?;
        s.serialize_field("mean", &finite(self.mean))?;
        s.serialize_field("hw", &finite(self.hw))?;
        s.end()
    }
}

impl Estimate {
    /// Mean, standard deviation and t-based half-width of the defined (non-NaN) values.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Estimate {
        let values: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        let n = values.len();
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                hw: f64::NAN,
                n,
                sd: f64::NAN,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n < 2 || !mean.is_finite() {
            return Estimate {
                mean,
                hw: f64::NAN,
                n,
                sd: f64::NAN,
            };
        }
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        Estimate {
            mean,
            hw: t_975(n - 1) * sd / (n as f64).sqrt(),
            n,
            sd,
        }
    }
}

/// Two-sided 95 % quantile of Student's t with `df` degrees of freedom (its 0.975 quantile).
/// Exact table values to three decimals for df ≤ 30 (e.g. NIST/SEMATECH e-Handbook of
/// Statistical Methods, §1.3.6.7.2); above, the Cornish–Fisher expansion of Abramowitz and
/// Stegun 26.7.5 (error below 1e-4 from df 30).
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    if df == 0 {
        return f64::NAN;
    }
    if df <= 30 {
        return TABLE[df - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    let g1 = (z.powi(3) + z) / 4.0;
    let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
    let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
    let g4 = (79.0 * z.powi(9) + 776.0 * z.powi(7) + 1482.0 * z.powi(5)
        - 1920.0 * z.powi(3)
        - 945.0 * z)
        / 92160.0;
    z + g1 / v + g2 / v.powi(2) + g3 / v.powi(3) + g4 / v.powi(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert_eq!(t_975(1), 12.706);
        assert_eq!(t_975(30), 2.042);
        // Table values: df 40 → 2.021, 60 → 2.000, 120 → 1.980.
        for (df, t) in [(40, 2.021), (60, 2.000), (120, 1.980), (1000, 1.962)] {
            assert!((t_975(df) - t).abs() < 1e-3, "df {df}: {}", t_975(df));
        }
    }

    #[test]
    fn estimates_skip_undefined_values() {
        let e = Estimate::of([1.0, f64::NAN, 3.0]);
        assert_eq!(e.n, 2);
        assert_eq!(e.mean, 2.0);
        assert!((e.hw - 12.706 * (2.0_f64).sqrt() / (2.0_f64).sqrt()).abs() < 1e-9);
    }
}
