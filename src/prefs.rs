//! Preferences that persist across restarts: which notifications to show,
//! whether the tray icon shows only when something needs attention, and
//! whether Connie starts at login in the tray (an XDG autostart entry with
//! `--hidden`). A key file under the user's config directory, written on
//! every change; GTK-free, so the tray-only state reads them too.
//!
//! A key file that cannot be read or parsed gives the defaults (and says so
//! once on stderr); a value of the wrong type is the default for that key.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::notify::Category;

const GROUP: &str = "connie";
/// Show the tray icon only while something needs attention.
pub const TRAY_ATTENTION_ONLY: &str = "tray-attention-only";

type Listener = Rc<dyn Fn(&str, bool)>;

struct Inner {
    file: PathBuf,
    autostart: PathBuf,
    keys: glib::KeyFile,
    listeners: Vec<Listener>,
}

/// The preferences; cheap to clone (shared).
#[derive(Clone)]
pub struct Prefs {
    inner: Rc<RefCell<Inner>>,
}

impl Prefs {
    /// The person's preferences: `$XDG_CONFIG_HOME/connie/connie.ini` and
    /// `$XDG_CONFIG_HOME/autostart/`.
    pub fn load() -> Prefs {
        let config = glib::user_config_dir();
        Prefs::load_from(&config.join("connie"), &config.join("autostart"))
    }

    /// Preferences kept in `dir`, with the autostart entry in `autostart`.
    pub fn load_from(dir: &Path, autostart: &Path) -> Prefs {
        let file = dir.join("connie.ini");
        let keys = glib::KeyFile::new();
        if file.exists() {
            if let Err(e) = keys.load_from_file(&file, glib::KeyFileFlags::KEEP_COMMENTS) {
                tracing::warn!("ignoring {} (using the defaults): {e}", file.display());
            }
        }
        Prefs {
            inner: Rc::new(RefCell::new(Inner {
                file,
                autostart: autostart.join(format!("{}.desktop", crate::config::APP_ID)),
                keys,
                listeners: Vec::new(),
            })),
        }
    }

    fn get(&self, key: &str, default: bool) -> bool {
        self.inner
            .borrow()
            .keys
            .boolean(GROUP, key)
            .unwrap_or(default)
    }

    /// Sets `key` and writes the file; listeners hear of a change.
    pub fn set(&self, key: &str, value: bool) {
        let listeners = {
            let inner = self.inner.borrow();
            if inner.keys.boolean(GROUP, key).ok() == Some(value) {
                return;
            }
            inner.keys.set_boolean(GROUP, key, value);
            if let Err(e) = save(&inner.keys, &inner.file) {
                tracing::warn!("cannot save {}: {e}", inner.file.display());
            }
            inner.listeners.clone()
        };
        for l in listeners {
            l(key, value);
        }
    }

    pub fn connect_changed(&self, f: impl Fn(&str, bool) + 'static) {
        self.inner.borrow_mut().listeners.push(Rc::new(f));
    }

    /// Whether notifications of `category` are shown (default: yes).
    pub fn notify(&self, category: Category) -> bool {
        self.get(category.key(), true)
    }

    pub fn set_notify(&self, category: Category, on: bool) {
        self.set(category.key(), on);
    }

    /// Whether the tray icon hides while all is well (default: no).
    pub fn tray_attention_only(&self) -> bool {
        self.get(TRAY_ATTENTION_ONLY, false)
    }

    /// Whether Connie starts at login, in the tray: the autostart entry is
    /// the setting itself, so one the person removed by hand counts as off.
    pub fn start_at_login(&self) -> bool {
        self.inner.borrow().autostart.exists()
    }

    /// Writes or removes the autostart entry, which runs this executable
    /// with `--hidden`.
    pub fn set_start_at_login(&self, on: bool) -> std::io::Result<()> {
        let path = self.inner.borrow().autostart.clone();
        if on {
            let exe = autostart_command(
                std::env::current_exe().ok().as_deref(),
                std::env::var_os("PATH").as_deref(),
            );
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, autostart_entry(&exe))?;
        } else if path.exists() {
            std::fs::remove_file(&path)?;
        }
        Ok(())
    }
}

fn save(keys: &glib::KeyFile, file: &Path) -> Result<(), glib::Error> {
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    keys.save_to_file(file)
}

/// The program the autostart entry runs: plain `connie` when that name,
/// looked up in `path` (`$PATH`), is the executable running (an installed
/// Connie: the entry then survives a reinstall elsewhere in `PATH`); else
/// the running executable's own path (a build tree, or a directory that
/// is not in `PATH`).
fn autostart_command(exe: Option<&Path>, path: Option<&std::ffi::OsStr>) -> String {
    let Some(exe) = exe else {
        return "connie".to_owned();
    };
    let real = |p: &Path| std::fs::canonicalize(p).ok();
    let found = path
        .into_iter()
        .flat_map(std::env::split_paths)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join("connie"))
        .find(|candidate| candidate.is_file());
    match found {
        Some(found) if real(&found).is_some() && real(&found) == real(exe) => "connie".to_owned(),
        _ => exe.to_string_lossy().into_owned(),
    }
}

/// The XDG autostart entry for `exe`: quoted for the Exec key's rules when
/// it has more than letters, digits and `/._+-`.
fn autostart_entry(exe: &str) -> String {
    let plain = !exe.is_empty()
        && exe
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '+' | '-'));
    let mut quoted = String::new();
    if plain {
        quoted.push_str(exe);
    } else {
        quoted.push('"');
        for c in exe.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('"');
    }
    format!(
        "[Desktop Entry]\nType=Application\nName=Connie\nComment={}\nExec={quoted} --hidden\n\
         Icon={}\nTerminal=false\nX-GNOME-Autostart-enabled=true\nNoDisplay=true\n",
        crate::i18n::gettext("Network connections in the tray"),
        crate::config::APP_ID,
    )
    .replace("%", "%%")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("connie-prefs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn survive_a_restart_and_tell_listeners() {
        let dir = temp("restart");
        let prefs = Prefs::load_from(&dir.join("c"), &dir.join("a"));
        assert!(prefs.notify(Category::Vpn));
        assert!(!prefs.tray_attention_only());
        let heard = Rc::new(RefCell::new(Vec::new()));
        let h = heard.clone();
        prefs.connect_changed(move |k, v| h.borrow_mut().push((k.to_owned(), v)));
        prefs.set_notify(Category::Vpn, false);
        prefs.set_notify(Category::Vpn, false);
        prefs.set(TRAY_ATTENTION_ONLY, true);
        assert_eq!(
            *heard.borrow(),
            [
                ("notify-vpn".to_owned(), false),
                (TRAY_ATTENTION_ONLY.to_owned(), true)
            ]
        );
        let again = Prefs::load_from(&dir.join("c"), &dir.join("a"));
        assert!(!again.notify(Category::Vpn));
        assert!(again.notify(Category::Failure));
        assert!(again.tray_attention_only());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_broken_file_gives_the_defaults() {
        let dir = temp("broken");
        std::fs::create_dir_all(dir.join("c")).unwrap();
        std::fs::write(dir.join("c/connie.ini"), "[connie\nnotify-vpn=maybe\n\u{0}").unwrap();
        let prefs = Prefs::load_from(&dir.join("c"), &dir.join("a"));
        assert!(prefs.notify(Category::Vpn));
        std::fs::write(dir.join("c/connie.ini"), "[connie]\nnotify-vpn=maybe\n").unwrap();
        let prefs = Prefs::load_from(&dir.join("c"), &dir.join("a"));
        assert!(prefs.notify(Category::Vpn), "a wrong type is the default");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn start_at_login_writes_and_removes_the_entry() {
        let dir = temp("autostart");
        let prefs = Prefs::load_from(&dir.join("c"), &dir.join("a"));
        assert!(!prefs.start_at_login());
        prefs.set_start_at_login(true).unwrap();
        assert!(prefs.start_at_login());
        let entry = std::fs::read_to_string(
            dir.join("a")
                .join(format!("{}.desktop", crate::config::APP_ID)),
        )
        .unwrap();
        assert!(entry.contains("--hidden"), "{entry}");
        assert!(entry.starts_with("[Desktop Entry]\n"));
        prefs.set_start_at_login(false).unwrap();
        assert!(!prefs.start_at_login());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn autostart_runs_connie_from_path_when_that_is_this_executable() {
        let dir = temp("exec");
        let bin = dir.join("bin");
        let build = dir.join("build");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&build).unwrap();
        std::fs::write(bin.join("connie"), "").unwrap();
        std::fs::write(build.join("connie"), "").unwrap();
        let path = std::env::join_paths([Path::new("/nonexistent"), &bin]).unwrap();
        assert_eq!(
            autostart_command(Some(&bin.join("connie")), Some(&path)),
            "connie",
            "installed in PATH"
        );
        let other = build.join("connie");
        assert_eq!(
            autostart_command(Some(&other), Some(&path)),
            other.to_str().unwrap(),
            "another connie is first in PATH: this one by its path"
        );
        assert_eq!(
            autostart_command(Some(&other), None),
            other.to_str().unwrap()
        );
        assert!(autostart_entry("connie").contains("\nExec=connie --hidden\n"));
        assert!(autostart_entry("/usr/local/bin/connie")
            .contains("Exec=/usr/local/bin/connie --hidden"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn exec_quoting() {
        let e = autostart_entry("/opt/my \"apps\"/con$nie");
        assert!(
            e.contains("Exec=\"/opt/my \\\"apps\\\"/con\\$nie\" --hidden"),
            "{e}"
        );
    }
}
