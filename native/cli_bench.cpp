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
    std::size_t peak_in_flight = 0;
    double peak_rss_mb = 0;
};

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

    if (!options.json)
        std::printf("fetchlab bench · %s (%zu requests) against %s · %d warm-up + %d runs per mode\n\n"
                    "  %-12s %4s %6s %10s %10s %10s %10s %10s %8s %7s %9s\n",
                    target.workload.name.c_str(), target.workload.size(), target.where.c_str(), options.warmup,
                    options.runs, "mode", "K", "n", "median", "min", "max", "ideal", "wall/ideal", "cpu", "errors",
                    "peak RSS");

    std::vector<BenchRow> rows;
    for (Mode mode : modes) {
        BenchRow row;
        row.mode = mode;
        for (int i = 0; i < options.warmup + options.runs && !interrupts.requested(); ++i) {
            if (progress)
                std::fprintf(stderr, "\r\033[K  %s: %s %d of %d", mode_name(mode), i < options.warmup ? "warm-up" : "run",
                             i < options.warmup ? i + 1 : i - options.warmup + 1,
                             i < options.warmup ? options.warmup : options.runs);
            CurlTransport transport(transport_options);
            Run run(transport, target.workload, mode, options.workers);
            interrupts.watch(&run);
            run.wait();
            interrupts.watch(nullptr);
            if (i < options.warmup || interrupts.requested()) continue;
            const Summary s = run.summary();
            row.workers = s.workers;
            row.n = s.n;
            row.walls.push_back(s.wall_s);
            row.cpus.push_back(s.cpu_s);
            row.ideal_s = s.ideal_s;
            row.errors += s.errors;
            row.peak_in_flight = std::max(row.peak_in_flight, s.peak_in_flight);
        }
        if (progress) clear_progress();
        if (row.walls.empty()) break;  // interrupted before one run of this mode finished
        row.peak_rss_mb = peak_rss_mb();
        if (!options.json) {
            const double med = median(row.walls);
            std::printf("  %-12s %4s %6zu %9.3fs %9.3fs %9.3fs %9.3fs %10.2f %7.3fs %7zu %6.1f MB\n", mode_name(mode),
                        row.workers ? std::to_string(row.workers).c_str() : "-", row.n, med,
                        *std::min_element(row.walls.begin(), row.walls.end()),
                        *std::max_element(row.walls.begin(), row.walls.end()), row.ideal_s,
                        row.ideal_s > 0 ? med / row.ideal_s : 0.0, median(row.cpus), row.errors, row.peak_rss_mb);
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
                           {"peak_in_flight", r.peak_in_flight},
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
