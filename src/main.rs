fn main() -> glib::ExitCode {
    connie::run()
}
