#pragma once
// The command-line tool's subcommands: run, bench and serve.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lab_server.h"
#include "report.h"

namespace fetchlab::cli {

// What to fetch and how: shared by `run` and `bench`.
struct WorkloadOptions {
    std::string preset = "seed";        // seed | lab | flaky
    int n = 10;                         // lab and flaky presets: how many requests
    int latency_ms = 200;               // lab and flaky presets: each request's delay
    long bytes = 0;                     // lab preset: each answer's body size
    std::string server;                 // a running lab ("http://127.0.0.1:8080"); empty starts one
    std::string urls_file;              // one URL a line, instead of a preset
    std::vector<std::string> urls;      // URLs given on the command line, instead of a preset
};

struct RunOptions {
    WorkloadOptions workload;
    std::string mode = "all";
    int workers = 4;
    int timeout_ms = 30000;
    std::uint64_t max_bytes = 64u << 20;
    bool json = false;
    bool csv = false;
    bool waterfall = true;
};

struct BenchOptions {
    WorkloadOptions workload;
    std::string mode = "all";
    int workers = 4;
    int timeout_ms = 30000;
    int runs = 5;
    int warmup = 1;
    bool json = false;
};

// The workload to fetch, and the embedded lab server it runs against when no --server is named.
struct Target {
    std::unique_ptr<LabServer> embedded;
    Workload workload;
    std::string where;  // for the report's header: "embedded lab at http://127.0.0.1:41234"
};
// Throws std::runtime_error with a readable reason (an unreadable URL file, no URLs, ...).
Target prepare_target(const WorkloadOptions& options);

int run_command(const RunOptions& options);
int bench_command(const BenchOptions& options);
int serve_command(const LabServerOptions& options);

// The modes a --mode value names: one, or all five for "all".
std::vector<Mode> modes_for(const std::string& name);

// Raises the open-file limit as far as allowed: every concurrent request holds a socket.
void raise_open_file_limit();

// ---- reports (cli_report.cpp) ----
void print_waterfalls(const std::vector<RunReport>& reports, bool unicode);
void print_summary_table(const std::vector<RunReport>& reports);
void print_errors(const std::vector<RunReport>& reports, std::size_t max_per_run = 10);
std::string report_csv(const std::vector<RunReport>& reports);
// One line, rewritten in place on a terminal: "threads  7/11 done  4 in flight  1.2 s".
void print_progress(const char* mode, const Timeline& timeline, double elapsed_s);
void clear_progress();
bool stderr_is_terminal();
bool terminal_speaks_utf8();

}  // namespace fetchlab::cli
