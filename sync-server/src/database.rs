//! Where a relay keeps its data: a SQLite file (the default), or a PostgreSQL database shared
//! by several relay instances. Either way each instance keeps two local stores of its own, the
//! office replica and the admin tools' store, derived from the log and rebuilt from it when
//! missing: beside the SQLite file, or in a state folder for PostgreSQL.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::RelayError;
use crate::storage::RelayStorage;
use crate::storage::postgres::{PostgresStorage, is_postgres_url};
use crate::storage::sqlite::SqliteStorage;

/// The relay's database and the folder of its local stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file; the local stores live beside it.
    Sqlite(PathBuf),
    /// A PostgreSQL URL and this instance's state folder.
    Postgres {
        /// `postgres://…`
        url: String,
        /// The folder of this instance's local stores.
        state_dir: PathBuf,
    },
}

impl Database {
    /// `db` as given on the command line: a `postgres://` URL or a SQLite path. `state_dir`
    /// holds the local stores of a PostgreSQL relay (default `linli-data`).
    pub fn parse(db: &str, state_dir: Option<&Path>) -> Database {
        if is_postgres_url(db) {
            Database::Postgres {
                url: db.to_owned(),
                state_dir: state_dir.map_or_else(|| PathBuf::from("linli-data"), Path::to_path_buf),
            }
        } else {
            Database::Sqlite(PathBuf::from(db))
        }
    }

    /// Opens the storage (creating the file or schema).
    pub fn open(&self) -> Result<Arc<dyn RelayStorage>, RelayError> {
        match self {
            Database::Sqlite(path) => {
                create_parent(path)?;
                Ok(Arc::new(SqliteStorage::open(path)?))
            }
            Database::Postgres { url, .. } => Ok(Arc::new(PostgresStorage::connect(url)?)),
        }
    }

    /// The path of the local store `tag` (`office`, `admin`): `relay.db` → `relay.office.db`
    /// beside a SQLite file, `<state_dir>/relay.office.db` for PostgreSQL.
    pub fn local_store(&self, tag: &str) -> Result<PathBuf, RelayError> {
        let path = match self {
            Database::Sqlite(db) => {
                let stem = db
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "linli-relay".into());
                db.with_file_name(format!("{stem}.{tag}.db"))
            }
            Database::Postgres { state_dir, .. } => state_dir.join(format!("relay.{tag}.db")),
        };
        create_parent(&path)?;
        Ok(path)
    }
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres { url, state_dir } => {
                // Never print a password.
                let shown = match (url.find("://"), url.rfind('@')) {
                    (Some(scheme), Some(at)) if at > scheme => {
                        format!("{}://…@{}", &url[..scheme], &url[at + 1..])
                    }
                    _ => url.clone(),
                };
                write!(f, "{shown} (state in {})", state_dir.display())
            }
        }
    }
}

fn create_parent(path: &Path) -> Result<(), RelayError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| RelayError::internal(format!("creating {}: {e}", dir.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        let pg = Database::parse("postgres://linli:secret@127.0.0.1:5432/linli", None);
        assert_eq!(
            pg.local_store("office").unwrap(),
            PathBuf::from("linli-data/relay.office.db")
        );
        assert_eq!(
            pg.to_string(),
            "postgres://…@127.0.0.1:5432/linli (state in linli-data)"
        );
        let file = Database::parse("/srv/linli/relay.db", None);
        assert_eq!(file, Database::Sqlite("/srv/linli/relay.db".into()));
        assert_eq!(
            file.local_store("admin").unwrap(),
            PathBuf::from("/srv/linli/relay.admin.db")
        );
    }
}
