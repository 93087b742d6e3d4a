//! Writes a coded CSV for the lag benchmark: `sequence,code` rows, 6 codes,
//! sequences of 20–400 events, with first-order structure (each code makes
//! some successors likelier) so the table is not uniform.
//!
//! Usage: lag-generate ROWS [SEED] > file.csv

use std::io::Write;

/// SplitMix64 (Steele, Lea & Flood 2014): enough randomness for test data.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

const CODES: [&str; 6] = ["H+", "H0", "H-", "W+", "W0", "W-"];

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(rows) = args.next().and_then(|a| a.parse::<u64>().ok()) else {
        eprintln!("usage: lag-generate ROWS [SEED] > file.csv");
        return std::process::ExitCode::from(2);
    };
    let seed = args.next().and_then(|a| a.parse::<u64>().ok()).unwrap_or(1);
    let mut rng = SplitMix(seed);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "sequence,code")?;
        let (mut written, mut seq) = (0u64, 0u64);
        while written < rows {
            seq += 1;
            let len = (20 + rng.below(381)).min(rows - written);
            let mut code = rng.below(6) as usize;
            for _ in 0..len {
                writeln!(out, "{seq},{}", CODES[code])?;
                // Half the time the partner answers in the same valence
                // (reciprocity); otherwise any code.
                code = if rng.below(2) == 0 {
                    (code + 3) % 6
                } else {
                    rng.below(6) as usize
                };
            }
            written += len;
        }
        out.flush()
    };
    match write() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("write error: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
