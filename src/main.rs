use std::process::ExitCode;

use clap::Parser;
use mimalloc::MiMalloc;
use touchpoint_registry::{cli::Cli, commands, telemetry};

/// A request allocates many small short-lived objects across worker threads; mimalloc serves
/// them in a fraction of the time glibc's allocator takes (it was the largest item in the
/// profile) and keeps per-thread fragmentation low. Its `override` feature makes it the C
/// `malloc` too, so SQLite's page caches and statements share it: +10% R1 req/s on SQLite and
/// less resident memory than with glibc's per-thread arenas.
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (v2 and v3 headers); the Rust bindings
/// do not name it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Return freed pages to the OS at once instead of after mimalloc's default 10 ms delay. With
/// the delay, bursts of concurrent requests kept up to ~25 MB more resident (peak RSS 73 MB vs
/// 58 MB under the R1 benchmark on PostgreSQL) for no measurable throughput gain.
///
/// (mimalloc's other memory setting, arenas committed on demand, must be in force before the
/// first allocation — before `main` — so it is compiled in: see `.cargo/config.toml`.)
fn tune_allocator() {
    // SAFETY: `mi_option_set` only stores an integer in mimalloc's option table; option 15 is
    // `purge_delay` in the mimalloc sources this crate version builds, and 0 is a valid value.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

fn main() -> ExitCode {
    tune_allocator();
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
