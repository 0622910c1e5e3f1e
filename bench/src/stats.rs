//! Medians and percentiles (nearest rank) over measured durations.

use std::fmt;
use std::time::Duration;

/// A sample's summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub runs: usize,
    pub min: Duration,
    pub median: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Summary {
    /// `None` for an empty sample.
    pub fn of(samples: &[Duration]) -> Option<Self> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        Some(Self {
            runs: sorted.len(),
            min: *sorted.first()?,
            median: percentile(&sorted, 50.0),
            p95: percentile(&sorted, 95.0),
            p99: percentile(&sorted, 99.0),
            max: *sorted.last()?,
        })
    }
}

/// The nearest-rank percentile of a sorted, non-empty sample; the median of an even sample
/// is the mean of its two middle values.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let n = sorted.len();
    if p == 50.0 && n.is_multiple_of(2) {
        return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

/// A duration as people read it: µs under a millisecond, ms with two decimals above.
pub struct Human(pub Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.0.as_secs_f64() * 1e6;
        if micros < 1_000.0 {
            write!(f, "{micros:.1} µs")
        } else if micros < 10_000_000.0 {
            write!(f, "{:.2} ms", micros / 1_000.0)
        } else {
            write!(f, "{:.2} s", micros / 1e6)
        }
    }
}

/// `a / b` as a ratio of durations.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn summary_of_an_odd_and_an_even_sample() {
        let odd = Summary::of(&ms(&[5, 1, 3])).unwrap();
        assert_eq!((odd.min, odd.median, odd.max), (ms(&[1])[0], ms(&[3])[0], ms(&[5])[0]));
        let even = Summary::of(&ms(&[4, 1, 3, 2])).unwrap();
        assert_eq!(even.median, Duration::from_micros(2_500));
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let hundred: Vec<u64> = (1..=100).collect();
        let summary = Summary::of(&ms(&hundred)).unwrap();
        assert_eq!(summary.p95, Duration::from_millis(95));
        assert_eq!(summary.p99, Duration::from_millis(99));
        let twenty: Vec<u64> = (1..=20).collect();
        // With 20 runs the p95 is the 19th value, not the maximum.
        assert_eq!(Summary::of(&ms(&twenty)).unwrap().p95, Duration::from_millis(19));
    }

    #[test]
    fn durations_read_in_their_unit() {
        assert_eq!(Human(Duration::from_nanos(41_240)).to_string(), "41.2 µs");
        assert_eq!(Human(Duration::from_micros(2_345)).to_string(), "2.35 ms");
        assert_eq!(Human(Duration::from_millis(12_500)).to_string(), "12.50 s");
    }
}
