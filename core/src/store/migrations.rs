//! The database schema as numbered SQL migrations under `core/migrations/`.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::error::Result;

const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/001_documents.sql")),
    M::up(include_str!("../../migrations/002_projections.sql")),
    M::up(include_str!("../../migrations/003_sync.sql")),
    M::up(include_str!("../../migrations/004_outbox_bytes.sql")),
    M::up(include_str!("../../migrations/005_ticket_list_order.sql")),
    M::up(include_str!("../../migrations/006_set_aside.sql")),
    M::up(include_str!("../../migrations/007_incremental_saves.sql")),
    M::up(include_str!("../../migrations/008_reminders.sql")),
    M::up(include_str!("../../migrations/009_residents.sql")),
    M::up(include_str!("../../migrations/010_erased_records.sql")),
    M::up(include_str!("../../migrations/011_resident_ages.sql")),
    M::up(include_str!("../../migrations/012_work_orders.sql")),
    M::up(include_str!("../../migrations/013_needs.sql")),
    M::up(include_str!("../../migrations/014_evaluation_rounds.sql")),
    M::up(include_str!("../../migrations/015_joint_actions.sql")),
    M::up(include_str!("../../migrations/016_gate_goods.sql")),
    M::up(include_str!("../../migrations/017_gate_entry_details.sql")),
    M::up(include_str!("../../migrations/018_agenda_indexes.sql")),
];

/// Every migration, in order.
pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

/// How SQLite would run `sql` on a fresh store: each step of `EXPLAIN QUERY PLAN`, to check
/// that a query finds its rows by the index meant for it.
#[cfg(test)]
pub(crate) fn query_plan(sql: &str) -> Vec<String> {
    let mut conn = Connection::open_in_memory().expect("in-memory database");
    migrate(&mut conn).expect("migrations");
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("a query");
    // Its parameters, unbound, are NULL: the plan does not depend on them.
    for i in 1..=stmt.parameter_count() {
        stmt.raw_bind_parameter(i, rusqlite::types::Null)
            .expect("a parameter");
    }
    let mut rows = stmt.raw_query();
    let mut plan = Vec::new();
    while let Some(row) = rows.next().expect("its plan") {
        plan.push(row.get::<_, String>(3).expect("a step"));
    }
    plan
}

/// Brings `conn` to the latest schema.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    migrations().to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(conn: &Connection) -> Vec<(String, String, String)> {
        let mut stmt = conn
            .prepare(
                "SELECT type, name, COALESCE(sql, '') FROM sqlite_master \
                 WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn a_database_migrated_step_by_step_equals_a_fresh_one() {
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh).unwrap();

        let mut stepped = Connection::open_in_memory().unwrap();
        for version in 1..=MIGRATIONS.len() {
            migrations().to_version(&mut stepped, version).unwrap();
            if version == 1 {
                // A store in use at version 1 holds data that must survive.
                stepped
                    .execute("INSERT INTO meta (key, value) VALUES ('actor', 'abcd')", [])
                    .unwrap();
            }
            if version == 3 {
                // A change waiting in the outbox, and a received one.
                stepped
                    .execute_batch(
                        "INSERT INTO changes (hash, doc_id, bytes) VALUES \
                         (x'01', 'd', x'aa'), (x'02', 'd', x'bb'); \
                         INSERT INTO outbox (seq, hash, doc_id) VALUES (5, x'01', 'd');",
                    )
                    .unwrap();
            }
        }
        assert_eq!(schema(&stepped), schema(&fresh));
        let version: i64 = stepped
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let kept: String = stepped
            .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(kept, "abcd");
        let waiting: (i64, Vec<u8>, Vec<u8>) = stepped
            .query_row("SELECT seq, hash, bytes FROM outbox", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(waiting, (5, vec![1], vec![0xaa]));
    }
}
