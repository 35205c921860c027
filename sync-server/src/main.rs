//! `linli-relay`: serve the relay, run the simulated day, or use the office's admin tools.

fn main() -> std::process::ExitCode {
    linli_relay::cli::main()
}
