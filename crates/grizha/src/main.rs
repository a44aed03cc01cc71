use std::process::ExitCode;

fn main() -> ExitCode {
    grizha::main()
}
