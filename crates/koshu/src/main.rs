use std::process::ExitCode;

fn main() -> ExitCode {
    koshu::cli::main()
}
