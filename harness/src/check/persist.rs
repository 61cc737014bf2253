//! Saved regressions, like proptest's regression files: a failing token is appended to
//! `maprace-regressions/<identity>.txt` beside the crate and replayed first on the next run.
//! A token that no longer fits the code is reported as stale on stderr, never as a pass or a
//! crash.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::PathBuf;

/// The regression file of one check (or nothing, when persistence is off).
pub(crate) struct Store {
    path: Option<PathBuf>,
}

const HEADER: &str =
    "# maprace regressions: failing schedule tokens, replayed first by this check.\n\
# Commit this file. Delete a line once its token is reported stale.\n";

impl Store {
    pub fn new(enabled: bool, dir: Option<PathBuf>, identity: &str) -> Self {
        let path = enabled.then(|| {
            let dir = dir.unwrap_or_else(|| {
                std::env::var_os("CARGO_MANIFEST_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_default()
                    .join("maprace-regressions")
            });
            dir.join(format!("{}.txt", identity.replace('/', "-")))
        });
        Store { path }
    }

    pub fn path_text(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(String::new, |p| p.display().to_string())
    }

    /// The saved tokens, in file order.
    pub fn tokens(&self) -> Vec<String> {
        let Some(path) = &self.path else {
            return Vec::new();
        };
        match fs::read_to_string(path) {
            Ok(text) => text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => panic!("maprace: cannot read {}: {e}", path.display()),
        }
    }

    /// Appends `token` unless the file has it already. A write error is a test failure: a
    /// regression that silently failed to save would be lost.
    pub fn save(&self, token: &str) {
        let Some(path) = &self.path else {
            return;
        };
        if self.tokens().iter().any(|t| t == token) {
            return;
        }
        let result = (|| -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            let new = !path.exists();
            let mut f = OpenOptions::new().create(true).append(true).open(path)?;
            if new {
                f.write_all(HEADER.as_bytes())?;
            }
            writeln!(f, "{token}")?;
            f.sync_all()
        })();
        if let Err(e) = result {
            panic!(
                "maprace: cannot save the failing token to {}: {e}",
                path.display()
            );
        }
    }

    /// Says on stderr that a saved token no longer fits.
    pub fn report_stale(&self, token: &str, why: &str) {
        eprintln!(
            "maprace: stale regression in {} (delete it): {why}: {token}",
            self.path_text()
        );
    }
}
