#include "summary.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace fetchlab {

double ideal_wall(const std::vector<double>& durations, std::size_t lanes) {
    if (durations.empty() || lanes == 0) return 0;
    // A min-heap of the times at which each lane becomes free.
    std::priority_queue<double, std::vector<double>, std::greater<double>> free_at;
    for (std::size_t k = 0; k < std::min(lanes, durations.size()); ++k) free_at.push(0.0);
    double end = 0;
    for (double d : durations) {
        double t = free_at.top() + d;
        free_at.pop();
        free_at.push(t);
        end = std::max(end, t);
    }
    return end;
}

std::vector<double> request_durations(const Workload& workload, const Timeline& timeline) {
    std::vector<double> durations;
    durations.reserve(workload.size());
    for (std::size_t i = 0; i < workload.size(); ++i) {
        double d = workload.requests[i].expected_s;
        if (d < 0 && i < timeline.requests.size()) {
            const Result& r = timeline.requests[i].result;
            d = (r.started >= 0 && r.done >= r.started) ? r.done - r.started : 0;
        }
        durations.push_back(std::max(d, 0.0));
    }
    return durations;
}

Summary summarize(Mode mode, int workers, const Workload& workload, const Timeline& timeline,
                  double wall_s, double cpu_s) {
    Summary s;
    s.mode = mode;
    s.workers = mode_uses_workers(mode) ? workers : 0;
    s.n = workload.size();
    s.wall_s = wall_s;
    s.cpu_s = cpu_s;
    s.ideal_s = ideal_wall(request_durations(workload, timeline), mode_concurrency(mode, s.n, workers));
    s.peak_in_flight = timeline.peak_in_flight;
    for (const RequestRecord& r : timeline.requests) {
        if (r.state == RequestState::done && r.result.ok()) ++s.ok;
        else ++s.errors;
        if (r.result.error == ErrorKind::cancelled) ++s.cancelled;
    }
    return s;
}

double speedup(double baseline_wall_s, double wall_s) {
    return (baseline_wall_s > 0 && wall_s > 0) ? baseline_wall_s / wall_s : 0;
}

double speedup_of(const Summary& s, double baseline_wall_s) {
    return comparable(s) ? speedup(baseline_wall_s, s.wall_s) : 0;
}

}  // namespace fetchlab
