// fetchlab: fetch the same pages one after another, a thread per page, and all at once, and see
// why the last two are fast. Subcommands: run, bench, serve.
#include <CLI/CLI.hpp>
#include <pthread.h>

#include "cli.h"
#include "interrupts.h"

using namespace fetchlab;

static void add_workload_options(CLI::App& cmd, cli::WorkloadOptions& w) {
    cmd.add_option("--preset", w.preset,
                   "seed: the original experiment's 11 pages; lab: N requests of L ms; flaky: the lab preset with "
                   "the lab's faults (resets, closes, trickles, garbage, short bodies, and a 500 for one in ten of the rest), by request id")
        ->check(CLI::IsMember({"seed", "lab", "flaky"}))
        ->capture_default_str();
    cmd.add_option("-n,--n", w.n, "lab and flaky presets: number of requests (the page's default too)")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd.add_option("-l,--latency", w.latency_ms, "lab and flaky presets: each request's delay in ms (the page's default too)")
        ->check(CLI::Range(0, 60000))
        ->capture_default_str();
    cmd.add_option("--bytes", w.bytes, "lab preset: each answer's body size in bytes")
        ->check(CLI::Range(0L, 16L << 20))
        ->capture_default_str();
    cmd.add_option("--server", w.server,
                   "a running lab server (fetchlab serve), e.g. http://127.0.0.1:8080; "
                   "without it an embedded lab starts on a free loopback port");
    cmd.add_option("--urls", w.urls_file, "a file of URLs, one a line ('#' starts a comment), instead of a preset")
        ->check(CLI::ExistingFile);
    cmd.add_option("url", w.urls, "URLs to fetch instead of a preset");
}

static const char* mode_help =
    "sequential | threads | async | pool | bounded | all\n"
    "  sequential: one after another on one thread\n"
    "  threads:    one thread per request\n"
    "  async:      all at once from one thread, completions by callback\n"
    "  pool:       K worker threads sharing a queue\n"
    "  bounded:    async with at most K in flight";

static void add_mode_options(CLI::App& cmd, std::string& mode, int& workers, int& timeout_ms) {
    cmd.add_option("-m,--mode", mode, mode_help)
        ->check(CLI::IsMember({"sequential", "threads", "async", "pool", "bounded", "all"}))
        ->capture_default_str();
    cmd.add_option("-k,--workers", workers, "K for pool and bounded (the page's default too)")->check(CLI::Range(1, 10000))->capture_default_str();
    cmd.add_option("--timeout", timeout_ms, "per-request timeout in ms (the page's default too)")->check(CLI::Range(1, 600000))->capture_default_str();
}

int main(int argc, char** argv) {
    // First, before any thread starts, so that every thread inherits it: SIGINT and SIGTERM are
    // taken by one thread in sigwait() (interrupts.h, and serve's), never by a handler on a worker.
    cli::block_stop_signals();

#ifndef __SANITIZE_THREAD__  // ThreadSanitizer's runtime refuses threads with stacks this small
    // A thread that waits on one socket needs little stack. glibc's default of 8 MiB costs page-table
    // work for every thread started and keeps few stacks in its cache: with 1,000 threads that was
    // a third of the threads mode's time.
    pthread_attr_t small_stacks;
    pthread_attr_init(&small_stacks);
    pthread_attr_setstacksize(&small_stacks, 256 * 1024);
    pthread_setattr_default_np(&small_stacks);
    pthread_attr_destroy(&small_stacks);
#endif  // __SANITIZE_THREAD__

    CLI::App app{"fetchlab: fetch pages one after another, a thread per page, and all at once, and see the difference."};
    app.require_subcommand(1);
    app.set_version_flag("--version", fetchlab_version());

    cli::RunOptions run;
    CLI::App* run_cmd = app.add_subcommand("run", "Fetch a workload in one mode or all of them and report each run");
    add_workload_options(*run_cmd, run.workload);
    add_mode_options(*run_cmd, run.mode, run.workers, run.timeout_ms);
    run_cmd->add_option("--max-bytes", run.max_bytes, "a larger body ends as a 'too large' error")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
        ->capture_default_str();
    auto* json = run_cmd->add_flag("--json", run.json, "print one JSON document instead of tables");
    run_cmd->add_flag("--csv", run.csv, "print one CSV row per request instead of tables")->excludes(json);
    run_cmd->add_flag("!--no-waterfall", run.waterfall, "leave out the text waterfalls");

    cli::BenchOptions bench;
    bench.workload.preset = "lab";
    CLI::App* bench_cmd = app.add_subcommand("bench", "Repeat runs per mode and report median, min and max wall time");
    add_workload_options(*bench_cmd, bench.workload);
    add_mode_options(*bench_cmd, bench.mode, bench.workers, bench.timeout_ms);
    bench_cmd->add_option("-r,--runs", bench.runs, "measured runs per mode")->check(CLI::Range(1, 1000))->capture_default_str();
    bench_cmd->add_option("-w,--warmup", bench.warmup, "unmeasured runs first")->check(CLI::Range(0, 100))->capture_default_str();
    bench_cmd->add_flag("--json", bench.json, "print one JSON document");

    LabServerOptions serve;
    CLI::App* serve_cmd = app.add_subcommand("serve", "Start the latency lab: delayed endpoints and the web page");
    serve_cmd->add_option("--host", serve.host, "address to listen on (loopback unless you mean to share it)")->capture_default_str();
    serve_cmd->add_option("-p,--port", serve.port, "first port")->capture_default_str();
    serve_cmd->add_option("--ports", serve.ports, "listen on this many consecutive ports, one origin each")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    serve_cmd->add_option("--root", serve.web_root, "serve the web page from this folder")->check(CLI::ExistingDirectory);
    serve_cmd->add_flag("!--no-isolation", serve.isolation, "leave out COOP/COEP: the page is not cross-origin isolated");
    serve_cmd->add_flag("--log", serve.log, "one line per request on stderr");
    serve_cmd->add_option("--max-connections", serve.max_connections,
                          "past this many connections, answer 503 at once (0: min(16000, open-file limit - 256))");
    serve_cmd->footer(
        "Endpoints:\n"
        "  GET /delay?ms=&bytes=&status=&jitter=   answers after ms (+ up to jitter) with that status and body size\n"
        "  GET /seed/1 .. /seed/11                  the seed experiment's pages\n"
        "  GET /health                              ok");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;  // help and --version exit 0; bad usage exits 2
    }
    if (*run_cmd) return cli::run_command(run);
    if (*bench_cmd) return cli::bench_command(bench);
    return cli::serve_command(serve);
}
