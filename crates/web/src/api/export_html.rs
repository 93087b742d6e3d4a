//! The export as one web page to read and print (SECURITY.md R37: "readable
//! JSON plus HTML"): `GET /api/v1/me/export.html` and the account page's
//! "Download as a web page" (`GET /account/export.html`).
//!
//! The page is drawn from the very value the JSON file is made of
//! (`export::archive`), serialised and walked whole: every field of the
//! file appears on the page, in the same nesting, and no other data. A field
//! this module has no words for yet (a later addition to the archive) is
//! still drawn, under a label made from its name, so the page cannot fall
//! behind the file.
//!
//! SECURITY: every text taken from the archive (and every label and heading
//! written here) goes through [`esc`]. The document is self-contained: no
//! script, no link or resource outside itself, one inline stylesheet. It
//! carries its own Content-Security-Policy (`default-src 'none'`, that
//! stylesheet allowed by its hash), so even opened from a disk, where no
//! server header applies, it can run and fetch nothing.

use std::collections::HashMap;
use std::fmt::Write as _;

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The page's one stylesheet: plain, and fit for paper.
const STYLE: &str = "\
body{font:16px/1.5 Georgia,'Times New Roman',serif;color:#1d1d1d;background:#fff;\
max-width:52rem;margin:2rem auto;padding:0 1rem}\
h1,h2,h3,h4,h5,h6{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.25;\
margin:1.6em 0 .4em}\
h1{font-size:1.9rem;margin-top:0}h2{font-size:1.5rem;border-bottom:2px solid #2f5d50;\
padding-bottom:.2rem;margin-top:2.4rem}h3{font-size:1.25rem}h4{font-size:1.1rem}\
h5,h6{font-size:1rem}\
p.lead{font-size:1.1rem}p.note{border-left:4px solid #b0563a;padding:.3rem .8rem;background:#fbf3ef}\
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}\
th,td{border:1px solid #c9c9c9;padding:.25rem .45rem;text-align:left;vertical-align:top;\
overflow-wrap:anywhere}\
th{background:#f1f4f3}\
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.15rem 1rem;margin:.3rem 0}\
dt{font-weight:bold}dd{margin:0;overflow-wrap:anywhere}\
ol.cards{list-style:none;padding:0;margin:.4rem 0}\
ol.cards>li{border:1px solid #d6d6d6;border-radius:4px;padding:.45rem .75rem;margin:.5rem 0;\
break-inside:avoid}\
.text{white-space:pre-wrap}.none{color:#666;font-style:italic}\
nav ol{columns:2}\
@media print{body{max-width:none;margin:0;font-size:11pt}nav{display:none}\
h2,h3,h4{break-after:avoid}a{color:inherit;text-decoration:none}}";

/// Labels for the fields of the archive, in words; any other field is
/// labelled from its name (`thanks_note` → "Thanks note").
const LABELS: &[(&str, &str)] = &[
    ("display_name", "Name"),
    ("email", "E-mail"),
    ("created_at", "Created"),
    ("you_joined_at", "You joined"),
    ("viewer_name", "Who looked"),
    ("viewer_id", "Their account"),
    ("relationship_id", "Space"),
    ("description", "What"),
    ("day", "Day"),
    ("first_at", "First look that day"),
    ("kind", "What happened"),
    ("at", "When"),
    ("device", "Device"),
    ("client", "From"),
    ("last_used_at", "Last used"),
    ("expires_at", "Expires"),
    ("account_id", "Account"),
    ("you", "This is you"),
    ("giver_id", "Given by"),
    ("receiver_id", "For"),
    ("logged_by", "Written down by"),
    ("occurred_on", "On"),
    ("effort", "Effort (1\u{2013}5)"),
    ("minutes", "Minutes"),
    ("value", "What it meant (1\u{2013}5)"),
    ("thanks_note", "Words of thanks"),
    ("acknowledged", "Thanked"),
    ("acknowledged_at", "Thanked at"),
    ("editable", "Could still be corrected"),
    ("mine", "Your part"),
    ("partner_submitted", "Your partner has sent theirs"),
    ("revealed_at", "Revealed"),
    ("sent_at", "Sent"),
    ("ended_at", "Ended on"),
    ("author", "Written by"),
    ("agreement_idea", "An idea for an agreement"),
    ("i_respect", "I respect"),
    ("i_feel_respected", "I feel respected"),
    ("not_for_us", "Not for us (skipped, not scored)"),
    ("asking", "A new round asked for"),
    ("can_prefill", "Could start from your last answers"),
    ("previous_round", "Set beside round"),
    ("last_time", "Last time"),
    ("opening_question", "A question to start with"),
    ("id", "Id"),
];

/// Fields drawn first, in this order (the words before the bookkeeping);
/// the rest follow by name, and ids come last.
const FIRST: &[&str] = &[
    "display_name",
    "viewer_name",
    "description",
    "title",
    "name",
    "deck",
    "round",
    "number",
    "status",
    "state",
    "mine",
    "partner_submitted",
    "item",
    "key",
    "area",
    "prompt",
    "text",
    "answer",
    "summary",
    "domain",
    "occurred_on",
    "effort",
    "minutes",
    "giver_id",
    "receiver_id",
    "logged_by",
    "author",
    "importance",
    "definition",
    "i_respect",
    "i_feel_respected",
    "a",
    "b",
    "from",
    "to",
    "stated",
    "felt",
    "gap",
    "highlighted",
    "value",
    "thanks_note",
    "acknowledged",
    "acknowledged_at",
    "kind",
    "at",
    "device",
    "client",
    "day",
    "first_at",
    "ended",
    "ended_at",
    "entries",
    "values",
    "respect",
    "conversations",
    "rounds",
    "answers",
    "prompts",
    "items",
    "areas",
    "directions",
    "topics",
    "notes",
];

/// Fields that hold an account id: drawn as the person's name.
const PEOPLE: &[&str] = &[
    "viewer_id",
    "giver_id",
    "receiver_id",
    "logged_by",
    "author",
    "partners",
    "from",
    "to",
];

/// Fields whose values are codes (`household_labor`): drawn as words.
const CODES: &[&str] = &["domain", "kind", "status", "state", "mine", "asking"];

/// The `Content-Security-Policy` of the document itself.
fn policy() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    format!("default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'")
}

/// Escapes text for an HTML text node or a quoted attribute.
pub fn esc(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The whole document for an archive (the JSON value of `export::Archive`).
pub fn document(archive: &Value) -> String {
    let mut page = Page::new(archive);
    page.draw(archive);
    page.out
}

struct Page {
    out: String,
    /// Account ids and how to call them: "you", or their name.
    names: HashMap<String, String>,
    /// The names of the `a` and `b` of the comparison being drawn.
    sides: Option<(String, String)>,
}

fn label(key: &str) -> String {
    if let Some((_, words)) = LABELS.iter().find(|(k, _)| *k == key) {
        return (*words).to_owned();
    }
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

/// The order fields are drawn in (see [`FIRST`]).
fn ordered(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let rank = |key: &str| -> (usize, usize) {
        if let Some(i) = FIRST.iter().position(|f| *f == key) {
            (0, i)
        } else if key == "id" || key.ends_with("_id") {
            (2, 0)
        } else {
            (1, 0)
        }
    };
    let mut fields: Vec<(&String, &Value)> = map.iter().collect();
    // Stable: within a rank, by name (the map's own order).
    fields.sort_by_key(|(k, _)| rank(k));
    fields
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// A list of flat records small enough to read as a table.
fn is_table(items: &[Value]) -> bool {
    items.iter().all(|i| {
        i.as_object()
            .is_some_and(|o| o.len() <= 7 && o.values().all(is_scalar))
    })
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

impl Page {
    fn new(archive: &Value) -> Self {
        let me = str_at(&archive["account"], "id");
        let mut names = HashMap::new();
        for rel in archive["relationships"].as_array().into_iter().flatten() {
            for m in rel["members"].as_array().into_iter().flatten() {
                let id = str_at(m, "account_id");
                if !id.is_empty() && id != me {
                    names.insert(id.to_owned(), str_at(m, "display_name").to_owned());
                }
            }
        }
        for line in archive["access_log"].as_array().into_iter().flatten() {
            names
                .entry(str_at(line, "viewer_id").to_owned())
                .or_insert_with(|| str_at(line, "viewer_name").to_owned());
        }
        if !me.is_empty() {
            names.insert(me.to_owned(), "you".to_owned());
        }
        Self {
            out: String::with_capacity(64 * 1024),
            names,
            sides: None,
        }
    }

    fn text(&mut self, text: &str) {
        esc(&mut self.out, text);
    }

    fn raw(&mut self, html: &str) {
        self.out.push_str(html);
    }

    /// `<hN id=…>heading</hN>` (levels past 6 stay 6).
    fn heading(&mut self, level: usize, id: Option<&str>, words: &str) {
        let level = level.clamp(1, 6);
        let _ = write!(self.out, "<h{level}");
        if let Some(id) = id {
            self.raw(" id=\"");
            self.text(id);
            self.raw("\"");
        }
        self.raw(">");
        self.text(words);
        let _ = write!(self.out, "</h{level}>");
    }

    fn para(&mut self, class: &str, words: &str) {
        let _ = write!(self.out, "<p class=\"{class}\">");
        self.text(words);
        self.raw("</p>");
    }

    fn draw(&mut self, archive: &Value) {
        let empty = Map::new();
        let top = archive.as_object().unwrap_or(&empty);
        let me = str_at(&archive["account"], "display_name");
        let made = when(str_at(archive, "exported_at"));

        self.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        self.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"");
        let csp = policy();
        self.text(&csp);
        self.raw("\"><meta name=\"referrer\" content=\"no-referrer\">");
        self.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        self.raw("<title>Your data</title><style>");
        self.raw(STYLE);
        self.raw("</style></head><body><main>");

        self.heading(1, None, "Your data");
        self.para(
            "lead",
            &format!(
                "A copy of everything you could see in Reciprocity, made for {me} on {made}: \
                 everything you wrote, your drafts too, and what your partner shared with you \
                 while you were together."
            ),
        );
        self.para(
            "note",
            "This page is not encrypted: anyone who opens it can read it. Keep it somewhere \
             only you can reach, and delete copies you no longer need.",
        );
        self.raw("<p>Format ");
        self.text(str_at(archive, "format"));
        self.raw(", version ");
        self.scalar("version", &archive["version"]);
        self.raw(". The same data comes as a JSON file for other programs.</p>");

        // What the page holds, in order.
        let rels: &[Value] = archive["relationships"]
            .as_array()
            .map_or(&[], Vec::as_slice);
        self.raw("<nav aria-labelledby=\"contents\"><h2 id=\"contents\">On this page</h2><ol>");
        let mut sections: Vec<(String, String)> = vec![
            ("account".into(), "About you".into()),
            (
                "access-log".into(),
                "Who has looked at what you shared".into(),
            ),
            (
                "security-events".into(),
                "Recent activity on your account".into(),
            ),
            ("tokens".into(), "Your tokens for scripts".into()),
        ];
        for (i, rel) in rels.iter().enumerate() {
            sections.push((format!("space-{}", i + 1), self.space_title(rel)));
        }
        let known = [
            "format",
            "version",
            "exported_at",
            "account",
            "access_log",
            "security_events",
            "tokens",
            "relationships",
        ];
        let others: Vec<(&String, &Value)> = ordered(top)
            .into_iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .collect();
        for (key, _) in &others {
            sections.push((format!("more-{key}"), label(key)));
        }
        for (id, words) in &sections {
            self.raw("<li><a href=\"#");
            self.text(id);
            self.raw("\">");
            self.text(words);
            self.raw("</a></li>");
        }
        self.raw("</ol></nav>");

        self.heading(2, Some("account"), "About you");
        self.value("account", &archive["account"]);

        self.heading(2, Some("access-log"), "Who has looked at what you shared");
        self.raw(
            "<p>Each time your partner opened something you shared with them (your ledger \
             entries and thanks, or your answers once a round was revealed), a line was added \
             here, once a day. Only you can see this list.</p>",
        );
        self.list_or(
            "access_log",
            &archive["access_log"],
            "Nobody has looked at what you shared.",
        );

        self.heading(
            2,
            Some("security-events"),
            "Recent activity on your account",
        );
        self.raw(
            "<p>Sign-ins and changes to how you sign in, newest first, as far back as the \
             server keeps them (90 days).</p>",
        );
        self.list_or(
            "security_events",
            &archive["security_events"],
            "Nothing yet.",
        );

        self.heading(2, Some("tokens"), "Your tokens for scripts");
        self.raw("<p>Their names and dates only: a token\u{2019}s secret is never kept.</p>");
        self.list_or("tokens", &archive["tokens"], "You have made no tokens.");

        if rels.is_empty() {
            self.raw("<p>You have not shared a space with anyone yet.</p>");
        }
        for (i, rel) in rels.iter().enumerate() {
            self.space(i + 1, rel);
        }

        for (key, v) in others {
            self.heading(2, Some(&format!("more-{key}")), &label(key));
            self.value(key, v);
        }
        self.raw("</main></body></html>\n");
    }

    /// "Your space with Bo", or how a space without a partner is called.
    fn space_title(&self, rel: &Value) -> String {
        let partners: Vec<&str> = rel["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["you"] != Value::Bool(true))
            .map(|m| str_at(m, "display_name"))
            .collect();
        if partners.is_empty() {
            "Your space, waiting for your partner".to_owned()
        } else {
            format!("Your space with {}", partners.join(" and "))
        }
    }

    fn space(&mut self, n: usize, rel: &Value) {
        let title = self.space_title(rel);
        self.heading(2, Some(&format!("space-{n}")), &title);
        let joined = when(str_at(rel, "you_joined_at"));
        let status = match str_at(rel, "status") {
            "active" => "Open".to_owned(),
            "ended" => "Ended. From here on you keep only your own words.".to_owned(),
            "pending" => "Waiting for your partner to join.".to_owned(),
            other => words_of(other),
        };
        self.raw("<dl><dt>Status</dt><dd>");
        self.text(&status);
        self.raw("</dd><dt>You joined</dt><dd>");
        self.text(&joined);
        self.raw("</dd><dt>Space</dt><dd>");
        self.text(str_at(rel, "id"));
        self.raw("</dd></dl>");

        let parts: [(&str, &str, &str); 12] = [
            ("members", "Who is in it", ""),
            (
                "ledger",
                "The ledger: what you did for each other",
                "Nothing written down yet.",
            ),
            ("values", "What matters to each of you", ""),
            ("respect", "The respect map", ""),
            ("conversations", "Conversations", ""),
            ("written", "Everything you wrote here", ""),
            (
                "reflections",
                "Your private reflections",
                "No reflections in this file.",
            ),
            ("agreements", "Agreements", "No agreements in this file."),
            ("checkins", "Check-ins", ""),
            ("episodes", "Episodes", "No episodes in this file."),
            (
                "your_views_of_their_episodes",
                "How you remembered episodes your former partner recorded",
                "",
            ),
            (
                "notes_to_your_counselor",
                "Your private notes to your counselor",
                "No notes to a counselor in this file.",
            ),
        ];
        let empty = Map::new();
        let map = rel.as_object().unwrap_or(&empty);
        for (key, heading, none) in parts {
            let Some(v) = map.get(key) else { continue };
            self.heading(3, None, heading);
            match key {
                "members" => self.members(v),
                "values" | "respect" => self.instrument(v, 4),
                "conversations" => self.decks(v),
                "checkins" => self.value(key, v),
                "written" => {
                    self.raw(
                        "<p>Only your own words, whatever became of the space, drafts \
                         included.</p>",
                    );
                    self.value(key, v);
                }
                _ => self.list_or(key, v, none),
            }
        }
        let known = [
            "id",
            "status",
            "you_joined_at",
            "members",
            "ledger",
            "values",
            "respect",
            "conversations",
            "written",
            "reflections",
            "agreements",
            "checkins",
            "episodes",
            "your_views_of_their_episodes",
            "notes_to_your_counselor",
        ];
        for (key, v) in ordered(map) {
            if !known.contains(&key.as_str()) {
                self.heading(3, None, &label(key));
                self.value(key, v);
            }
        }
    }

    /// The members, with their account ids (the one place ids are not
    /// turned into names).
    fn members(&mut self, v: &Value) {
        self.raw("<table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Account</th></tr></thead><tbody>");
        for m in v.as_array().into_iter().flatten() {
            self.raw("<tr><td>");
            self.text(str_at(m, "display_name"));
            if m["you"] == Value::Bool(true) {
                self.raw(" (you)");
            }
            self.raw("</td><td>");
            self.text(str_at(m, "account_id"));
            self.raw("</td></tr>");
        }
        self.raw("</tbody></table>");
    }

    /// A sealed instrument: where the caller stands, then every revealed round.
    fn instrument(&mut self, v: &Value, level: usize) {
        if let Some(current) = v.get("current") {
            self.heading(level, None, "Where you are now");
            self.value("current", current);
        }
        if let Some(compared) = v.get("comparisons") {
            self.heading(level, None, "Rounds you both answered");
            self.list_or(
                "comparisons",
                compared,
                "No round has been revealed to you here.",
            );
        }
        if let Some(map) = v.as_object() {
            for (key, value) in ordered(map) {
                if key != "current" && key != "comparisons" {
                    self.heading(level, None, &label(key));
                    self.value(key, value);
                }
            }
        }
    }

    fn decks(&mut self, v: &Value) {
        for deck in v.as_array().into_iter().flatten() {
            let title = deck["current"]["title"]
                .as_str()
                .map_or_else(|| words_of(str_at(deck, "deck")), str::to_owned);
            self.heading(4, None, &title);
            self.instrument(&without(deck, &["notes", "deck"]), 5);
            self.heading(5, None, "Notes");
            self.list_or("notes", &deck["notes"], "No notes you may read.");
            if let Some(map) = deck.as_object() {
                for (key, value) in ordered(map) {
                    if !["current", "comparisons", "notes", "deck"].contains(&key.as_str()) {
                        self.heading(5, None, &label(key));
                        self.value(key, value);
                    }
                }
            }
        }
    }

    /// A list, or a sentence when it is empty.
    fn list_or(&mut self, key: &str, v: &Value, none: &str) {
        match v.as_array() {
            Some(items) if items.is_empty() && !none.is_empty() => {
                self.raw("<p class=\"none\">");
                self.text(none);
                self.raw("</p>");
            }
            _ => self.value(key, v),
        }
    }

    /// Any value of the archive, drawn by its shape.
    fn value(&mut self, key: &str, v: &Value) {
        match v {
            Value::Array(items) if items.is_empty() => {
                self.raw("<span class=\"none\">none</span>");
            }
            Value::Array(items) if items.iter().all(is_scalar) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.raw(", ");
                    }
                    self.scalar(key, item);
                }
            }
            Value::Array(items) if is_table(items) => self.table(items),
            Value::Array(items) => {
                self.raw("<ol class=\"cards\">");
                for item in items {
                    self.raw("<li>");
                    self.value(key, item);
                    self.raw("</li>");
                }
                self.raw("</ol>");
            }
            Value::Object(map) => self.fields(map),
            scalar => self.scalar(key, scalar),
        }
    }

    fn fields(&mut self, map: &Map<String, Value>) {
        // A comparison names its two partners; its `a` and `b` are theirs.
        let sides = match map.get("partners").and_then(Value::as_array) {
            Some(pair) if pair.len() == 2 => Some((
                self.name_of(pair[0].as_str().unwrap_or_default()),
                self.name_of(pair[1].as_str().unwrap_or_default()),
            )),
            _ => None,
        };
        let outer = sides.map(|pair| self.sides.replace(pair));
        self.raw("<dl>");
        for (key, v) in ordered(map) {
            self.raw("<dt>");
            let words = self.label(key);
            self.text(&words);
            self.raw("</dt><dd>");
            self.value(key, v);
            self.raw("</dd>");
        }
        self.raw("</dl>");
        if let Some(outer) = outer {
            self.sides = outer;
        }
    }

    fn table(&mut self, items: &[Value]) {
        let mut columns: Vec<&String> = Vec::new();
        for item in items {
            for (key, _) in item.as_object().map(ordered).unwrap_or_default() {
                if !columns.contains(&key) {
                    columns.push(key);
                }
            }
        }
        self.raw("<table><thead><tr>");
        for key in &columns {
            self.raw("<th scope=\"col\">");
            let words = self.label(key);
            self.text(&words);
            self.raw("</th>");
        }
        self.raw("</tr></thead><tbody>");
        for item in items {
            self.raw("<tr>");
            for key in &columns {
                self.raw("<td>");
                self.scalar(key, item.get(key.as_str()).unwrap_or(&Value::Null));
                self.raw("</td>");
            }
            self.raw("</tr>");
        }
        self.raw("</tbody></table>");
    }

    /// A field's label; in a comparison, `a` and `b` are the partners' names.
    fn label(&self, key: &str) -> String {
        let side = match (key, &self.sides) {
            ("a", Some((a, _))) => a,
            ("b", Some((_, b))) => b,
            _ => return label(key),
        };
        if side == "you" {
            "You".to_owned()
        } else {
            side.clone()
        }
    }

    fn name_of(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    fn scalar(&mut self, key: &str, v: &Value) {
        match v {
            Value::Null => self.raw("<span class=\"none\">\u{2014}</span>"),
            Value::Bool(true) => self.raw("yes"),
            Value::Bool(false) => self.raw("no"),
            Value::Number(n) => {
                let n = n.to_string();
                self.text(&n);
            }
            Value::String(s) => {
                let shown = if PEOPLE.contains(&key) {
                    self.name_of(s)
                } else if CODES.contains(&key) {
                    words_of(s)
                } else if key == "at" || key.ends_with("_at") {
                    when(s)
                } else if key == "day" || key.ends_with("_on") {
                    day(s)
                } else {
                    s.clone()
                };
                self.raw("<span class=\"text\">");
                self.text(&shown);
                self.raw("</span>");
            }
            nested => {
                let json = nested.to_string();
                self.text(&json);
            }
        }
    }
}

/// A copy of an object without some fields.
fn without(v: &Value, keys: &[&str]) -> Value {
    match v.as_object() {
        Some(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        None => v.clone(),
    }
}

/// `household_labor` → "household labor".
fn words_of(code: &str) -> String {
    code.replace('_', " ")
}

/// An RFC 3339 time, in words (UTC); anything else as it is.
fn when(raw: &str) -> String {
    DateTime::parse_from_rfc3339(raw).map_or_else(
        |_| raw.to_owned(),
        |t| {
            t.with_timezone(&Utc)
                .format("%-d %B %Y, %H:%M:%S UTC")
                .to_string()
        },
    )
}

/// A `YYYY-MM-DD` date, in words; anything else as it is.
fn day(raw: &str) -> String {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_or_else(|_| raw.to_owned(), |d| d.format("%-d %B %Y").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn archive(text: &str) -> Value {
        json!({
            "format": "reciprocity-export", "version": 1,
            "exported_at": "2026-12-01T09:30:00Z",
            "account": {"id": "a0", "email": "a@example.org", "display_name": "Ada",
                "created_at": "2026-11-01T08:00:00Z"},
            "security_events": [], "access_log": [], "tokens": [],
            "relationships": [{
                "id": "r1", "status": "active", "you_joined_at": "2026-11-02T08:00:00Z",
                "members": [
                    {"account_id": "a0", "display_name": "Ada", "you": true},
                    {"account_id": "b0", "display_name": "Bo <b>", "you": false}],
                "ledger": [{"id": "c1", "description": text, "giver_id": "b0",
                    "occurred_on": "2026-11-30", "created_at": "2026-11-30T10:00:00Z"}],
                "values": {"current": {"round": 1}, "comparisons": []},
                "respect": {"current": {"round": 1}, "comparisons": []},
                "conversations": [],
                "written": {"entries": []},
                "reflections": [],
                "agreements": [],
                "later_part": {"words": text}
            }],
            "a_later_section": [{"words": text}]
        })
    }

    #[test]
    fn every_text_is_escaped_and_nothing_runs() {
        let evil = "<script>alert('x')</script> & \"quoted\"";
        let html = document(&archive(evil));
        assert!(!html.contains("<script"), "{html}");
        assert!(html
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"));
        // A name is text too.
        assert!(html.contains("Your space with Bo &lt;b&gt;"));
        assert!(!html.contains("<b>"));
        // Nothing outside the document: no source, no link out.
        for outside in [
            "src=",
            "href=\"http",
            "href=\"//",
            "url(",
            "@import",
            "<link",
            "<img",
        ] {
            assert!(!html.contains(outside), "{outside} in {html}");
        }
    }

    #[test]
    fn a_field_it_has_no_words_for_is_still_drawn() {
        let html = document(&archive("MARK-later"));
        // Once in the ledger, once in the space's later part, once in the
        // later top-level section.
        assert_eq!(html.matches("MARK-later").count(), 3, "{html}");
        assert!(html.contains("Later part"));
        assert!(html.contains("A later section"));
    }

    #[test]
    fn ids_of_people_read_as_names_and_times_in_words() {
        let html = document(&archive("x"));
        // The ledger of the fixture is small enough for a table.
        assert!(html.contains("<th scope=\"col\">Given by</th>"));
        assert!(html.contains("<td><span class=\"text\">Bo &lt;b&gt;</span></td>"));
        // The id itself is shown once: under who is in the space.
        assert_eq!(html.matches(">b0<").count(), 1, "{html}");
        assert!(html.contains("30 November 2026"));
        assert!(html.contains("1 December 2026, 09:30:00 UTC"));
    }

    #[test]
    fn the_policy_allows_exactly_the_stylesheet() {
        let html = document(&archive("x"));
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
        assert!(html.contains(&format!("style-src &#39;sha256-{hash}&#39;")));
        assert!(html.contains("default-src &#39;none&#39;"));
        assert_eq!(html.matches("<style>").count(), 1);
        assert!(html.contains(&format!("<style>{STYLE}</style>")));
    }
}
