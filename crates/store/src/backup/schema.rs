//! The tables to copy, read from a SQLite schema (the backup file's), in an
//! order that puts every table after the tables its foreign keys point to,
//! so inserting in that order never trips a foreign key on PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Row, SqliteConnection};

use super::{BackupError, Context};

/// Tables that are bookkeeping, not data: the migrations' own record (each
/// database keeps its own) and the backup's description of itself.
pub const NOT_COPIED: [&str; 2] = ["_sqlx_migrations", super::file::INFO_TABLE];

#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
}

/// Every data table of the SQLite database, parents before children.
pub async fn tables(conn: &mut SqliteConnection) -> Result<Vec<Table>, BackupError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await
    .doing("listing the tables")?;
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| !NOT_COPIED.contains(&n.as_str()))
        .collect();

    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut columns: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in &names {
        let cols = sqlx::query("SELECT name FROM pragma_table_info($1) ORDER BY cid")
            .bind(name)
            .fetch_all(&mut *conn)
            .await
            .doing(format!("reading the columns of {name}"))?
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
        columns.insert(name.clone(), cols);
        let refs: Vec<String> =
            sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_list($1)")
                .bind(name)
                .fetch_all(&mut *conn)
                .await
                .doing(format!("reading the foreign keys of {name}"))?;
        // A table pointing at itself needs its rows in order, not the table
        // moved; ours have none, and a self-edge would block the sort.
        parents.insert(
            name.clone(),
            refs.into_iter().filter(|p| p != name).collect(),
        );
    }
    Ok(parents_first(parents)
        .into_iter()
        .map(|name| Table {
            columns: columns.remove(&name).unwrap_or_default(),
            name,
        })
        .collect())
}

/// Kahn's algorithm, alphabetical among equals so the order is stable. A
/// cycle (none in our schema) puts the rest at the end in name order.
fn parents_first(mut parents: BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut order = Vec::with_capacity(parents.len());
    loop {
        let ready: Vec<String> = parents
            .iter()
            .filter(|(_, ps)| ps.iter().all(|p| !parents.contains_key(p)))
            .map(|(name, _)| name.clone())
            .collect();
        if ready.is_empty() {
            order.extend(parents.into_keys());
            return order;
        }
        for name in ready {
            parents.remove(&name);
            order.push(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_first_and_the_order_is_stable() {
        let graph = |edges: &[(&str, &[&str])]| {
            edges
                .iter()
                .map(|(t, ps)| (t.to_string(), ps.iter().map(|p| p.to_string()).collect()))
                .collect::<BTreeMap<String, BTreeSet<String>>>()
        };
        // contributions -> accounts, relationships; members -> both; sides -> rounds -> relationships.
        let order = parents_first(graph(&[
            ("sealed_sides", &["sealed_rounds", "accounts"]),
            ("contributions", &["accounts", "relationships"]),
            ("accounts", &[]),
            ("sealed_rounds", &["relationships"]),
            ("relationships", &[]),
            // A parent outside the copied set (bookkeeping) does not block.
            ("notes", &["_elsewhere"]),
        ]));
        assert_eq!(
            order,
            [
                "accounts",
                "notes",
                "relationships",
                "contributions",
                "sealed_rounds",
                "sealed_sides"
            ]
        );
    }
}
