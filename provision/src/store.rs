//! The only writer: files named `connie-<ssid hex>.config` in connmand's
//! directory and `connie-<ssid hex>-{ca,client,key}.pem` in the helper's own
//! certificate directory, 0600, written to a temporary name in the same
//! directory and renamed over the old one (connmand's inotify sees one
//! complete file). Both directories are opened once, without following a
//! symlink, and every name is resolved inside them (`openat`); a name that
//! is a symlink, a directory, a hard link or anything but a regular file is
//! refused, never followed or replaced.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::profile::{ssid_from_hex, ssid_hex};

/// The largest provisioning file read back.
pub const MAX_CONFIG: usize = 64 * 1024;

/// A certificate's role, and its file's suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Ca,
    ClientCert,
    PrivateKey,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Ca, Role::ClientCert, Role::PrivateKey];

    fn suffix(self) -> &'static str {
        match self {
            Role::Ca => "ca",
            Role::ClientCert => "client",
            Role::PrivateKey => "key",
        }
    }
}

#[derive(Debug)]
pub enum StoreError {
    /// Something the helper will not do (said in the message).
    Refused(String),
    Io(String, std::io::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Refused(why) => f.write_str(why),
            StoreError::Io(what, e) => write!(f, "{what}: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

fn io(what: impl Into<String>) -> impl FnOnce(Errno) -> StoreError {
    let what = what.into();
    move |e| StoreError::Io(what, e.into())
}

/// `connie-<hex>.config`.
pub fn config_name(ssid: &[u8]) -> String {
    format!("connie-{}.config", ssid_hex(ssid))
}

/// `connie-<hex>-<role>.pem`.
pub fn cert_name(ssid: &[u8], role: Role) -> String {
    format!("connie-{}-{}.pem", ssid_hex(ssid), role.suffix())
}

/// The SSID of a name [`config_name`] made, or `None` for any other name.
pub fn ssid_of_config_name(name: &str) -> Option<Vec<u8>> {
    ssid_from_hex(name.strip_prefix("connie-")?.strip_suffix(".config")?)
}

/// Whether the helper could have made `name` (and so may touch it).
pub fn is_own_name(name: &str) -> bool {
    if ssid_of_config_name(name).is_some() {
        return true;
    }
    let Some(rest) = name
        .strip_prefix("connie-")
        .and_then(|n| n.strip_suffix(".pem"))
    else {
        return false;
    };
    Role::ALL.iter().any(|r| {
        rest.strip_suffix(r.suffix())
            .and_then(|h| h.strip_suffix('-'))
            .and_then(ssid_from_hex)
            .is_some()
    })
}

/// The two directories, opened.
pub struct Store {
    config: OwnedFd,
    certs: OwnedFd,
    cert_path: PathBuf,
}

/// Which of the two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Config,
    Certs,
}

static TEMP: AtomicU32 = AtomicU32::new(0);

fn open_dir(path: &Path) -> Result<OwnedFd, StoreError> {
    rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io(format!("cannot open {}", path.display())))
}

impl Store {
    /// Opens connmand's directory (which must exist) and the certificate
    /// directory, made 0700 if missing, and refused unless it is a real
    /// directory owned by this process's user.
    pub fn open(config_dir: &Path, cert_dir: &Path) -> Result<Store, StoreError> {
        let config = open_dir(config_dir)?;
        match rustix::fs::mkdir(cert_dir, Mode::from_raw_mode(0o700)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(io(format!("cannot create {}", cert_dir.display()))(e)),
        }
        let certs = open_dir(cert_dir)?;
        let st = rustix::fs::fstat(&certs).map_err(io("fstat"))?;
        if st.st_uid != rustix::process::geteuid().as_raw() {
            return Err(StoreError::Refused(format!(
                "{} belongs to another user",
                cert_dir.display()
            )));
        }
        rustix::fs::fchmod(&certs, Mode::from_raw_mode(0o700))
            .map_err(io(format!("chmod {}", cert_dir.display())))?;
        Ok(Store {
            config,
            certs,
            cert_path: cert_dir.to_owned(),
        })
    }

    fn fd(&self, dir: Dir) -> &OwnedFd {
        match dir {
            Dir::Config => &self.config,
            Dir::Certs => &self.certs,
        }
    }

    /// The path connmand is given for a certificate file.
    pub fn cert_path(&self, name: &str) -> String {
        self.cert_path.join(name).display().to_string()
    }

    /// Refuses a name the helper could not have made, and one that exists
    /// as anything but a plain, singly linked file. `Ok(true)`: it exists.
    fn check_target(&self, dir: Dir, name: &str) -> Result<bool, StoreError> {
        if !is_own_name(name) {
            return Err(StoreError::Refused(format!(
                "{name:?} is not a name Connie writes"
            )));
        }
        match rustix::fs::statat(self.fd(dir), name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => {
                let kind = FileType::from_raw_mode(st.st_mode);
                if kind != FileType::RegularFile {
                    return Err(StoreError::Refused(format!(
                        "{name} is a {kind:?}, not a file: left alone"
                    )));
                }
                if st.st_nlink != 1 {
                    return Err(StoreError::Refused(format!(
                        "{name} has other names (hard links): left alone"
                    )));
                }
                Ok(true)
            }
            Err(Errno::NOENT) => Ok(false),
            Err(e) => Err(io(format!("cannot look at {name}"))(e)),
        }
    }

    /// Writes `bytes` as `name` in `dir`: a new 0600 file under a temporary
    /// name (not ending `.config`), synced, then renamed over `name`.
    pub fn write(&self, dir: Dir, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.check_target(dir, name)?;
        let fd = self.fd(dir);
        let tmp = format!(
            ".{name}.{}-{}.tmp",
            std::process::id(),
            TEMP.fetch_add(1, Ordering::SeqCst)
        );
        let file = rustix::fs::openat(
            fd,
            tmp.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(io(format!("cannot create {tmp}")))?;
        let result = (|| {
            rustix::fs::fchmod(&file, Mode::from_raw_mode(0o600)).map_err(io("chmod"))?;
            let mut f = File::from(file);
            f.write_all(bytes)
                .and_then(|()| f.sync_all())
                .map_err(|e| StoreError::Io(format!("cannot write {tmp}"), e))?;
            rustix::fs::renameat(fd, tmp.as_str(), fd, name)
                .map_err(io(format!("cannot rename {tmp} to {name}")))
        })();
        if result.is_err() {
            let _ = rustix::fs::unlinkat(fd, tmp.as_str(), AtFlags::empty());
        }
        result?;
        rustix::fs::fsync(fd).map_err(io("cannot sync the directory"))
    }

    /// Removes `name` from `dir`; `Ok(false)` if it was not there.
    pub fn remove(&self, dir: Dir, name: &str) -> Result<bool, StoreError> {
        if !self.check_target(dir, name)? {
            return Ok(false);
        }
        rustix::fs::unlinkat(self.fd(dir), name, AtFlags::empty())
            .map_err(io(format!("cannot remove {name}")))?;
        Ok(true)
    }

    /// Reads `name` from `dir` (a plain file of at most [`MAX_CONFIG`]
    /// bytes), `None` if it does not exist.
    pub fn read(&self, dir: Dir, name: &str) -> Result<Option<String>, StoreError> {
        if !self.check_target(dir, name)? {
            return Ok(None);
        }
        let fd = rustix::fs::openat(
            self.fd(dir),
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
            Mode::empty(),
        )
        .map_err(io(format!("cannot open {name}")))?;
        let mut text = String::new();
        File::from(fd)
            .take(MAX_CONFIG as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|e| StoreError::Io(format!("cannot read {name}"), e))?;
        if text.len() > MAX_CONFIG {
            return Err(StoreError::Refused(format!("{name} is too large")));
        }
        Ok(Some(text))
    }

    /// The names of Connie's provisioning files in connmand's directory.
    pub fn own_configs(&self) -> Result<Vec<String>, StoreError> {
        let dup = rustix::io::dup(&self.config).map_err(io("dup"))?;
        let dir = rustix::fs::Dir::read_from(&dup).map_err(io("cannot list the directory"))?;
        let mut names: Vec<String> = dir
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str().ok().map(str::to_owned))
            .filter(|n| ssid_of_config_name(n).is_some())
            .collect();
        names.sort();
        Ok(names)
    }
}

/// Reads a file the caller passed (its descriptor, opened with the caller's
/// rights): only a regular file, at most `max` bytes, from its start.
pub fn read_passed(fd: impl AsFd, max: usize) -> Result<Vec<u8>, StoreError> {
    let fd = fd.as_fd();
    let st = rustix::fs::fstat(fd).map_err(io("fstat"))?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(StoreError::Refused(
            "a passed file is not a regular file".into(),
        ));
    }
    if st.st_size < 0 || st.st_size as u64 > max as u64 {
        return Err(StoreError::Refused(format!(
            "a passed file is larger than {max} bytes"
        )));
    }
    let mut buf = vec![0u8; max + 1];
    let mut got = 0;
    while got < buf.len() {
        match rustix::io::pread(fd, &mut buf[got..], got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(Errno::INTR) => {}
            Err(e) => return Err(io("cannot read a passed file")(e)),
        }
    }
    if got > max {
        return Err(StoreError::Refused(format!(
            "a passed file is larger than {max} bytes"
        )));
    }
    buf.truncate(got);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn listing(dir: &Path) -> Vec<(String, u32, u64)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let m = std::fs::symlink_metadata(e.path()).unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    m.mode(),
                    m.len(),
                )
            })
            .collect();
        v.sort();
        v
    }

    fn store() -> (tempfile::TempDir, Store) {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("connman")).unwrap();
        let s = Store::open(&t.path().join("connman"), &t.path().join("certs")).unwrap();
        (t, s)
    }

    #[test]
    fn names_are_only_connies() {
        assert_eq!(config_name(b"ab"), "connie-6162.config");
        assert_eq!(cert_name(b"ab", Role::PrivateKey), "connie-6162-key.pem");
        assert!(is_own_name("connie-6162.config"));
        assert!(is_own_name("connie-6162-ca.pem"));
        for bad in [
            "connie-.config",
            "connie-616.config",
            "connie-6162.config.tmp",
            "../connie-6162.config",
            "connie-6162/../../etc/passwd",
            "main.conf",
            "wifi.config",
            "connie-6162-cert.pem",
            "connie-ZZ.config",
        ] {
            assert!(!is_own_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_write_is_0600_atomic_and_touches_nothing_else() {
        let (t, s) = store();
        let dir = t.path().join("connman");
        std::fs::write(dir.join("other.config"), "x").unwrap();
        s.write(Dir::Config, "connie-6162.config", b"one").unwrap();
        s.write(Dir::Config, "connie-6162.config", b"two").unwrap();
        let path = dir.join("connie-6162.config");
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777,
            0o600
        );
        let names: Vec<String> = listing(&dir).into_iter().map(|e| e.0).collect();
        assert_eq!(names, ["connie-6162.config", "other.config"]);
        assert_eq!(std::fs::read(dir.join("other.config")).unwrap(), b"x");
        assert_eq!(s.own_configs().unwrap(), ["connie-6162.config"]);
        assert_eq!(
            s.read(Dir::Config, "connie-6162.config")
                .unwrap()
                .as_deref(),
            Some("two")
        );
        assert!(s.remove(Dir::Config, "connie-6162.config").unwrap());
        assert!(!s.remove(Dir::Config, "connie-6162.config").unwrap());
        let mode = std::fs::metadata(t.path().join("certs")).unwrap().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn other_names_are_refused() {
        let (t, s) = store();
        for name in [
            "main.conf",
            "../x.config",
            "other.config",
            "connie-61.config/",
        ] {
            assert!(matches!(
                s.write(Dir::Config, name, b"x"),
                Err(StoreError::Refused(_))
            ));
            assert!(matches!(
                s.remove(Dir::Config, name),
                Err(StoreError::Refused(_))
            ));
        }
        assert!(listing(&t.path().join("connman")).is_empty());
    }

    #[test]
    fn symlinks_and_hard_links_in_place_of_its_files_are_left_alone() {
        let (t, s) = store();
        let dir = t.path().join("connman");
        let victim = t.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("connie-6162.config")).unwrap();
        std::fs::hard_link(&victim, dir.join("connie-6163.config")).unwrap();
        std::fs::create_dir(dir.join("connie-6164.config")).unwrap();
        let before = listing(&dir);
        for name in [
            "connie-6162.config",
            "connie-6163.config",
            "connie-6164.config",
        ] {
            let e = s.write(Dir::Config, name, b"evil").unwrap_err();
            assert!(matches!(e, StoreError::Refused(_)), "{name}: {e}");
            assert!(matches!(
                s.remove(Dir::Config, name),
                Err(StoreError::Refused(_))
            ));
            assert!(s.read(Dir::Config, name).is_err());
        }
        assert_eq!(listing(&dir), before);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[test]
    fn a_symlinked_directory_is_not_opened() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("real")).unwrap();
        std::os::unix::fs::symlink(t.path().join("real"), t.path().join("link")).unwrap();
        assert!(Store::open(&t.path().join("link"), &t.path().join("certs")).is_err());
        assert!(Store::open(&t.path().join("real"), &t.path().join("link")).is_err());
    }

    #[test]
    fn passed_files_are_bounded_regular_files() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("ca.pem");
        std::fs::write(&p, b"12345").unwrap();
        let fd: OwnedFd = File::open(&p).unwrap().into();
        assert_eq!(read_passed(&fd, 5).unwrap(), b"12345");
        assert!(matches!(read_passed(&fd, 4), Err(StoreError::Refused(_))));
        let dir: OwnedFd = File::open(t.path()).unwrap().into();
        assert!(matches!(
            read_passed(&dir, 100),
            Err(StoreError::Refused(_))
        ));
        let (r, _w) = rustix::pipe::pipe().unwrap();
        assert!(matches!(read_passed(&r, 100), Err(StoreError::Refused(_))));
    }
}
