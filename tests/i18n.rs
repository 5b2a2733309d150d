//! Real gettext: a string comes back translated from a `.mo` compiled here
//! (msgfmt, from the build packages) into a temporary directory. One test in
//! its own binary: it sets the process's locale and LANGUAGE.

use std::process::Command;

#[test]
fn strings_come_back_translated_from_a_compiled_catalog() {
    let dir = std::env::temp_dir().join(format!("connie-i18n-test-{}", std::process::id()));
    let messages = dir.join("de/LC_MESSAGES");
    std::fs::create_dir_all(&messages).unwrap();
    let po = dir.join("de.po");
    std::fs::write(
        &po,
        "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n\
         msgid \"Online\"\nmsgstr \"Verbunden\"\n\n\
         msgid \"Connect to {}\"\nmsgstr \"Mit {} verbinden\"\n",
    )
    .unwrap();
    let status = Command::new("msgfmt")
        .arg("-o")
        .arg(messages.join("connie.mo"))
        .arg(&po)
        .status()
        .expect("msgfmt (make deps installs gettext)");
    assert!(status.success());

    // C.UTF-8 is the one locale every glibc has; it honours LANGUAGE
    std::env::set_var("LANGUAGE", "de");
    std::env::set_var("LC_ALL", "C.UTF-8");
    gettextrs::setlocale(gettextrs::LocaleCategory::LcAll, "");
    connie::i18n::bind(&dir);

    assert_eq!(connie::i18n::gettext("Online"), "Verbunden");
    assert_eq!(
        connie::i18n::gettext_f("Connect to {}", &["<b>Café</b>"]),
        "Mit <b>Café</b> verbinden"
    );
    // no translation: the English msgid
    assert_eq!(connie::i18n::gettext("Offline"), "Offline");
    let _ = std::fs::remove_dir_all(&dir);
}
