//! Mount points the lab needs but the host lacks (`/var/lib/connman-vpn` on
//! a machine without connman-vpn's state, say). The holder creates them on
//! the host filesystem, where they stay empty, and they must go again when
//! the lab ends. But several labs may run at once, and removing a directory
//! that another lab has mounted a tmpfs on would detach that lab's mount
//! (Linux allows rmdir on a mount point of another mount namespace). So the
//! last lab out removes them: a lab that ends while others run hands its
//! list over to one of them. Creating and handing over happen under one
//! lock (an flock on `/var/lib`, which leaves nothing behind).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::runner::PREFIX;

const LIST: &str = "created-dirs";

/// Runs `f` holding the labs' mount-point lock.
pub fn locked<T>(f: impl FnOnce() -> T) -> T {
    let lock = File::open("/var/lib");
    if let Ok(l) = &lock {
        let _ = l.lock();
    }
    let result = f();
    drop(lock);
    result
}

/// The PID that created a lab, from its id (`cnlab<pid>x<n>`).
pub fn owner_pid(id: &str) -> Option<u32> {
    id.strip_prefix(PREFIX)?.split('x').next()?.parse().ok()
}

/// Directories of labs whose process still runs, other than `me`.
fn live_labs(me: &Path) -> Vec<PathBuf> {
    let mut labs: Vec<PathBuf> = std::fs::read_dir("/tmp")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            owner_pid(&name).is_some_and(crate::process::pid_alive) && e.path() != me
        })
        .map(|e| e.path())
        .collect();
    labs.sort();
    labs
}

/// Records in `lab_dir` that this lab created `dir` (call under [`locked`]).
pub fn record(lab_dir: &Path, dir: &Path) -> std::io::Result<()> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(lab_dir.join(LIST))?;
    writeln!(f, "{}", dir.display())
}

/// The lab in `lab_dir` ends: remove the mount points it is responsible
/// for, or hand them to a lab that still runs.
pub fn release(lab_dir: &Path) {
    locked(|| {
        let Ok(list) = std::fs::read_to_string(lab_dir.join(LIST)) else {
            return;
        };
        let _ = std::fs::remove_file(lab_dir.join(LIST));
        if list.trim().is_empty() {
            return;
        }
        for other in live_labs(lab_dir) {
            let handed = OpenOptions::new()
                .append(true)
                .open(other.join(LIST))
                .or_else(|_| File::create(other.join(LIST)))
                .and_then(|mut f| f.write_all(list.as_bytes()));
            if handed.is_ok() {
                return;
            }
        }
        for d in list.lines().rev() {
            // only empty directories go: remove_dir refuses anything else
            let _ = std::fs::remove_dir(d);
        }
    });
}
