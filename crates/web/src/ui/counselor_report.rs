//! The session report as a page: the domain's `Report` set out as plain
//! sections of sentences and tables, made to print (the browser's print to
//! PDF makes the file). Every figure comes from the report as the domain
//! computed it; this file only words and formats it.

use domain::counselor::report::Report;
use domain::counselor::Category;
use domain::ledger::Figures;

/// A table with a caption (read by screen readers and printed).
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One section of the report.
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub lines: Vec<String>,
    pub tables: Vec<Table>,
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"))
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{:.0}%", v * 100.0))
}

fn text(x: &Option<String>) -> String {
    x.clone().unwrap_or_else(|| "–".to_owned())
}

/// A 1–5 answer, or "Not for us" for an item a partner skipped (a skip is
/// never shown as a number).
fn score(x: Option<u8>) -> String {
    x.map_or_else(|| "Not for us".to_owned(), |v| v.to_string())
}

/// The gap cell of an item either partner skipped: there is no gap.
const SKIPPED_GAP: &str = "–";

/// Which sections the couple did not allow, in words.
pub fn not_allowed(report: &Report) -> Vec<&'static str> {
    Category::ALL
        .into_iter()
        .filter(|c| !report.categories.contains(c))
        .map(label)
        .collect()
}

pub fn label(c: Category) -> &'static str {
    match c {
        Category::ValuesAndRespect => "Values and respect",
        Category::Conversations => "Conversations",
        Category::Agreements => "Agreements",
        Category::Ledger => "Contributions and thanks",
        Category::Checkins => "Check-ins",
        Category::Episodes => "Episodes and negative reciprocity",
    }
}

/// The report's sections, in a fixed order; only those the couple allowed.
pub fn sections(r: &Report) -> Vec<Section> {
    let [a, b] = [r.names[0].as_str(), r.names[1].as_str()];
    let mut out = Vec::new();
    if let Some(s) = &r.values_and_respect {
        let mut section = Section {
            id: "values",
            title: label(Category::ValuesAndRespect),
            lines: Vec::new(),
            tables: Vec::new(),
        };
        match &s.values {
            Some(v) => {
                section.lines.push(format!(
                    "Values, round {} (revealed {}). Importance runs 1 to 5.",
                    v.number,
                    v.revealed_at.format("%-d %B %Y")
                ));
                section.tables.push(Table {
                    caption: "Values side by side".into(),
                    head: vec![
                        "Value".into(),
                        format!("{a}: importance"),
                        format!("{a}: in their words"),
                        format!("{b}: importance"),
                        format!("{b}: in their words"),
                        "Gap".into(),
                    ],
                    rows: v
                        .items
                        .iter()
                        .map(|i| {
                            vec![
                                i.item.name.to_owned(),
                                score(i.a.importance()),
                                text(&i.a.definition().map(str::to_owned)),
                                score(i.b.importance()),
                                text(&i.b.definition().map(str::to_owned)),
                                i.gap
                                    .map_or_else(|| SKIPPED_GAP.to_owned(), |g| g.to_string()),
                            ]
                        })
                        .collect(),
                });
            }
            None => section
                .lines
                .push("No values round has been revealed to both yet.".into()),
        }
        match &s.respect {
            Some(m) => {
                section.lines.push(format!(
                    "Respect map, round {} (revealed {}): how much each respects the other in each area, beside how respected the other feels (1 to 5).",
                    m.number,
                    m.revealed_at.format("%-d %B %Y")
                ));
                section.tables.push(Table {
                    caption: "Respect, stated and felt".into(),
                    head: vec![
                        "Area".into(),
                        format!("{a} respects {b}"),
                        format!("{b} feels respected"),
                        format!("{b} respects {a}"),
                        format!("{a} feels respected"),
                    ],
                    rows: m
                        .areas
                        .iter()
                        .map(|x| {
                            vec![
                                x.area.name.clone(),
                                score(x.a.i_respect()),
                                score(x.b.i_feel_respected()),
                                score(x.b.i_respect()),
                                score(x.a.i_feel_respected()),
                            ]
                        })
                        .collect(),
                });
            }
            None => section
                .lines
                .push("No respect map has been revealed to both yet.".into()),
        }
        out.push(section);
    }
    if let Some(decks) = &r.conversations {
        let mut section = Section {
            id: "conversations",
            title: label(Category::Conversations),
            lines: Vec::new(),
            tables: Vec::new(),
        };
        if decks.is_empty() {
            section
                .lines
                .push("No conversation has been revealed to both yet.".into());
        }
        for (deck, notes) in decks {
            section.tables.push(Table {
                caption: format!(
                    "{} (round {}, revealed {})",
                    deck.deck.title,
                    deck.number,
                    deck.revealed_at.format("%-d %B %Y")
                ),
                head: vec!["Prompt".into(), a.to_owned(), b.to_owned()],
                rows: deck
                    .prompts
                    .iter()
                    .map(|p| vec![p.prompt.text.to_owned(), text(&p.a), text(&p.b)])
                    .collect(),
            });
            if !notes.is_empty() {
                section.tables.push(Table {
                    caption: format!("Notes on {}", deck.deck.title),
                    head: vec!["Who".into(), "Note".into()],
                    rows: notes
                        .iter()
                        .map(|n| {
                            let who = if n.author == r.pair[0] { a } else { b };
                            vec![who.to_owned(), n.text.clone()]
                        })
                        .collect(),
                });
            }
        }
        out.push(section);
    }
    if let Some(s) = &r.agreements {
        let mut lines = vec![format!(
            "{} agreement(s). Over the last year, {} proposal(s) were answered.",
            s.agreements.len(),
            s.say.answered
        )];
        if s.say.one_sided {
            lines.push(
                "One partner's proposals pass unchanged far more often than the other's: worth a gentle look together."
                    .into(),
            );
        }
        out.push(Section {
            id: "agreements",
            title: label(Category::Agreements),
            lines,
            tables: vec![
                Table {
                    caption: "Each agreement and where it stands".into(),
                    head: vec![
                        "Title".into(),
                        "Area".into(),
                        "Where it stands".into(),
                        "Versions".into(),
                    ],
                    rows: s
                        .agreements
                        .iter()
                        .map(|x| {
                            vec![
                                x.title.clone(),
                                x.domain.label().to_owned(),
                                x.status.as_str().replace('_', " "),
                                x.latest_version.to_string(),
                            ]
                        })
                        .collect(),
                },
                Table {
                    caption: "Balance of say (last year)".into(),
                    head: vec![
                        "Who".into(),
                        "Proposed".into(),
                        "Answered".into(),
                        "Passed unchanged".into(),
                        "Countered".into(),
                        "Declined".into(),
                        "Unchanged rate".into(),
                    ],
                    rows: s
                        .say
                        .partners
                        .iter()
                        .map(|p| {
                            let who = if p.account_id == r.pair[0] { a } else { b };
                            vec![
                                who.to_owned(),
                                p.proposed.to_string(),
                                p.answered.to_string(),
                                p.passed_unchanged.to_string(),
                                p.countered.to_string(),
                                p.declined.to_string(),
                                pct(p.unchanged_rate),
                            ]
                        })
                        .collect(),
                },
            ],
        });
    }
    if let Some(view) = &r.ledger {
        let mut section = Section {
            id: "ledger",
            title: label(Category::Ledger),
            lines: vec![format!(
                "From {} to {}. The balance weighs what a gift meant to the one who received it; it is never a debt to settle.",
                view.from.format("%-d %B %Y"),
                view.to.format("%-d %B %Y")
            )],
            tables: Vec::new(),
        };
        match &view.figures {
            Figures::Shown(balance) => {
                section.lines.push(format!(
                    "Reciprocity index (1 is even): {}.",
                    num(balance.reciprocity_index)
                ));
                section.tables.push(Table {
                    caption: "Given and received".into(),
                    head: vec![
                        "Who".into(),
                        "Things done".into(),
                        "Value to the other".into(),
                        "Effort".into(),
                        "Waiting for thanks".into(),
                        "Equity".into(),
                    ],
                    rows: [a, b]
                        .iter()
                        .enumerate()
                        .map(|(i, who)| {
                            let p = &balance.partners[i];
                            vec![
                                (*who).to_owned(),
                                p.given_count.to_string(),
                                p.given_value.to_string(),
                                p.given_effort.to_string(),
                                p.awaiting_thanks.to_string(),
                                num(balance.equity[i]),
                            ]
                        })
                        .collect(),
                });
            }
            Figures::Hidden { .. } => section.lines.push(
                "The couple has not both chosen to see figures, so none are shown here either."
                    .into(),
            ),
        }
        out.push(section);
    }
    if let Some(s) = &r.checkins {
        let mut section = Section {
            id: "checkins",
            title: label(Category::Checkins),
            lines: vec![
                "Only check-ins a partner chose to share. Outcome is rewards minus costs; the trend is per week.".into(),
            ],
            tables: Vec::new(),
        };
        section.tables.push(Table {
            caption: "Trends".into(),
            head: vec![
                "Who".into(),
                "Shared check-ins".into(),
                "Latest outcome".into(),
                "Against their usual".into(),
                "Trend per week".into(),
            ],
            rows: s
                .partners
                .iter()
                .map(|p| {
                    let who = if p.account_id == r.pair[0] { a } else { b };
                    vec![
                        who.to_owned(),
                        p.series.len().to_string(),
                        num(p.balance.latest_outcome),
                        num(p.balance.outcome_vs_comparison),
                        num(p.balance.slope_per_week),
                    ]
                })
                .collect(),
        });
        if !s.love.is_empty() {
            section.tables.push(Table {
                caption: "Love given and received, in weeks both shared (0 to 8)".into(),
                head: vec![
                    "Week of".into(),
                    "From".into(),
                    "Love given".into(),
                    "Felt by the other".into(),
                ],
                rows: s
                    .love
                    .iter()
                    .map(|l| {
                        let who = if l.from == r.pair[0] { a } else { b };
                        vec![
                            l.week_of.to_string(),
                            who.to_owned(),
                            l.love_given.to_string(),
                            l.love_received.to_string(),
                        ]
                    })
                    .collect(),
            });
        }
        out.push(section);
    }
    if let Some(p) = &r.episodes {
        let mut lines = vec![format!(
            "{} shared episode(s), {} turn(s). Positive to negative in conflict: {} to {}.",
            p.episodes, p.turns, p.conflict.positive, p.conflict.negative
        )];
        if p.spirals_recur {
            lines.push("Spirals have come back three times or more in 30 days.".into());
        }
        let names = [a, b];
        out.push(Section {
            id: "episodes",
            title: label(Category::Episodes),
            lines,
            tables: vec![Table {
                caption:
                    "Negative reciprocity, each way (a negative turn answered by a negative one)"
                        .into(),
                head: vec![
                    "Direction".into(),
                    "Answers".into(),
                    "Negative after negative".into(),
                    "Usual rate".into(),
                    "Adjusted residual".into(),
                    "Yule's Q".into(),
                ],
                rows: p
                    .directions
                    .iter()
                    .map(|d| {
                        vec![
                            format!("{} → {}", names[d.from.min(1)], names[d.to.min(1)]),
                            d.n.to_string(),
                            pct(d.p_negative_after_negative),
                            pct(d.base_rate),
                            num(d.adjusted_residual),
                            num(d.yules_q),
                        ]
                    })
                    .collect(),
            }],
        });
    }
    out
}
