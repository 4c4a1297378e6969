// The lesson under the panel's results: a few plain sentences that explain a set of runs with
// their own numbers — what each mode waited for, and what held it back.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "experiment.h"

namespace fetchlab {

namespace {

// Browsers open at most this many HTTP/1.1 connections to one origin.
constexpr std::size_t browser_connections_per_origin = 6;

std::string seconds(double s) {
    char buf[32];
    if (s >= 0.0995) std::snprintf(buf, sizeof buf, "%.2f s", s);
    else if (s >= 0.00095) std::snprintf(buf, sizeof buf, "%.0f ms", s * 1000);
    else std::snprintf(buf, sizeof buf, "%.1f ms", s * 1000);
    return buf;
}

std::string times(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, x >= 99.5 ? "%.0fx" : "%.1fx", x);
    return buf;
}

std::string capitalized(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

// "a", "a and b", "a, b and c".
std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) out += i + 1 == words.size() ? " and " : ", ";
        out += words[i];
    }
    return out;
}

// "a, b, c".
std::string list(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
}

std::string plural(std::size_t count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
}

// "http://127.0.0.1:8080" for any URL on that origin; the default port is made explicit.
std::string origin_of(const std::string& url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return url;
    std::string scheme = url.substr(0, scheme_end);
    const auto host_end = url.find_first_of("/?#", scheme_end + 3);
    std::string host = url.substr(scheme_end + 3, host_end == std::string::npos ? std::string::npos
                                                                                 : host_end - scheme_end - 3);
    for (auto* s : {&scheme, &host})
        for (char& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = host.rfind('@');
    if (at != std::string::npos) host = host.substr(at + 1);
    const auto bracket = host.rfind(']');  // an IPv6 address: its port comes after the ']'
    const bool has_port = host.find(':', bracket == std::string::npos ? 0 : bracket) != std::string::npos;
    if (!has_port) host += scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
    return scheme + "://" + host;
}

std::size_t count_origins(const Workload& workload) {
    std::set<std::string> origins;
    for (const Request& r : workload.requests) origins.insert(origin_of(r.url));
    return origins.size();
}

// How many requests went to the origin that had the most.
std::size_t busiest_origin(const Workload& workload) {
    std::map<std::string, std::size_t> counts;
    std::size_t most = 0;
    for (const Request& r : workload.requests) most = std::max(most, ++counts[origin_of(r.url)]);
    return most;
}

bool on_lab_origins(const Workload& workload, const Environment& env) {
    std::set<std::string> lab;
    for (const std::string& o : env.lab_origins) lab.insert(origin_of(o));
    return std::all_of(workload.requests.begin(), workload.requests.end(),
                       [&lab](const Request& r) { return lab.count(origin_of(r.url)) > 0; });
}

bool is_browser(const Environment& env) {
    std::string p = env.platform;
    for (char& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return p.find("emscripten") != std::string::npos || p.find("browser") != std::string::npos;
}

std::size_t ceil_div(std::size_t a, std::size_t b) { return b == 0 ? 0 : (a + b - 1) / b; }

// What one finished run tells, ready to be put into words.
struct Facts {
    const RunReport* run;
    Mode mode;
    std::size_t n, lanes, origins, waves, planned_waves;
    bool cancelled;
};

Facts facts_of(const RunReport& run) {
    const Summary& s = run.summary;
    Facts f{&run, s.mode, s.n, 0, 0, 0, 0, s.cancelled > 0};
    f.lanes = mode_concurrency(s.mode, s.n, s.workers);
    f.origins = count_origins(run.workload);
    f.waves = count_waves(run);
    f.planned_waves = ceil_div(s.n, f.lanes);
    return f;
}

// A run that should have been more concurrent than one origin allows, and came in waves that
// cost it time: well past its ideal (requests of mixed lengths end at scattered times anyway).
bool capped(const Facts& f) {
    const Summary& s = f.run->summary;
    return !f.cancelled && f.lanes > browser_connections_per_origin && f.waves >= 2 && f.waves > f.planned_waves &&
           s.wall_s > 1.5 * s.ideal_s;
}

// `faster_than` names the baseline the first time ("sequential", "one at a time") and is then
// emptied, so later sentences just say "7.9x faster".
std::string mode_sentence(const Facts& f, double baseline, std::string& faster_than) {
    const Summary& s = f.run->summary;
    const std::string wall = seconds(s.wall_s), ideal = seconds(s.ideal_s);
    std::string faster;
    if (s.mode != Mode::sequential && speedup_of(s, baseline) > 0) {
        faster = ", " + times(speedup_of(s, baseline)) + " faster" + faster_than;
        faster_than.clear();
    }
    const bool near_slowest = s.wall_s <= s.ideal_s * 1.25 + 0.05;
    const std::string vs_slowest = (near_slowest ? "about the slowest (" : "well past the slowest (") + ideal + ")";
    const std::string waves = f.planned_waves == 1 ? "one wave" : "about " + plural(f.planned_waves, "wave", "waves");
    const std::string k = std::to_string(s.workers);
    switch (s.mode) {
    case Mode::sequential:
        return "Sequential fetched them one at a time: " + wall + ", the sum of the delays (" + ideal + ").";
    case Mode::threads: {
        // Past the slowest request, what is left is the cost of starting a thread per request
        // (unless the requests came in waves, which the origin sentence explains).
        const double startup = s.wall_s - s.ideal_s;
        std::string cost;
        if (near_slowest)
            cost = startup >= 0.0005 ? "; starting the threads cost " + seconds(startup)
                                     : "; starting them cost next to nothing";
        return "Threads started all " + std::to_string(f.n) + " at once, a thread each: " + wall + ", " + vs_slowest +
               faster + cost + ".";
    }
    case Mode::async:
        return "Async started all " + std::to_string(f.n) + " from one thread: " + wall + ", " + vs_slowest + faster +
               ", with no thread per request.";
    case Mode::pool:
        return "Pool shared them among " + k + " worker threads, so " + waves + ": " + wall + " (ideal " + ideal + ")" +
               faster + ".";
    case Mode::bounded:
        return "Bounded kept at most " + k + " in flight from one thread, so " + waves + ": " + wall + " (ideal " +
               ideal + ")" + faster + ".";
    }
    return "";
}

std::string modes_of(const std::vector<const Facts*>& runs) {
    std::vector<std::string> names;
    for (const Facts* f : runs) names.push_back(mode_name(f->mode));
    return joined(names);
}

// ", and the longest wait for a free one was 1.84 s", where the platform tells that wait.
std::string longest_stall(const RunReport& run) {
    double longest = 0;
    for (const RequestRecord& r : run.timeline.requests)
        if (r.result.connect_start > r.result.started && r.result.started >= 0)
            longest = std::max(longest, r.result.connect_start - r.result.started);
    if (longest < 0.05) return "";
    return ", and the longest wait for a free one was " + seconds(longest);
}

// The per-origin connection cap, when a run shows it or when spreading over origins lifted it.
std::string origin_sentence(const std::vector<Facts>& facts, const Environment& env, bool several_runs) {
    std::vector<const Facts*> waved, spread_ok;
    for (const Facts& f : facts) {
        if (capped(f)) waved.push_back(&f);
        else if (!f.cancelled && f.origins > 1 && f.lanes > browser_connections_per_origin && f.waves <= 1)
            spread_ok.push_back(&f);
    }
    const bool browser = is_browser(env);
    if (!waved.empty()) {
        const Facts& f = **std::max_element(waved.begin(), waved.end(),
                                            [](const Facts* a, const Facts* b) { return a->waves < b->waves; });
        const std::size_t per_wave = static_cast<std::size_t>(std::lround(double(f.n) / double(f.waves)));
        std::string s = several_runs ? "In " + modes_of(waved) + ", the " : "The ";
        if (f.origins == 1) {
            s += std::to_string(f.n) + " requests to one origin ran in " + std::to_string(f.waves) +
                 " waves of about " + std::to_string(per_wave);
            if (!browser) return s + ", not all at once: something limits the connections to that origin.";
            s += ": the browser opens at most " + std::to_string(browser_connections_per_origin) +
                 " connections per origin over HTTP/1.1" + longest_stall(*f.run) + ".";
            if (env.lab_origins.size() > 1)
                s += " Spread them over more origins (the Origins setting) to lift the cap.";
            return s;
        }
        s += std::to_string(f.n) + " requests over " + std::to_string(f.origins) + " origins ran in " +
             std::to_string(f.waves) + " waves of about " + std::to_string(per_wave);
        if (!browser) return s + ", not all at once: something limits the connections.";
        const std::size_t busiest = busiest_origin(f.run->workload);
        if (busiest > browser_connections_per_origin) {
            if (busiest == ceil_div(f.n, f.origins))
                return s + ": about " + std::to_string(busiest) + " requests per origin is more than the " +
                       std::to_string(browser_connections_per_origin) + " connections the browser opens to each.";
            return s + ": " + std::to_string(busiest) + " of them went to one origin, more than the " +
                   std::to_string(browser_connections_per_origin) + " connections the browser opens to each.";
        }
        // Within the cap everywhere, yet held back: the browser was slow to open so many connections.
        return s + ", although at most " + std::to_string(busiest) + " per origin is within the browser's " +
               std::to_string(browser_connections_per_origin) +
               " connections to each: opening so many connections at once took the browser (or this machine) "
               "time of its own" + longest_stall(*f.run) + ".";
    }
    if (!spread_ok.empty() && browser) {
        const Facts& f = *spread_ok.front();
        // Only the lab's own origins (the Origins setting) tell that spreading is what changed.
        if (f.n <= browser_connections_per_origin || !on_lab_origins(f.run->workload, env)) return "";
        return "Spread over " + std::to_string(f.origins) + " origins (about " +
               plural(ceil_div(f.n, f.origins), "request", "requests") + " each), the " + std::to_string(f.n) +
               " requests ran in one wave: the browser's cap of " + std::to_string(browser_connections_per_origin) +
               " connections is per origin, so more origins lift it.";
    }
    return "";
}

// "3 of 60 requests failed (2 timeout, 1 connect refused)." Cancelled requests are told apart.
std::string failure_sentence(const std::vector<RunReport>& runs) {
    std::map<ErrorKind, std::size_t> kinds;
    std::size_t failed = 0, total = 0;
    std::vector<std::string> modes;
    for (const RunReport& run : runs) {
        std::size_t here = 0;
        for (const RequestRecord& r : run.timeline.requests) {
            if (r.state != RequestState::done || r.result.ok() || r.result.error == ErrorKind::cancelled) continue;
            ++kinds[r.result.error];
            ++here;
        }
        total += run.summary.n;
        failed += here;
        if (here > 0) modes.push_back(mode_name(run.summary.mode));
    }
    if (failed == 0) return "";
    std::vector<std::pair<ErrorKind, std::size_t>> sorted(kinds.begin(), kinds.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<std::string> parts;
    for (const auto& [kind, count] : sorted) parts.push_back(std::to_string(count) + " " + error_kind_name(kind));
    std::string where = runs.size() == 1 ? "" : modes.size() == 1 ? "In " + modes[0] + ", " : "Across the runs, ";
    return where + std::to_string(failed) + " of " + std::to_string(total) + " requests failed (" + list(parts) +
           ").";
}

std::string skipped_sentence(const std::vector<RunReport>& runs, const Environment& env) {
    if (env.threads_available) return "";
    std::vector<std::string> skipped;
    for (Mode m : all_modes()) {
        if (!mode_is_blocking(m)) continue;
        bool ran = std::any_of(runs.begin(), runs.end(), [m](const RunReport& r) { return r.summary.mode == m; });
        if (!ran) skipped.push_back(mode_name(m));
    }
    if (skipped.empty()) return "";
    const std::string why = env.cross_origin_isolated
                                ? "this build cannot start threads"
                                : "threads need cross-origin isolation (SharedArrayBuffer); this page is not isolated";
    return capitalized(joined(skipped)) + (skipped.size() == 1 ? " was" : " were") + " skipped: " + why + ".";
}

}  // namespace

std::size_t count_waves(const RunReport& run) {
    // How long one request takes by itself: the lab's stated delay, else the fastest request seen.
    // (end - start would count the time spent queued behind a connection cap.)
    double fastest = -1;
    for (const RequestRecord& r : run.timeline.requests) {
        const Result& res = r.result;
        if (r.state == RequestState::done && res.ok() && res.started >= 0 && res.done >= res.started)
            fastest = fastest < 0 ? res.done - res.started : std::min(fastest, res.done - res.started);
    }
    // Each request was on the wire for about that long before it ended. The most requests on the
    // wire at once is how many ran side by side; the requests in groups of that size are the
    // waves. (Gaps between end times blur after a few waves, as each connection refills alone.)
    std::vector<std::pair<double, int>> edges;  // (time, +1 on the wire / -1 off it)
    for (std::size_t i = 0; i < run.timeline.requests.size(); ++i) {
        const RequestRecord& r = run.timeline.requests[i];
        const Result& res = r.result;
        if (r.state != RequestState::done || res.done < 0 || res.error == ErrorKind::cancelled) continue;
        const double stated = i < run.workload.size() ? run.workload.requests[i].expected_s : -1;
        const double alone = std::max(stated >= 0 ? stated : fastest, 0.0);
        // Less its first 100 ms (at most half): end times are stamped when the page's event loop
        // gets to them, up to a frame or so late, and a late stamp must not overlap the next request.
        edges.push_back({res.done - alone + std::min(0.1, alone / 2), +1});
        edges.push_back({res.done, -1});
    }
    if (edges.empty()) return 0;
    std::sort(edges.begin(), edges.end());  // at equal times an end (-1) comes before a start (+1)
    int on_wire = 0, most = 1;
    for (const auto& [t, step] : edges) most = std::max(most, on_wire += step);
    const std::size_t requests = edges.size() / 2;
    return (requests + static_cast<std::size_t>(most) - 1) / static_cast<std::size_t>(most);
}

std::string lesson_text(const std::vector<RunReport>& runs, const Environment& environment) {
    std::vector<std::string> sentences;
    if (runs.empty()) return "";  // nothing ran, so nothing was skipped (the panel says what is unavailable)
    const std::string skipped = skipped_sentence(runs, environment);

    std::vector<Facts> facts;
    for (const RunReport& run : runs) facts.push_back(facts_of(run));

    // The workload: what one at a time and all at once would take.
    const RunReport& first = runs.front();
    const std::vector<double> durations = request_durations(first.workload, first.timeline);
    const double sum = ideal_wall(durations, 1);
    const double slowest = durations.empty() ? 0 : *std::max_element(durations.begin(), durations.end());
    const std::string intro = plural(first.workload.size(), "request", "requests") + " (" + first.workload.name +
                        "): " + seconds(sum) + " one after another, " + seconds(slowest) + " for the slowest.";

    bool measured = false;
    const double baseline = speedup_baseline(runs, &measured);
    std::string faster_than = measured ? " than sequential" : " than one at a time";
    std::vector<std::string> told;
    for (const Facts& f : facts) {
        if (f.cancelled) {
            told.push_back(capitalized(mode_name(f.mode)) + " was cancelled: " +
                           std::to_string(f.run->summary.cancelled) + " of " + std::to_string(f.n) +
                           " requests did not finish.");
        } else {
            told.push_back(mode_sentence(f, baseline, faster_than));
        }
    }

    // The workload's own figures, unless the sequential and an all-at-once run state them anyway.
    auto ran = [&facts](Mode m) {
        return std::any_of(facts.begin(), facts.end(), [m](const Facts& f) { return f.mode == m && !f.cancelled; });
    };
    if (!(ran(Mode::sequential) && (ran(Mode::threads) || ran(Mode::async)))) sentences.push_back(intro);
    for (auto& s : told) sentences.push_back(std::move(s));
    for (std::string s : {origin_sentence(facts, environment, runs.size() > 1), failure_sentence(runs), skipped})
        if (!s.empty()) sentences.push_back(std::move(s));
    if (runs.size() == 1 && !facts.front().cancelled && sentences.size() < 3)
        sentences.push_back("Tick All modes to run every mode on the same workload and compare them.");
    if (sentences.size() > 8) sentences.resize(8);

    std::string text;
    for (const std::string& s : sentences) text += (text.empty() ? "" : " ") + s;
    return text;
}

}  // namespace fetchlab
