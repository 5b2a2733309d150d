//! Translation: GNU gettext (glibc's), text domain `connie`. Every string a
//! person reads goes through [`gettext`] (or [`gettext_f`] when it has parts
//! to fill in, [`ngettext`] when it depends on a number); `.ui` strings are
//! marked `translatable="yes"` and GtkBuilder looks them up in the same
//! domain. `make pot` extracts them all into `po/connie.pot` (see
//! `po/POTFILES.in`); `make mo` compiles `po/*.po` for running from the build
//! tree, `make install` into `LOCALEDIR`.

use std::path::{Path, PathBuf};

/// Connie's gettext domain.
pub const DOMAIN: &str = "connie";

/// Sets the locale from the environment and binds [`DOMAIN`] to the
/// translations: `target/locale` when running from the build tree (and
/// `make mo` made it), else [`crate::config::LOCALEDIR`]. Call once, first
/// thing in `main` (setlocale is not thread-safe).
pub fn init() {
    use gettextrs::LocaleCategory;
    gettextrs::setlocale(LocaleCategory::LcAll, "");
    let dir = std::env::current_exe()
        .ok()
        .and_then(|exe| build_tree_locale_dir(&exe))
        .unwrap_or_else(|| PathBuf::from(crate::config::LOCALEDIR));
    bind(&dir);
}

/// Binds [`DOMAIN`] to the translations under `dir`
/// (`dir/LANG/LC_MESSAGES/connie.mo`) and makes it the default domain (the
/// one GtkBuilder uses for `.ui` files).
pub fn bind(dir: &Path) {
    // failures leave the English strings, which is all one can do
    let _ = gettextrs::bindtextdomain(DOMAIN, dir);
    let _ = gettextrs::bind_textdomain_codeset(DOMAIN, "UTF-8");
    let _ = gettextrs::textdomain(DOMAIN);
}

/// `target/locale` for an executable in `target/debug` or `target/release`,
/// when it exists.
fn build_tree_locale_dir(exe: &Path) -> Option<PathBuf> {
    let profile = exe.parent()?;
    let target = profile.parent()?;
    let dir = target.join("locale");
    (target.file_name()? == "target" && dir.is_dir()).then_some(dir)
}

/// Marks `msgid` for extraction without translating it (for tables of
/// sentences translated where they are shown, by [`gettext`]).
#[allow(non_snake_case)]
pub const fn N_(msgid: &'static str) -> &'static str {
    msgid
}

/// The translation of `msgid` (`msgid` itself when there is none).
pub fn gettext(msgid: &str) -> String {
    gettextrs::dgettext(DOMAIN, msgid)
}

/// The translation of `singular`/`plural` for `n`, `{}` replaced by `n`.
pub fn ngettext(singular: &str, plural: &str, n: u32) -> String {
    gettextrs::dngettext(DOMAIN, singular, plural, n).replace("{}", &n.to_string())
}

/// The translation of `msgid` with each `{}` replaced, in order, by `args`
/// (inserted literally, after translation: names are data, not format).
/// Missing arguments leave `{}`; extra ones are ignored.
pub fn gettext_f(msgid: &str, args: &[&str]) -> String {
    let translated = gettext(msgid);
    let mut out = String::with_capacity(translated.len());
    let mut args = args.iter();
    let mut rest = translated.as_str();
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        match args.next() {
            Some(a) => out.push_str(a),
            None => out.push_str("{}"),
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_in_order_and_literally() {
        assert_eq!(gettext("Online"), "Online");
        assert_eq!(gettext_f("via {}", &["Wired"]), "via Wired");
        assert_eq!(
            gettext_f("“{}” and “{}”", &["{}", "<b>&"]),
            "“{}” and “<b>&”"
        );
        assert_eq!(gettext_f("{} {}", &["a"]), "a {}");
        assert_eq!(gettext_f("none", &["a"]), "none");
        assert_eq!(ngettext("{} network", "{} networks", 1), "1 network");
        assert_eq!(ngettext("{} network", "{} networks", 3), "3 networks");
    }

    #[test]
    fn the_build_tree_has_its_own_locale_dir() {
        let dir = std::env::temp_dir().join(format!("connie-i18n-{}", std::process::id()));
        let target = dir.join("target");
        std::fs::create_dir_all(target.join("release")).unwrap();
        let exe = target.join("release/connie");
        assert_eq!(build_tree_locale_dir(&exe), None);
        std::fs::create_dir_all(target.join("locale")).unwrap();
        assert_eq!(build_tree_locale_dir(&exe), Some(target.join("locale")));
        assert_eq!(build_tree_locale_dir(Path::new("/usr/bin/connie")), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
