//! Connie, a desktop front-end for ConnMan.
pub mod config;
pub mod connman;

/// Runs the application.
pub fn run() -> std::process::ExitCode {
    println!("{} {}", config::APP_ID, config::VERSION);
    std::process::ExitCode::SUCCESS
}
