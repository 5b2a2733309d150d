//! Processes the lab starts: each is remembered with its PID and ended by
//! that PID only (never by name), so nothing outside the lab is touched.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{kill_process, Pid, Signal};

use crate::LabError;

/// A background process started by the lab, with its log file.
#[derive(Debug)]
pub struct Proc {
    pub name: String,
    pub child: Child,
    pub log: PathBuf,
    /// Where this run's output starts in `log`.
    log_start: u64,
}

impl Proc {
    /// Starts `cmd` with stdout and stderr appended to `log` (a marker line
    /// separates runs, so restarts keep the earlier output).
    pub fn spawn(name: &str, mut cmd: Command, log: &Path) -> Result<Proc, LabError> {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| LabError::new(format!("cannot open {}: {e}", log.display())))?;
        let _ = writeln!(file, "==== connman-lab: start {name}: {cmd:?}");
        let log_start = file.metadata().map(|m| m.len()).unwrap_or(0);
        let err = file
            .try_clone()
            .map_err(|e| LabError::new(format!("cannot open {}: {e}", log.display())))?;
        // its own process group: a Ctrl-C in the terminal reaches only the
        // lab, which then ends its daemons in order
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .process_group(0);
        let child = cmd
            .spawn()
            .map_err(|e| LabError::new(format!("cannot start {name} ({cmd:?}): {e}")))?;
        Ok(Proc {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
            log_start,
        })
    }

    /// Waits, for at most `limit`, until this run has printed a line
    /// containing `ready` (the process's own readiness signal, read back
    /// from its log). An error carries the log if it exited or never said it.
    pub fn wait_line(&mut self, ready: &str, limit: Duration) -> Result<(), LabError> {
        let said = |p: &Proc| {
            std::fs::read(&p.log)
                .ok()
                .and_then(|b| b.get(p.log_start as usize..).map(<[u8]>::to_vec))
                .is_some_and(|b| {
                    String::from_utf8_lossy(&b)
                        .lines()
                        .any(|l| l.contains(ready))
                })
        };
        let mut exited = false;
        let ok = wait_until(limit, || {
            // a line printed just before exiting still counts
            exited = !self.running();
            exited || said(self)
        }) && said(self);
        if ok {
            return Ok(());
        }
        Err(LabError::new(format!(
            "{} {} before saying {ready:?}; its log:\n{}",
            self.name,
            if exited {
                "exited"
            } else {
                "did not get ready"
            },
            self.log_tail(3000)
        )))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the process has not exited.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGTERM, then SIGKILL after `grace`; always reaps the child.
    pub fn stop(&mut self, grace: Duration) {
        if !self.running() {
            return;
        }
        signal_pid(self.pid(), Signal::TERM);
        // a paused process (see `Runner::pause_daemon`) takes the TERM only
        // once it runs again
        signal_pid(self.pid(), Signal::CONT);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if !self.running() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        signal_pid(self.pid(), Signal::KILL);
        let _ = self.child.wait();
    }

    /// The last `max` bytes of this process's log.
    pub fn log_tail(&self, max: usize) -> String {
        log_tail(&self.log, max)
    }
}

/// Sends `sig` to one PID the lab started (or found inside its own namespaces).
pub fn signal_pid(pid: u32, sig: Signal) {
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = kill_process(pid, sig);
    }
}

/// True if a process with this PID exists.
pub fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The last `max` bytes of a file, lossily decoded, starting at a line start.
pub fn log_tail(path: &Path, max: usize) -> String {
    let Ok(bytes) = std::fs::read(path) else {
        return String::new();
    };
    let start = bytes.len().saturating_sub(max);
    let mut text = String::from_utf8_lossy(&bytes[start..]).into_owned();
    if start > 0 {
        if let Some(nl) = text.find('\n') {
            text.drain(..=nl);
        }
    }
    text
}

/// Runs a short command to completion; a failure becomes an error naming the
/// command and what it printed.
pub fn run(cmd: &mut Command) -> Result<String, LabError> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| LabError::new(format!("cannot run {cmd:?}: {e}")))?;
    if !out.status.success() {
        return Err(LabError::new(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `run` for a program and its arguments.
pub fn run_args<S: AsRef<std::ffi::OsStr>>(prog: &str, args: &[S]) -> Result<String, LabError> {
    run(Command::new(prog).args(args))
}

/// Waits until `cond` holds, polling every 10 ms, for at most `limit`.
pub fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Creates (truncates) a file and writes `text` into it.
pub fn write_file(path: &Path, text: &str) -> Result<(), LabError> {
    File::create(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| LabError::new(format!("cannot write {}: {e}", path.display())))
}
