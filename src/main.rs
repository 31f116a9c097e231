use std::process::ExitCode;

use clap::Parser;
use mimalloc::MiMalloc;
use touchpoint_registry::cli::{commands, Cli};
use touchpoint_registry::telemetry;

/// A request allocates many small short-lived objects across worker threads; mimalloc serves
/// them in a fraction of the time glibc's allocator takes (it was the largest item in the
/// profile) and keeps per-thread fragmentation low. Its `override` feature makes it the C
/// `malloc` too, so SQLite's page caches and statements share it (bench/README.md, "Measured
/// defaults").
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

// mimalloc's memory settings must be in force before the first allocation — before `main` —
// so they are compiled in: see `.cargo/config.toml`. Its purge delay is left at the default:
// with arenas committed on demand, purging at once bought no memory and cost req/s in madvise
// calls, page faults and TLB shootdowns.

fn main() -> ExitCode {
    actix_web::rt::System::new().block_on(run())
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.settings.log_format);
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
