#include "timeline_model.h"

#include <algorithm>
#include <map>

namespace fetchlab {

const char* phase_name(Phase phase) {
    switch (phase) {
    case Phase::queued: return "queued";
    case Phase::stalled: return "no free connection yet";
    case Phase::connecting: return "connecting";
    case Phase::waiting: return "waiting for the first byte";
    case Phase::downloading: return "downloading";
    case Phase::unreported: return "in flight";
    case Phase::failed: return "failed";
    case Phase::cancelled: return "cancelled";
    }
    return "";
}

std::string origin_of(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    return url.substr(0, url.find_first_of("/?#", scheme + 3));
}

namespace {

// A freed connection goes to the next request at once, but the end of the request that freed it
// is stamped when the page's event loop gets to it: up to a few frames later.
constexpr double freed_before_s = 0.02, freed_after_s = 0.1;
// Shorter gaps before connecting are the platform's own bookkeeping.
constexpr double least_wait_s = 0.002;

}  // namespace

ConnectionWaits::ConnectionWaits(const Timeline& timeline, const Workload& workload) {
    const std::size_t n = std::min(timeline.requests.size(), workload.requests.size());
    waited_.assign(n, false);
    std::vector<std::string> origins(n);
    std::map<std::string, std::vector<double>> ends;  // per origin, sorted
    for (std::size_t i = 0; i < n; ++i) {
        origins[i] = origin_of(workload.requests[i].url);
        const RequestRecord& r = timeline.requests[i];
        if (r.state == RequestState::done && r.result.done >= 0) ends[origins[i]].push_back(r.result.done);
    }
    for (auto& [origin, times] : ends) std::sort(times.begin(), times.end());
    for (std::size_t i = 0; i < n; ++i) {
        const Result& r = timeline.requests[i].result;
        if (r.started < 0 || r.connect_start < r.started + least_wait_s) continue;
        const auto found = ends.find(origins[i]);
        if (found == ends.end()) continue;
        const std::vector<double>& times = found->second;
        const auto lo = std::lower_bound(times.begin(), times.end(), r.connect_start - freed_before_s);
        const auto hi = std::upper_bound(times.begin(), times.end(), r.connect_start + freed_after_s);
        std::ptrdiff_t others = hi - lo;
        const bool self_inside = timeline.requests[i].state == RequestState::done &&
                                 r.done >= r.connect_start - freed_before_s && r.done <= r.connect_start + freed_after_s;
        if (self_inside) --others;
        waited_[i] = others > 0;
    }
}

bool ConnectionWaits::waited(std::size_t request) const { return request < waited_.size() && waited_[request]; }

RequestPhases phases_of(const RequestRecord& record, double run_start, double now, bool waited_for_connection) {
    RequestPhases p;
    const Result& res = record.result;
    auto add = [&p](Phase phase, double from, double to) {
        if (to > from) p.spans.push_back({phase, from, to});
    };
    const double live_end = std::max(now - run_start, 0.0);
    if (record.state == RequestState::waiting) {
        add(Phase::queued, 0, live_end);
        p.start = p.end = live_end;
        return p;
    }
    p.begun = true;
    p.done = record.state == RequestState::done;
    const double began = std::max(record.began - run_start, 0.0);
    p.start = std::max(res.started >= 0 ? res.started - run_start : began, began);
    // Queued until the transport began it: a page hands a large async run to the browser in slices.
    add(Phase::queued, 0, p.start);
    p.end = std::max(p.done ? res.done - run_start : live_end, p.start);
    if (p.done && !res.ok()) {
        // Whatever the platform said about its phases, it is a failure from its start until it failed.
        add(res.error == ErrorKind::cancelled ? Phase::cancelled : Phase::failed, p.start, p.end);
        return p;
    }
    // The marks the platform reported, in order and inside the request's own span.
    auto mark = [&](double t, double after) { return t < 0 ? -1.0 : std::clamp(t - run_start, after, p.end); };
    const double connect_start = res.started >= 0 ? mark(res.connect_start, p.start) : -1;
    const double connected = mark(res.connected, std::max(connect_start, p.start));
    // A first byte stamped at the very end, with nothing before it, is a stand-in for "not told".
    const bool end_only = p.done && connected < 0 && res.first_byte >= res.done;
    const double first_byte = end_only ? -1 : mark(res.first_byte, std::max({connected, connect_start, p.start}));
    double from = p.start;
    if (waited_for_connection && connect_start > from) {
        add(Phase::stalled, from, connect_start);
        p.stalled_s = connect_start - from;
        from = connect_start;
    }
    p.phases_reported = connected >= 0 || first_byte >= 0;
    if (!p.phases_reported) {
        add(Phase::unreported, from, p.end);
        return p;
    }
    // A phase the platform does not report (a browser may give no connect time) is folded into
    // the next one it does.
    if (connected >= 0) {
        add(Phase::connecting, from, connected);
        from = connected;
    }
    if (first_byte >= 0) {
        add(Phase::waiting, from, first_byte);
        add(Phase::downloading, first_byte, p.end);
    } else {
        add(p.done ? Phase::unreported : Phase::waiting, from, p.end);  // done: when it answered is unknown
    }
    return p;
}

}  // namespace fetchlab
