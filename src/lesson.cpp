// The lesson under the panel's results: a few plain sentences that explain a set of runs with
// their own numbers — what each mode waited for, and what held it back.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "experiment.h"

namespace fetchlab {

namespace {

// Browsers open at most this many HTTP/1.1 connections to one origin.
constexpr std::size_t browser_connections_per_origin = 6;

std::string seconds(double s) { return seconds_text(s); }
std::string times(double x) { return speedup_text(x); }

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
    std::size_t n, lanes, origins, planned_waves;
    Waves waves;
    bool cancelled, comparable;
};

Facts facts_of(const RunReport& run) {
    const Summary& s = run.summary;
    Facts f{&run, s.mode, s.n, 0, 0, 0, {}, s.cancelled > 0, comparable(s)};
    f.lanes = mode_concurrency(s.mode, s.n, s.workers);
    f.origins = count_origins(run.workload);
    f.waves = waves_of(run);
    f.planned_waves = ceil_div(s.n, f.lanes);
    return f;
}

// A run that should have been more concurrent than one origin allows, and came in waves that
// cost it time: well past its ideal. Only a run in which every request succeeded says anything
// about time.
bool capped(const Facts& f) {
    const Summary& s = f.run->summary;
    return f.comparable && f.lanes > browser_connections_per_origin && f.waves.count >= 2 &&
           f.waves.count > f.planned_waves && s.wall_s > 1.5 * s.ideal_s;
}

// "10 waves of 6", "4 waves of up to 6": never more than `most` were on the wire at once.
std::string waves_phrase(const Waves& w) {
    if (w.count <= 1) return "one wave";
    return std::to_string(w.count) + " waves of " + (w.requests % w.most == 0 ? "" : "up to ") +
           std::to_string(w.most);
}

// What a thread run measured about its start: when the last request began (seconds into the
// run) and how long the slowest one took.
struct Starts {
    double last_began = 0, slowest = 0;
};

Starts starts_of(const RunReport& run) {
    Starts s;
    for (const RequestRecord& r : run.timeline.requests) {
        const double began = r.result.started >= 0 ? r.result.started : r.began;
        if (began < 0) continue;
        s.last_began = std::max(s.last_began, began - run.timeline.run_start);
        if (r.state == RequestState::done && r.result.done >= began)
            s.slowest = std::max(s.slowest, r.result.done - began);
    }
    return s;
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
        // Only what was measured: wall - ideal also holds the slowest request's own overrun and
        // any time past it, so it is no measure of what starting the threads cost.
        const Starts st = starts_of(*f.run);
        return "Threads started all " + std::to_string(f.n) + " at once, a thread each: " + wall + ", " + vs_slowest +
               faster + "; the last of them started " + seconds(st.last_began) + " in, and the slowest took " +
               seconds(st.slowest) + ".";
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
        else if (f.comparable && f.origins > 1 && f.lanes > browser_connections_per_origin && f.waves.count <= 1)
            spread_ok.push_back(&f);
    }
    const bool browser = is_browser(env);
    if (!waved.empty()) {
        const Facts& f = **std::max_element(waved.begin(), waved.end(), [](const Facts* a, const Facts* b) {
            return a->waves.count < b->waves.count;
        });
        std::string s = several_runs ? "In " + modes_of(waved) + ", the " : "The ";
        if (f.origins == 1) {
            s += std::to_string(f.n) + " requests to one origin ran in " + waves_phrase(f.waves);
            if (!browser) return s + ", not all at once: something limits the connections to that origin.";
            s += ": the browser opens at most " + std::to_string(browser_connections_per_origin) +
                 " connections per origin over HTTP/1.1" + longest_stall(*f.run) + ".";
            if (env.lab_origins.size() > 1)
                s += " Spread them over more origins (the Origins setting) to lift the cap.";
            return s;
        }
        s += std::to_string(f.n) + " requests over " + std::to_string(f.origins) + " origins ran in " +
             waves_phrase(f.waves);
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

// What failed in one run: how many, and "2 timeout, 1 connect refused" by kind, most first.
// Cancelled requests are not failures: the run's cancel cut them short.
struct Failures {
    std::size_t count = 0;
    std::string kinds;
};

Failures failures_of(const RunReport& run) {
    std::map<ErrorKind, std::size_t> kinds;
    Failures f;
    for (const RequestRecord& r : run.timeline.requests) {
        if (r.state != RequestState::done || r.result.ok() || r.result.error == ErrorKind::cancelled) continue;
        ++kinds[r.result.error];
        ++f.count;
    }
    std::vector<std::pair<ErrorKind, std::size_t>> sorted(kinds.begin(), kinds.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<std::string> parts;
    for (const auto& [kind, count] : sorted) parts.push_back(std::to_string(count) + " " + error_kind_name(kind));
    f.kinds = list(parts);
    return f;
}

// A run that did less than the work: what went wrong instead of how fast it was. `same` are the
// later runs that failed the same way, told in the same sentence.
std::string not_comparable_sentence(const Facts& f, const std::vector<const Facts*>& same = {}) {
    const std::string mode = capitalized(mode_name(f.mode));
    const std::string of_n = " of " + std::to_string(f.n) + " requests";
    const Failures failed = failures_of(*f.run);
    if (f.n == 0) return mode + " had nothing to fetch.";
    if (f.cancelled) {
        return mode + " was cancelled: " + std::to_string(f.run->summary.cancelled) + of_n + " did not finish" +
               (failed.count ? ", and " + std::to_string(failed.count) + " failed (" + failed.kinds + ")" : "") + ".";
    }
    if (same.empty())
        return mode + ": " + std::to_string(failed.count) + of_n + " failed (" + failed.kinds +
               "), so its time is no result to compare.";
    std::vector<std::string> modes{mode_name(f.mode)};
    for (const Facts* other : same) modes.push_back(mode_name(other->mode));
    return capitalized(joined(modes)) + ": " + std::to_string(failed.count) + of_n + " failed in each (" +
           failed.kinds + "), so their times are no result to compare.";
}

// Whether `a` and `b` failed alike (neither cancelled), so one sentence tells both.
bool failed_alike(const Facts& a, const Facts& b) {
    if (a.comparable || b.comparable || a.cancelled || b.cancelled || a.n != b.n || a.n == 0) return false;
    const Failures fa = failures_of(*a.run), fb = failures_of(*b.run);
    return fa.count == fb.count && fa.kinds == fb.kinds;
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

Waves waves_of(const RunReport& run) {
    // Each request that succeeded, from when it went on the wire to when it was off it again.
    // Never more than `most` were on the wire at once, so they took at least ceil(requests / most)
    // rounds of the connections there were. Where the platform told when some went on the wire,
    // only those set `most` (a request whose timing is missing would seem on the wire from its
    // start); where it told for none, all that is known is when each started.
    std::vector<std::pair<double, double>> wire, started;
    for (const RequestRecord& r : run.timeline.requests) {
        const Result& res = r.result;
        if (r.state != RequestState::done || !res.ok() || res.done < 0) continue;
        const double since = on_wire_since(res), start = res.started >= 0 ? res.started : r.began;
        if (since >= 0 && since <= res.done) wire.push_back({since, off_wire_at(res)});
        if (start >= 0 && start <= res.done) started.push_back({start, off_wire_at(res)});
    }
    Waves w;
    w.requests = started.size();
    if (w.requests == 0) return w;
    w.most = std::max<std::size_t>(1, most_at_once(std::move(wire.empty() ? started : wire)));
    w.count = ceil_div(w.requests, w.most);
    return w;
}

std::size_t count_waves(const RunReport& run) { return waves_of(run).count; }

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
    std::vector<bool> told_already(facts.size(), false);
    for (std::size_t i = 0; i < facts.size(); ++i) {
        if (told_already[i]) continue;
        if (facts[i].comparable) {
            told.push_back(mode_sentence(facts[i], baseline, faster_than));
            continue;
        }
        std::vector<const Facts*> same;
        for (std::size_t j = i + 1; j < facts.size(); ++j)
            if (!told_already[j] && failed_alike(facts[i], facts[j])) {
                same.push_back(&facts[j]);
                told_already[j] = true;
            }
        told.push_back(not_comparable_sentence(facts[i], same));
    }

    // The workload's own figures, unless the sequential and an all-at-once run state them anyway.
    auto ran = [&facts](Mode m) {
        return std::any_of(facts.begin(), facts.end(), [m](const Facts& f) { return f.mode == m && f.comparable; });
    };
    if (!(ran(Mode::sequential) && (ran(Mode::threads) || ran(Mode::async)))) sentences.push_back(intro);
    for (auto& s : told) sentences.push_back(std::move(s));
    for (std::string s : {origin_sentence(facts, environment, runs.size() > 1), skipped})
        if (!s.empty()) sentences.push_back(std::move(s));
    if (runs.size() == 1 && !facts.front().cancelled && sentences.size() < 3)
        sentences.push_back("Tick All modes to run every mode on the same workload and compare them.");
    if (sentences.size() > 8) sentences.resize(8);

    std::string text;
    for (const std::string& s : sentences) text += (text.empty() ? "" : " ") + s;
    return text;
}

}  // namespace fetchlab
