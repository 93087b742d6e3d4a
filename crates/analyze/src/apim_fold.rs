//! Folds dyads into `ApimData` on a second thread while the reader parses
//! the next rows: on 10 M rows the fold (an outer product per dyad) costs
//! about as much as the parsing, so the two overlap on two cores. Dyads
//! travel in batches of plain values through a bounded channel (a few
//! batches in flight, so memory stays flat), and the emptied batches come
//! back to be refilled.

use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use analytics::apim::{ApimData, ApimSpec, DyadError, Member};

/// Dyads per batch.
const BATCH: usize = 4096;
/// Batches queued for the folding thread.
const IN_FLIGHT: usize = 3;

/// One person's values as the model takes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Row {
    pub line: u64,
    pub role: Option<usize>,
    pub x: Option<f64>,
    pub y: Option<f64>,
}

/// Dyads in a flat layout: `rows[2i]` and, if `two[i]`, `rows[2i + 1]`;
/// covariates of row r at `covariates[r·q .. (r + 1)·q]`.
#[derive(Default)]
struct Batch {
    rows: Vec<Row>,
    two: Vec<bool>,
    covariates: Vec<Option<f64>>,
}

impl Batch {
    fn clear(&mut self) {
        self.rows.clear();
        self.two.clear();
        self.covariates.clear();
    }
}

/// A dyad the model refused, by the lines of its rows.
pub struct Refusal {
    pub error: DyadError,
    pub lines: Vec<u64>,
}

pub struct Fold {
    q: usize,
    batch: Batch,
    to_worker: Option<SyncSender<Batch>>,
    empties: Receiver<Batch>,
    worker: Option<JoinHandle<(ApimData, Vec<Refusal>)>>,
}

fn fold(
    mut data: ApimData,
    q: usize,
    batches: Receiver<Batch>,
    empties: Sender<Batch>,
) -> (ApimData, Vec<Refusal>) {
    let mut refused = Vec::new();
    let no_covariates: [Option<f64>; 0] = [];
    for mut batch in batches {
        let mut r = 0;
        for &two in &batch.two {
            let covs = |i: usize| -> &[Option<f64>] {
                if q == 0 {
                    &no_covariates
                } else {
                    &batch.covariates[i * q..(i + 1) * q]
                }
            };
            let member = |i: usize| {
                let row = batch.rows[i];
                Member {
                    role: row.role,
                    x: row.x,
                    y: row.y,
                    covariates: covs(i),
                }
            };
            let n = if two { 2 } else { 1 };
            let pushed = if two {
                data.push_dyad(&[member(r), member(r + 1)])
            } else {
                data.push_dyad(&[member(r)])
            };
            if let Err(error) = pushed {
                if refused.len() < 10 {
                    let lines = batch.rows[r..r + n].iter().map(|x| x.line).collect();
                    refused.push(Refusal { error, lines });
                }
            }
            r += n;
        }
        batch.clear();
        // The reader may have finished and gone: then nothing to recycle.
        let _ = empties.send(batch);
    }
    (data, refused)
}

impl Fold {
    pub fn new(spec: ApimSpec) -> Self {
        let q = spec.covariates.len();
        let data = ApimData::new(spec);
        let (to_worker, batches) = sync_channel::<Batch>(IN_FLIGHT);
        let (back, empties) = channel::<Batch>();
        let worker = std::thread::Builder::new()
            .name("apim-fold".into())
            .spawn(move || fold(data, q, batches, back))
            .ok();
        Self {
            q,
            batch: Batch::default(),
            to_worker: Some(to_worker),
            empties,
            worker,
        }
    }

    /// Queues one dyad (one or two rows with their covariates, `q` per row).
    pub fn push(&mut self, rows: &[(Row, &[Option<f64>])]) {
        for (row, covs) in rows {
            self.batch.rows.push(*row);
            debug_assert_eq!(covs.len(), self.q);
            self.batch.covariates.extend_from_slice(covs);
        }
        self.batch.two.push(rows.len() == 2);
        if self.batch.two.len() >= BATCH {
            self.send();
        }
    }

    fn send(&mut self) {
        let next = self.empties.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batch, next);
        if let Some(tx) = &self.to_worker {
            // A send fails only if the worker is gone (it panicked); the
            // join in `finish` reports that.
            let _ = tx.send(full);
        }
    }

    /// Waits for the fold to finish and returns the data and the dyads it
    /// refused; `None` if the folding thread could not run.
    pub fn finish(mut self) -> Option<(ApimData, Vec<Refusal>)> {
        if !self.batch.two.is_empty() {
            self.send();
        }
        drop(self.to_worker.take());
        self.worker.take()?.join().ok()
    }
}
