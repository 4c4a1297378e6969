#pragma once
// Finished runs, gathered for reporting, and the JSON document that the CLI's --json and the
// browser's window.fetchlab.results both expose.
#include <string>
#include <vector>

#include "recorder.h"
#include "run.h"
#include "summary.h"
#include "workload.h"

namespace fetchlab {

struct RunReport {
    Summary summary;
    Workload workload;
    Timeline timeline;
};

RunReport report_of(const Run& run);

// The wall time that speedups are measured against: the sequential run's when there is one in
// which every request succeeded, else the ideal sequential time (the sum of the delays).
// `measured` says which it is.
double speedup_baseline(const std::vector<RunReport>& reports, bool* measured = nullptr);

// {"fetchlab": VERSION, "runs": [{"mode", "n", "wall_s", ..., "requests": [...]}]}. Per run:
// ok + errors == n, errors = failed + cancelled; "comparable" is false when any request failed or
// was cancelled (then "speedup" is null); "peak_started" counts requests started and not yet done,
// "peak_on_wire" those on the wire (null where the platform cannot tell).
std::string report_json(const std::vector<RunReport>& reports, int indent = 2);

const char* fetchlab_version();

}  // namespace fetchlab
