fn main() -> std::process::ExitCode {
    connie::run()
}
