#include "summary.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <queue>
#include <utility>

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

double on_wire_since(const Result& r) {
    if (r.connect_start >= 0) return r.connect_start;
    return r.connected >= 0 ? r.connected : -1;
}

double off_wire_at(const Result& r) {
    constexpr double stamp_slack_s = 0.1;
    if (r.first_byte < 0 || r.done < r.first_byte) return r.done;
    return std::max(r.first_byte, r.done - stamp_slack_s);
}

std::size_t most_at_once(std::vector<std::pair<double, double>> spans) {
    std::vector<std::pair<double, int>> edges;  // (time, +1 begins / -1 ends)
    edges.reserve(spans.size() * 2);
    for (const auto& [from, to] : spans) {
        edges.push_back({from, +1});
        edges.push_back({std::max(from, to), -1});
    }
    std::sort(edges.begin(), edges.end());  // at equal times an end (-1) comes before a begin (+1)
    long at_once = 0, most = 0;
    for (const auto& edge : edges) most = std::max(most, at_once += edge.second);
    return static_cast<std::size_t>(most);
}

long peak_on_wire(const Timeline& timeline) {
    std::vector<std::pair<double, double>> spans;
    for (const RequestRecord& r : timeline.requests) {
        const double since = on_wire_since(r.result);
        if (r.state == RequestState::done && since >= 0 && r.result.done >= since)
            spans.push_back({since, off_wire_at(r.result)});
    }
    if (spans.empty()) return -1;
    return static_cast<long>(most_at_once(std::move(spans)));
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
    s.peak_on_wire = peak_on_wire(timeline);
    for (const RequestRecord& r : timeline.requests) {
        if (r.state == RequestState::done && r.result.ok()) ++s.ok;
        else if (r.result.error == ErrorKind::cancelled) ++s.cancelled;
        else ++s.failed;
    }
    s.errors = s.failed + s.cancelled;
    return s;
}

double speedup(double baseline_wall_s, double wall_s) {
    return (baseline_wall_s > 0 && wall_s > 0) ? baseline_wall_s / wall_s : 0;
}

double speedup_of(const Summary& s, double baseline_wall_s) {
    return comparable(s) ? speedup(baseline_wall_s, s.wall_s) : 0;
}

std::string seconds_text(double s) {
    char buf[32];
    if (s < 0) return "-";
    if (s >= 0.0995) std::snprintf(buf, sizeof buf, "%.2f s", s);
    else if (s >= 0.00095) std::snprintf(buf, sizeof buf, "%.0f ms", s * 1000);
    else std::snprintf(buf, sizeof buf, "%.1f ms", s * 1000);
    return buf;
}

std::string ratio_text(double x) {
    if (!(x > 0)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", x);
    return buf;
}

std::string speedup_text(double x) {
    if (!(x > 0)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, x >= 99.5 ? "%.0fx" : "%.1fx", x);
    return buf;
}

}  // namespace fetchlab
