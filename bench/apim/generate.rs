//! Writes a dyadic CSV for the APIM benchmark: one row per person,
//! `couple,role,x,y,age`, both rows of a couple together (as exports give
//! them), Y = 1 + 0.4·X_own + 0.2·X_partner + a shared couple effect +
//! noise, values with two decimals.
//!
//! Standard library only, so `run.sh` builds it with `rustc -O` and the
//! workspace does not grow a benchmark crate.
//!
//! Usage: generate ROWS [SEED]   (ROWS is rounded down to an even number)

use std::io::{BufWriter, Write};

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .expect("usage: generate ROWS [SEED]");
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let mut rng = SplitMix(seed);
    let out = std::io::stdout().lock();
    let mut w = BufWriter::with_capacity(1 << 16, out);
    writeln!(w, "couple,role,x,y,age").expect("write");
    for couple in 1..=rows / 2 {
        let xw = 4.0 + rng.normal();
        let xh = 4.0 + rng.normal();
        let shared = 0.5 * rng.normal();
        let yw = 1.0 + 0.4 * xw + 0.2 * xh + shared + 0.8 * rng.normal();
        let yh = 1.0 + 0.4 * xh + 0.2 * xw + shared + 0.8 * rng.normal();
        let age = 25 + rng.next() % 40;
        writeln!(w, "{couple},wife,{xw:.2},{yw:.2},{age}").expect("write");
        writeln!(w, "{couple},husband,{xh:.2},{yh:.2},{}", age + rng.next() % 5).expect("write");
    }
    w.flush().expect("write");
}
