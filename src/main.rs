fn main() -> glib::ExitCode {
    // The renderer is read from the environment when GTK starts, so it is
    // set first, and the locale with it. Setting environment variables and
    // the locale is only sound while no other thread may read them (getenv
    // and setlocale are not thread-safe): here nothing has run yet, not even
    // GLib, and no thread exists (zbus, ksni and GLib's workers all start
    // later, from `run`).
    for (key, value) in
        connie::ui::renderer::renderer_env(|k| std::env::var(k).ok(), gtk::minor_version())
    {
        std::env::set_var(key, value);
    }
    connie::i18n::init();
    connie::log::init(connie::log::debug_requested(std::env::args_os()));
    connie::run()
}
