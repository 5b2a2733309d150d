fn main() -> glib::ExitCode {
    // The renderer is read from the environment when GTK starts, so it is
    // set first. Setting environment variables is only sound while no other
    // thread may read them (getenv is not thread-safe against setenv): here
    // nothing has run yet, not even GLib, and no thread exists (zbus, ksni
    // and GLib's workers all start later, from `run`).
    for (key, value) in
        connie::ui::renderer::renderer_env(|k| std::env::var(k).ok(), gtk::minor_version())
    {
        std::env::set_var(key, value);
    }
    connie::run()
}
