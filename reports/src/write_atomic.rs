//! Writing files so that a reader never sees half of one: write a temporary file in the same
//! directory, flush it to disk, then rename it over the target (atomic on one file system).
//!
//! Apart from being atomic, a write behaves like a plain `File::create` + `write_all`:
//! - a new file gets the mode `File::create` gives (0666 less the umask), an existing file keeps
//!   its mode (a temporary file library would leave 0600);
//! - a symbolic link is written through (its target is replaced, the link stays);
//! - a file that already holds exactly `contents` is left alone (no new inode, no new mtime), so
//!   re-running a command that changes nothing changes nothing on disk.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `contents` to `path` atomically, creating the parent directory if needed. Returns
/// whether the file changed (`false` when it already held `contents`).
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<bool> {
    let path = through_symlinks(path)?;
    if holds(&path, contents) {
        return Ok(false);
    }
    let dir = parent(&path);
    fs::create_dir_all(dir)?;
    let (tmp, mut file) = temporary_in(dir)?;
    let written = (|| {
        file.write_all(contents)?;
        if let Ok(m) = fs::metadata(&path) {
            file.set_permissions(m.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written.map(|()| true)
}

/// Checks that a file could be written in `dir` (creating the directory if needed), by
/// creating and removing a temporary file there: how commands find an unwritable output
/// location before spending minutes on an exploration.
pub fn check_writable(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let (tmp, file) = temporary_in(dir)?;
    drop(file);
    fs::remove_file(tmp)
}

/// The directory a file at `path` lives in (`.` for a bare file name).
pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// `path` with symbolic links followed (at most 40, like the kernel), so that writing replaces
/// the link's target rather than the link. A dangling link resolves to where it points.
pub fn through_symlinks(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&path)?;
                path = if target.is_absolute() {
                    target
                } else {
                    parent(&path).join(target)
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// Whether `path` is a file holding exactly `contents`.
fn holds(path: &Path, contents: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == contents.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == contents)
        }
        _ => false,
    }
}

/// A new hidden file in `dir`, opened the way `File::create` opens (so the umask decides its
/// mode), under a name no other writer uses.
fn temporary_in(dir: &Path) -> io::Result<(PathBuf, File)> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".maprace-{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1_000_000 => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn names(dir: &Path) -> Vec<std::ffi::OsString> {
        let mut n: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn replaces_the_whole_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("a.txt");
        assert!(write_atomic(&path, b"first, longer contents").unwrap());
        assert!(write_atomic(&path, b"second").unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(names(path.parent().unwrap()), vec!["a.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_gets_the_mode_file_create_gives() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        File::create(&plain).unwrap();
        let ours = dir.path().join("ours");
        write_atomic(&ours, b"x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&plain));
        // An existing file keeps its mode.
        fs::set_permissions(&ours, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&ours, b"y").unwrap();
        assert_eq!(mode(&ours), 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn an_unchanged_file_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a");
        write_atomic(&path, b"same").unwrap();
        let before = fs::metadata(&path).unwrap().ino();
        assert!(!write_atomic(&path, b"same").unwrap());
        assert_eq!(fs::metadata(&path).unwrap().ino(), before);
        assert!(write_atomic(&path, b"other").unwrap());
        assert_ne!(fs::metadata(&path).unwrap().ino(), before);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("target.txt", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn an_unwritable_location_is_found_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, b"").unwrap();
        assert!(check_writable(&file.join("sub")).is_err());
        check_writable(&dir.path().join("new")).unwrap();
        assert_eq!(names(&dir.path().join("new")).len(), 0);
    }
}
