//! `reciprocity analyze`: the analysis engine on a researcher's own files —
//! CSV in, JSON or an aligned table out; bad input exits 2 with a message
//! that names the line, never a panic.

mod apim;
mod apim_fold;
mod apim_read;
mod csv;
mod dyad_ids;
mod fast_csv;
mod format;
mod lag;
mod lag_report;
mod seen;

use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;

pub use apim::ApimArgs;
pub use lag::LagArgs;

/// The `analyze` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AnalyzeCommand {
    /// Lag-sequential analysis of coded event sequences (CSV columns
    /// `sequence,code`, optionally `actor`).
    ///
    /// For every given→target pair of codes at lag K: the count, its expected
    /// count, the transitional probability beside the target's base rate,
    /// the adjusted residual z and its two-sided p (optionally adjusted with
    /// --adjust), Yule's Q, the log odds ratio with SE and 95% CI (0.5 added
    /// to every cell of the 2×2 when one is zero, flagged), and Wampold's
    /// kappa with its z. For the table: G² and Pearson's X² with df and p.
    /// Cells whose expected count is under 5 are flagged; a statistic the
    /// data cannot define is null (a dash in the table), never a number.
    ///
    /// Without a coding rule the model is independence. With --no-repeat,
    /// --alternating or --impossible, impossible transitions are structural
    /// zeros and expected counts come from quasi-independence over the free
    /// cells (Bakeman & Quera 1995). Kappa's z is tested against the order
    /// within each sequence shuffled, so it stays calibrated for many short
    /// sequences and any lag. See docs/analyze-lag.md.
    Lag(LagArgs),
    /// Actor–partner interdependence model (one CSV row per person).
    #[command(long_about = apim::LONG_ABOUT)]
    Apim(ApimArgs),
}

impl AnalyzeCommand {
    fn input(&self) -> &str {
        match self {
            Self::Lag(a) => &a.input,
            Self::Apim(a) => &a.input,
        }
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// The JSON document fixed by API.md.
    #[default]
    Json,
    /// An aligned table for reading in a terminal.
    Table,
}

/// Why an analysis failed.
#[derive(Debug)]
pub enum AnalyzeError {
    /// Bad input (exit 2); the message names the line where there is one.
    Input(String),
    /// The output could not be written (exit 1).
    Output(std::io::Error),
}

impl AnalyzeError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => 2,
            Self::Output(_) => 1,
        }
    }
}

impl std::fmt::Display for AnalyzeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Input(msg) => f.write_str(msg),
            Self::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for AnalyzeError {}

pub(crate) fn input_error(msg: impl Into<String>) -> AnalyzeError {
    AnalyzeError::Input(msg.into())
}

impl From<std::io::Error> for AnalyzeError {
    fn from(e: std::io::Error) -> Self {
        Self::Output(e)
    }
}

/// Runs one analysis on the file named in `cmd` (`-` is standard input),
/// writing to standard output; exit 0 on success, 2 on bad input.
pub fn run(cmd: AnalyzeCommand) -> ExitCode {
    let path = cmd.input().to_owned();
    let reader: Box<dyn BufRead> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(&path) {
            Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
            Err(e) => {
                eprintln!("error: cannot open {path}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result =
        run_with(&cmd, reader, &mut out).and_then(|()| out.flush().map_err(AnalyzeError::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// The testable core: reads CSV from `input` (ignoring `cmd`'s path) and
/// writes the result to `out`.
pub fn run_with(
    cmd: &AnalyzeCommand,
    input: impl BufRead,
    out: &mut dyn Write,
) -> Result<(), AnalyzeError> {
    match cmd {
        AnalyzeCommand::Lag(args) => lag::run(args, input, out),
        AnalyzeCommand::Apim(args) => apim::run(args, input, out),
    }
}
