//! Connie, a desktop front-end for ConnMan.
pub mod config;

/// Runs the application.
pub fn run() -> std::process::ExitCode {
    println!("{} {}", config::APP_ID, config::VERSION);
    std::process::ExitCode::SUCCESS
}
