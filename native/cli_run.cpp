// `fetchlab run`: fetch a workload in one or more modes and report each run.
#include <cstdio>
#include <iostream>

#include "cli.h"
#include "curl_transport.h"
#include "fd_budget.h"
#include "interrupts.h"

namespace fetchlab::cli {

int run_command(const RunOptions& options) {
    // Ctrl-C or SIGTERM cancels the run in progress: what did not finish is reported as cancelled.
    Interrupts interrupts;
    raise_open_file_limit();
    Target target;
    try {
        target = prepare_target(options.workload);
    } catch (const std::exception& e) {
        std::cerr << "fetchlab run: " << e.what() << "\n";
        return 2;
    }
    if (target.workload.size() == 0) {
        std::cerr << "fetchlab run: nothing to fetch\n";
        return 2;
    }
    const std::vector<Mode> modes = modes_for(options.mode);
    if (!fd_budget_allows("fetchlab run", modes, target.workload.size(), options.workers, target.embedded != nullptr))
        return 2;

    const bool progress = stderr_is_terminal();
    TransportOptions transport_options;
    transport_options.timeout_ms = options.timeout_ms;
    transport_options.max_bytes = options.max_bytes;

    std::vector<RunReport> reports;
    for (Mode mode : modes) {
        if (interrupts.requested()) break;
        // A fresh transport per run, so no run inherits another's warm connections.
        CurlTransport transport(transport_options);
        Run run(transport, target.workload, mode, options.workers);
        interrupts.watch(&run);
        run.begin();
        poll_with_progress(run, transport, progress, mode_name(mode), [](const Timeline& live, double elapsed) {
            return run_time_left(live.finished, live.requests.size(), elapsed);
        });
        interrupts.watch(nullptr);
        if (progress) clear_progress();
        reports.push_back(report_of(run));
    }

    if (options.json) {
        std::cout << report_json(reports) << "\n";
    } else if (options.csv) {
        std::cout << report_csv(reports);
    } else {
        std::cout << "fetchlab " << fetchlab_version() << " · " << target.workload.name << " ("
                  << target.workload.size() << " requests) against " << target.where << "\n\n";
        if (options.waterfall) print_waterfalls(reports, terminal_speaks_utf8(), terminal_width());
        print_summary_table(reports);
        print_errors(reports);
    }

    for (const RunReport& r : reports)
        if (r.summary.errors > 0) return 1;
    return interrupts.requested() ? 1 : 0;
}

}  // namespace fetchlab::cli
