//! The benchmark floor: read the CSV and split every line at its commas,
//! nothing else. Any lag analysis must at least do this much work, so its
//! time is the yardstick for `reciprocity analyze lag`.

use std::io::{BufRead, BufReader, Read};

fn main() -> std::process::ExitCode {
    let path = std::env::args().nth(1).unwrap_or_else(|| "-".to_owned());
    let input: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(&path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("cannot open {path}: {e}");
                return std::process::ExitCode::from(2);
            }
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut line = Vec::with_capacity(256);
    let (mut lines, mut fields, mut bytes) = (0u64, 0u64, 0u64);
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("read error: {e}");
                return std::process::ExitCode::from(2);
            }
        }
        lines += 1;
        // Split: count the fields and touch each one, so the work is not
        // optimised away.
        for field in line.split(|&b| b == b',') {
            fields += 1;
            bytes += field.len() as u64;
        }
    }
    println!("{lines} lines, {fields} fields, {bytes} bytes");
    std::process::ExitCode::SUCCESS
}
