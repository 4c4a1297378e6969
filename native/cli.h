#pragma once
// The command-line tool's subcommands: run, bench and serve.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "experiment.h"
#include "lab_server.h"
#include "report.h"

namespace fetchlab::cli {

// What to fetch and how: shared by `run` and `bench`. N, the latency and K default to the page's
// own (Settings), so the CLI and the page run the same experiment unless told otherwise.
struct WorkloadOptions {
    std::string preset = "seed";        // seed | lab | flaky
    int n = Settings{}.n;               // lab and flaky presets: how many requests
    int latency_ms = Settings{}.latency_ms;  // lab and flaky presets: each request's delay
    long bytes = 0;                     // lab preset: each answer's body size
    std::string server;                 // a running lab ("http://127.0.0.1:8080"); empty starts one
    std::string urls_file;              // one URL a line, instead of a preset
    std::vector<std::string> urls;      // URLs given on the command line, instead of a preset
};

struct RunOptions {
    WorkloadOptions workload;
    std::string mode = "all";
    int workers = Settings{}.workers;
    int timeout_ms = Settings{}.timeout_ms;
    std::uint64_t max_bytes = 64u << 20;
    bool json = false;
    bool csv = false;
    bool waterfall = true;
};

struct BenchOptions {
    WorkloadOptions workload;
    std::string mode = "all";
    int workers = Settings{}.workers;
    int timeout_ms = Settings{}.timeout_ms;
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
// Columns of the terminal: $COLUMNS when set, else stdout's terminal's width, else 80.
int terminal_width();
// Labels as wide as `width` allows (the bars shrink to fit a narrow one).
void print_waterfalls(const std::vector<RunReport>& reports, bool unicode, int width);
void print_summary_table(const std::vector<RunReport>& reports);
void print_errors(const std::vector<RunReport>& reports, std::size_t max_per_run = 10);
std::string report_csv(const std::vector<RunReport>& reports);
// The seconds a run has left, from its pace so far (`done` of `n` requests in elapsed_s); -1
// until one request is done.
double run_time_left(std::size_t done, std::size_t n, double elapsed_s);
// One line on stderr, rewritten in place: "threads: 7/11 done, 4 in flight, 1.20 s, about 0.60 s
// left" (`left_s` < 0: not known yet). `what` names the run ("sequential run 3 of 5").
void print_progress(const std::string& what, const Timeline& timeline, double elapsed_s, double left_s);
void clear_progress();
// Polls a begun run until it ends; with `progress`, rewrites the progress line as it goes, with the
// time left that `left(timeline, elapsed_s)` estimates.
void poll_with_progress(Run& run, const Transport& clock, bool progress, const std::string& what,
                        const std::function<double(const Timeline&, double)>& left);
bool stderr_is_terminal();
bool terminal_speaks_utf8();

}  // namespace fetchlab::cli
