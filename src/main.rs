fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(itm_gate::app::main())
}
