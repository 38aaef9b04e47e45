//! The fixed-bin histogram waits go into: bins of one width, exact zeros and an overflow
//! counted apart, so quantiles are exact to within one bin and memory does not grow with the
//! number of visits.

/// A fixed-bin histogram of non-negative values, with exact zeros and an overflow counted
/// apart. Quantiles interpolate linearly within a bin, so they are exact to within one bin.
#[derive(Debug, Clone)]
pub(crate) struct Histogram {
    inverse_width: f64,
    width: f64,
    bins: Vec<u32>,
    zero: u64,
    overflow: u64,
    count: u64,
    sum: f64,
}

impl Histogram {
    pub fn new(width: f64, span: f64) -> Histogram {
        let bins = (span / width).ceil() as usize + 1;
        Histogram {
            inverse_width: 1.0 / width,
            width,
            bins: vec![0; bins],
            zero: 0,
            overflow: 0,
            count: 0,
            sum: 0.0,
        }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        if x <= 0.0 {
            self.zero += 1;
            return;
        }
        let i = (x * self.inverse_width) as usize;
        match self.bins.get_mut(i) {
            Some(b) => *b += 1,
            None => self.overflow += 1,
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            *a += b;
        }
        self.zero += other.zero;
        self.overflow += other.overflow;
        self.count += other.count;
        self.sum += other.sum;
    }

    pub fn mean(&self) -> f64 {
        self.sum / self.count as f64
    }

    pub fn zero_share(&self) -> f64 {
        self.zero as f64 / self.count as f64
    }

    /// The `q` quantile of the values plus `beyond` more values larger than any of them
    /// (infinite if it falls among those or in the overflow; NaN with no values at all).
    pub fn quantile(&self, q: f64, beyond: u64) -> f64 {
        let n = self.count + beyond;
        if n == 0 {
            return f64::NAN;
        }
        let target = q * n as f64;
        let mut below = self.zero as f64;
        if target <= below {
            return 0.0;
        }
        for (i, &b) in self.bins.iter().enumerate() {
            let b = f64::from(b);
            if below + b >= target && b > 0.0 {
                return (i as f64 + (target - below) / b) * self.width;
            }
            below += b;
        }
        f64::INFINITY
    }

    /// Share of the values plus `beyond` that are at most `x`.
    pub fn share_within(&self, x: f64, beyond: u64) -> f64 {
        let n = self.count + beyond;
        if n == 0 {
            return f64::NAN;
        }
        let full = ((x * self.inverse_width) as usize).min(self.bins.len());
        let mut within =
            self.zero as f64 + self.bins[..full].iter().map(|b| f64::from(*b)).sum::<f64>();
        if let Some(b) = self.bins.get(full) {
            // The part of the boundary bin up to x, spread evenly.
            let fraction = x * self.inverse_width - full as f64;
            within += f64::from(*b) * fraction;
        }
        within / n as f64
    }

    pub fn heap_bytes(&self) -> usize {
        self.bins.capacity() * std::mem::size_of::<u32>()
    }
}
