//! The `linli-relay` command line as a binary of this crate, so that the end-to-end tests can
//! run the relay as a separate process (and kill it) without building another package.

fn main() -> std::process::ExitCode {
    linli_relay::cli::main()
}
