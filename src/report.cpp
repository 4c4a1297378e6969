#include "report.h"

#include <nlohmann/json.hpp>

#ifndef FETCHLAB_VERSION
#define FETCHLAB_VERSION "0.0.0"
#endif

namespace fetchlab {

const char* fetchlab_version() { return FETCHLAB_VERSION; }

RunReport report_of(const Run& run) { return {run.summary(), run.workload(), run.timeline()}; }

double speedup_baseline(const std::vector<RunReport>& reports, bool* measured) {
    for (const RunReport& r : reports) {
        if (r.summary.mode == Mode::sequential && comparable(r.summary)) {
            if (measured) *measured = true;
            return r.summary.wall_s;
        }
    }
    if (measured) *measured = false;
    if (reports.empty()) return 0;
    return ideal_wall(request_durations(reports[0].workload, reports[0].timeline), 1);
}

// Seconds since the run's start, or null for a phase that was never reached.
static nlohmann::json since_start(double t, double run_start) {
    if (t < 0) return nullptr;
    return std::max(0.0, t - run_start);
}

static nlohmann::json request_json(const Request& request, const RequestRecord& record, Mode mode,
                                   double run_start) {
    const Result& r = record.result;
    nlohmann::json j = {
        {"url", display_url(request.url)},
        {"label", request.label},
        {"lane", record.lane >= 0 ? nlohmann::json(lane_label(mode, record.lane)) : nlohmann::json(nullptr)},
        {"start_s", since_start(r.started >= 0 ? r.started : record.began, run_start)},
        {"connect_start_s", since_start(r.connect_start, run_start)},
        {"connect_s", since_start(r.connected, run_start)},
        {"first_byte_s", since_start(r.first_byte, run_start)},
        {"end_s", since_start(r.done, run_start)},
        {"status", r.status},
        {"bytes", r.bytes},
        {"new_connection", r.new_connection},
        {"error", r.ok() ? nlohmann::json(nullptr) : nlohmann::json(error_kind_name(r.error))},
    };
    if (!r.ok()) j["message"] = r.message;
    return j;
}

std::string report_json(const std::vector<RunReport>& reports, int indent) {
    bool measured = false;
    const double baseline = speedup_baseline(reports, &measured);
    nlohmann::json runs = nlohmann::json::array();
    for (const RunReport& rep : reports) {
        const Summary& s = rep.summary;
        nlohmann::json requests = nlohmann::json::array();
        for (std::size_t i = 0; i < rep.workload.size() && i < rep.timeline.requests.size(); ++i)
            requests.push_back(request_json(rep.workload.requests[i], rep.timeline.requests[i], s.mode,
                                            rep.timeline.run_start));
        runs.push_back({
            {"mode", mode_name(s.mode)},
            {"workload", rep.workload.name},
            {"workers", s.workers},
            {"n", s.n},
            {"wall_s", s.wall_s},
            {"ideal_s", s.ideal_s},
            {"cpu_s", s.cpu_s >= 0 ? nlohmann::json(s.cpu_s) : nlohmann::json(nullptr)},
            {"speedup", comparable(s) ? nlohmann::json(speedup(baseline, s.wall_s)) : nlohmann::json(nullptr)},
            {"speedup_baseline", measured ? "sequential run" : "ideal sequential time"},
            {"comparable", comparable(s)},
            {"ok", s.ok},
            {"errors", s.errors},
            {"failed", s.failed},
            {"cancelled", s.cancelled},
            {"peak_started", s.peak_in_flight},
            {"peak_on_wire", s.peak_on_wire >= 0 ? nlohmann::json(s.peak_on_wire) : nlohmann::json(nullptr)},
            {"requests", std::move(requests)},
        });
    }
    nlohmann::json doc = {{"fetchlab", fetchlab_version()}, {"runs", std::move(runs)}};
    // A message may quote bytes that are not UTF-8 (curl's, about a URL from a binary file):
    // replaced, so the report always comes out instead of the dump throwing.
    return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace fetchlab
