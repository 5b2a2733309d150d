//! Translation helpers. Every string a person reads goes through [`gettext`]
//! (or [`gettext_f`] when it has parts to fill in), so that wiring real
//! gettext (bindtextdomain, `.mo` files under `config::LOCALEDIR`) later is
//! a change to this file only.
//!
//! For now both are the identity (English), documented as such: the msgids
//! are the English strings, as xgettext will extract them (`--keyword=gettext`
//! `--keyword=gettext_f`).

/// The translation of `msgid` (today: `msgid` itself).
pub fn gettext(msgid: &str) -> String {
    msgid.to_owned()
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
    }
}
