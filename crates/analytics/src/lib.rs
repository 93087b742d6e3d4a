//! Pure statistics behind every number Reciprocity shows: no I/O, no async,
//! no database types. Each function is tested against a hand-computed or
//! published value.

pub mod apim;
pub mod distributions;
pub mod lag;
mod linalg;
pub mod reciprocity;
mod rng;

pub use rng::Rng;
