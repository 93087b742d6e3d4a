//! Lag-sequential analysis of coded event sequences (SCIENCE.md §1).

mod analysis;
mod cells;
mod counts;
mod kappa;
mod permutation;
pub mod quasi;

pub use analysis::{
    analyze, looks_alternating, structural_zeros, CellStats, IpfSummary, LagAnalysis, LagOptions,
};
pub use cells::LogOdds;
pub use counts::{TransitionCounter, TransitionTable, MAX_CODES};
pub use permutation::{permutation_p_values, PermutationOptions};

pub(crate) use cells::{adjusted_residual, yules_q};

/// Why a lag analysis could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LagError {
    /// Lag must be at least 1.
    ZeroLag,
    /// A count matrix whose size does not match its number of codes.
    Shape,
    /// More than [`MAX_CODES`] distinct codes.
    TooManyCodes,
    /// The data hold a transition the coding rule declares impossible.
    ImpossibleObserved {
        given: usize,
        target: usize,
        count: u64,
    },
}

impl std::fmt::Display for LagError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ZeroLag => write!(f, "the lag must be at least 1"),
            Self::Shape => write!(f, "the count matrix does not match the number of codes"),
            Self::TooManyCodes => write!(f, "more than {MAX_CODES} distinct codes"),
            Self::ImpossibleObserved {
                given,
                target,
                count,
            } => write!(
                f,
                "code #{given} is followed by code #{target} {count} time(s), a transition the \
                 coding rule declares impossible"
            ),
        }
    }
}

impl std::error::Error for LagError {}
