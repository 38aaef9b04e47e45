//! Distributions of days, compiled from [`crate::scenario::DistSpec`]: exponential, gamma and
//! lognormal given mean and coefficient of variation, fixed, and empirical. Sampling is the only
//! randomness in the engine and always goes through the replication's own generator.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, Gamma, LogNormal};

use crate::error::FieldError;
use crate::scenario::DistSpec;

/// A compiled distribution of non-negative days.
#[derive(Debug, Clone)]
pub(crate) enum Dist {
    Exponential {
        mean: f64,
    },
    Gamma {
        gamma: Gamma<f64>,
        mean: f64,
        cv: f64,
    },
    Lognormal {
        lognormal: LogNormal<f64>,
        mean: f64,
        cv: f64,
    },
    Fixed {
        value: f64,
    },
    Empirical {
        values: Vec<f64>,
        cumulative: Vec<f64>,
    },
}

impl Dist {
    /// Validates `spec` (errors under `path`) and compiles it.
    pub fn compile(spec: &DistSpec, path: &str, errors: &mut Vec<FieldError>) -> Option<Dist> {
        let before = errors.len();
        let mut positive = |field: &str, value: f64| {
            if !(value.is_finite() && value > 0.0) {
                errors.push(FieldError {
                    path: format!("{path}.{field}"),
                    message: format!("must be a number > 0 (got {value})"),
                });
            }
        };
        let dist = match spec {
            DistSpec::Exponential { mean } => {
                positive("mean", *mean);
                Dist::Exponential { mean: *mean }
            }
            DistSpec::Fixed { mean } => {
                positive("mean", *mean);
                Dist::Fixed { value: *mean }
            }
            DistSpec::Gamma { mean, cv } => {
                positive("mean", *mean);
                positive("cv", *cv);
                // Shape k = 1/cv², scale θ = mean·cv²: mean kθ, variance kθ².
                let shape = 1.0 / (cv * cv);
                match Gamma::new(shape, mean * cv * cv) {
                    Ok(gamma) => Dist::Gamma {
                        gamma,
                        mean: *mean,
                        cv: *cv,
                    },
                    Err(_) => Dist::Fixed { value: *mean },
                }
            }
            DistSpec::Lognormal { mean, cv } => {
                positive("mean", *mean);
                positive("cv", *cv);
                // σ² = ln(1 + cv²), μ = ln(mean) − σ²/2 give the asked mean and cv.
                let sigma2 = (1.0 + cv * cv).ln();
                match LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt()) {
                    Ok(lognormal) => Dist::Lognormal {
                        lognormal,
                        mean: *mean,
                        cv: *cv,
                    },
                    Err(_) => Dist::Fixed { value: *mean },
                }
            }
            DistSpec::Empirical { values, weights } => {
                if values.is_empty() {
                    errors.push(FieldError {
                        path: format!("{path}.values"),
                        message: "must list at least one value".into(),
                    });
                }
                for (i, v) in values.iter().enumerate() {
                    if !(v.is_finite() && *v >= 0.0) {
                        errors.push(FieldError {
                            path: format!("{path}.values[{i}]"),
                            message: format!("must be a number ≥ 0 (got {v})"),
                        });
                    }
                }
                let weights: Vec<f64> = if weights.is_empty() {
                    vec![1.0; values.len()]
                } else {
                    if weights.len() != values.len() {
                        errors.push(FieldError {
                            path: format!("{path}.weights"),
                            message: format!(
                                "has {} weights for {} values: give one per value",
                                weights.len(),
                                values.len()
                            ),
                        });
                    }
                    for (i, w) in weights.iter().enumerate() {
                        if !(w.is_finite() && *w >= 0.0) {
                            errors.push(FieldError {
                                path: format!("{path}.weights[{i}]"),
                                message: format!("must be a number ≥ 0 (got {w})"),
                            });
                        }
                    }
                    weights.clone()
                };
                let total: f64 = weights.iter().sum();
                if weights.len() == values.len() && !values.is_empty() && total <= 0.0 {
                    errors.push(FieldError {
                        path: format!("{path}.weights"),
                        message: "must not all be 0".into(),
                    });
                }
                let mut running = 0.0;
                let cumulative = weights
                    .iter()
                    .map(|w| {
                        running += w / total;
                        running
                    })
                    .collect();
                Dist::Empirical {
                    values: values.clone(),
                    cumulative,
                }
            }
        };
        (errors.len() == before).then_some(dist)
    }

    /// One draw.
    #[inline]
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Dist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                mean * e
            }
            Dist::Gamma { gamma, .. } => gamma.sample(rng),
            Dist::Lognormal { lognormal, .. } => lognormal.sample(rng),
            Dist::Fixed { value } => *value,
            Dist::Empirical { values, cumulative } => {
                let u: f64 = rng.gen();
                let i = cumulative.partition_point(|c| *c <= u);
                values[i.min(values.len() - 1)]
            }
        }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean } => *mean,
            Dist::Gamma { mean, .. } | Dist::Lognormal { mean, .. } => *mean,
            Dist::Fixed { value } => *value,
            Dist::Empirical { values, cumulative } => {
                let mut previous = 0.0;
                values
                    .iter()
                    .zip(cumulative)
                    .map(|(v, c)| {
                        let p = c - previous;
                        previous = *c;
                        v * p
                    })
                    .sum()
            }
        }
    }

    /// The coefficient of variation.
    pub fn cv(&self) -> f64 {
        match self {
            Dist::Exponential { .. } => 1.0,
            Dist::Gamma { cv, .. } | Dist::Lognormal { cv, .. } => *cv,
            Dist::Fixed { .. } => 0.0,
            Dist::Empirical { values, cumulative } => {
                let mean = self.mean();
                let mut previous = 0.0;
                let var: f64 = values
                    .iter()
                    .zip(cumulative)
                    .map(|(v, c)| {
                        let p = c - previous;
                        previous = *c;
                        (v - mean) * (v - mean) * p
                    })
                    .sum();
                if mean > 0.0 {
                    var.sqrt() / mean
                } else {
                    0.0
                }
            }
        }
    }
}
