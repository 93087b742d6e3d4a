//! Pure statistics behind every number Reciprocity shows: no I/O, no async,
//! no database types. Each function is tested against a hand-computed or
//! published value.

pub mod apim;
pub mod checkins;
pub mod comparison;
pub mod distributions;
pub mod episodes;
pub mod lag;
pub mod ledger;
mod linalg;
pub mod multiple;
pub mod reciprocity;
mod rng;

pub use rng::Rng;

/// Keeps only finite numbers: the single gate between arithmetic and output,
/// so an undefined statistic is `None`, never NaN or infinity.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
