// `fetchlab bench`: repeated runs per mode, reported as median, min and max.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "curl_transport.h"
#include "fd_budget.h"
#include "interrupts.h"

namespace fetchlab::cli {

namespace {

struct BenchRow {
    Mode mode = Mode::sequential;
    int workers = 0;
    std::size_t n = 0;
    std::vector<double> walls, cpus;
    double ideal_s = 0;
    std::size_t errors = 0;
    std::size_t peak_started = 0;
    long peak_on_wire = -1;
    double peak_rss_mb = 0;
};

double mean(const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// What is left of a mode's runs: of the one in progress (from its own pace), then the runs after it
// at the pace of the runs already done (or of this one, before any is); -1 until that is known.
double mode_time_left(const std::vector<double>& done_walls, int runs_after, double run_left, std::size_t done,
                      std::size_t n, double elapsed) {
    if (run_left < 0) return -1;
    const double per_run = !done_walls.empty() ? mean(done_walls) : elapsed * static_cast<double>(n) / done;
    return run_left + runs_after * per_run;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// The process's peak resident memory so far; with an embedded lab it includes the server.
double peak_rss_mb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0;
}

}  // namespace

int bench_command(const BenchOptions& options) {
    // Ctrl-C or SIGTERM ends the bench: the runs that finished are reported, the one cut short is not.
    Interrupts interrupts;
    raise_open_file_limit();
    Target target;
    try {
        target = prepare_target(options.workload);
    } catch (const std::exception& e) {
        std::cerr << "fetchlab bench: " << e.what() << "\n";
        return 2;
    }
    const std::vector<Mode> modes = modes_for(options.mode);
    if (!fd_budget_allows("fetchlab bench", modes, target.workload.size(), options.workers, target.embedded != nullptr))
        return 2;
    TransportOptions transport_options;
    transport_options.timeout_ms = options.timeout_ms;
    const bool progress = stderr_is_terminal();

    // The same columns and number formats as `fetchlab run`'s table.
    const char* row_format = "  %-10s %4s %6s %9s %9s %9s %8s %10s %8s %6s %9s\n";
    if (!options.json) {
        std::printf("fetchlab bench · %s (%zu requests) against %s · %d warm-up + %d runs per mode\n\n",
                    target.workload.name.c_str(), target.workload.size(), target.where.c_str(), options.warmup,
                    options.runs);
        std::printf(row_format, "mode", "K", "n", "median", "min", "max", "ideal", "wall/ideal", "cpu", "failed",
                    "peak RSS");
    }

    std::vector<BenchRow> rows;
    for (Mode mode : modes) {
        BenchRow row;
        row.mode = mode;
        std::vector<double> walls_so_far;  // warm-ups included: they pace the estimate too
        const int total = options.warmup + options.runs;
        for (int i = 0; i < total && !interrupts.requested(); ++i) {
            const bool warmup = i < options.warmup;
            const std::string what = std::string(mode_name(mode)) + (warmup ? " warm-up " : " run ") +
                                     std::to_string(warmup ? i + 1 : i - options.warmup + 1) + " of " +
                                     std::to_string(warmup ? options.warmup : options.runs);
            CurlTransport transport(transport_options);
            Run run(transport, target.workload, mode, options.workers);
            interrupts.watch(&run);
            run.begin();
            poll_with_progress(run, transport, progress, what, [&](const Timeline& live, double elapsed) {
                const double run_left = run_time_left(live.finished, live.requests.size(), elapsed);
                return mode_time_left(walls_so_far, total - i - 1, run_left, live.finished, live.requests.size(),
                                      elapsed);
            });
            interrupts.watch(nullptr);
            if (interrupts.requested()) continue;
            const Summary s = run.summary();
            walls_so_far.push_back(s.wall_s);
            if (warmup) continue;
            row.workers = s.workers;
            row.n = s.n;
            row.walls.push_back(s.wall_s);
            row.cpus.push_back(s.cpu_s);
            row.ideal_s = s.ideal_s;
            row.errors += s.errors;
            row.peak_started = std::max(row.peak_started, s.peak_in_flight);
            row.peak_on_wire = std::max(row.peak_on_wire, s.peak_on_wire);
        }
        if (progress) clear_progress();
        if (row.walls.empty()) break;  // interrupted before one run of this mode finished
        row.peak_rss_mb = peak_rss_mb();
        if (!options.json) {
            const double med = median(row.walls);
            char rss[32];
            std::snprintf(rss, sizeof rss, "%.1f MB", row.peak_rss_mb);
            // Like `run`'s table, a mode whose requests failed has no wall/ideal to show.
            std::printf(row_format, mode_name(mode), row.workers ? std::to_string(row.workers).c_str() : "-",
                        std::to_string(row.n).c_str(), seconds_text(med).c_str(),
                        seconds_text(*std::min_element(row.walls.begin(), row.walls.end())).c_str(),
                        seconds_text(*std::max_element(row.walls.begin(), row.walls.end())).c_str(),
                        seconds_text(row.ideal_s).c_str(),
                        ratio_text(row.errors == 0 && row.ideal_s > 0 ? med / row.ideal_s : 0).c_str(),
                        seconds_text(median(row.cpus)).c_str(), std::to_string(row.errors).c_str(), rss);
            std::fflush(stdout);
        }
        rows.push_back(std::move(row));
    }

    std::size_t errors = 0;
    for (const BenchRow& r : rows) errors += r.errors;
    if (options.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const BenchRow& r : rows) {
            const double med = median(r.walls);
            out.push_back({{"mode", mode_name(r.mode)},
                           {"workers", r.workers},
                           {"n", r.n},
                           {"runs", r.walls.size()},
                           {"wall_median_s", med},
                           {"wall_min_s", *std::min_element(r.walls.begin(), r.walls.end())},
                           {"wall_max_s", *std::max_element(r.walls.begin(), r.walls.end())},
                           {"ideal_s", r.ideal_s},
                           {"wall_over_ideal", r.ideal_s > 0 ? med / r.ideal_s : 0.0},
                           {"cpu_median_s", median(r.cpus)},
                           {"errors", r.errors},
                           {"peak_started", r.peak_started},
                           {"peak_on_wire", r.peak_on_wire >= 0 ? nlohmann::json(r.peak_on_wire) : nlohmann::json(nullptr)},
                           {"peak_rss_mb", r.peak_rss_mb}});
        }
        std::cout << nlohmann::json{{"fetchlab", fetchlab_version()}, {"workload", target.workload.name},
                                    {"interrupted", interrupts.requested()}, {"bench", out}}.dump(2)
                  << "\n";
    } else {
        std::printf("\n  peak RSS: the whole process's high-water mark so far%s.\n",
                    target.embedded ? ", embedded lab server included" : "");
        if (errors) std::printf("  %zu requests failed across the runs; `fetchlab run` shows why.\n", errors);
        if (interrupts.requested()) std::printf("  interrupted: the runs above finished, the one cut short is left out.\n");
    }
    return errors || interrupts.requested() ? 1 : 0;
}

}  // namespace fetchlab::cli
