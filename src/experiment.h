#pragma once
// What a front end (the browser page, the desktop window) drives: settings chosen in the panel,
// the run in progress, and the finished runs to compare. One per window; used from the UI
// thread only, once a frame.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mode.h"
#include "report.h"
#include "run.h"
#include "transport.h"
#include "workload.h"

namespace fetchlab {

enum class Preset { seed, lab, urls, flaky };  // flaky: the lab preset with the lab's faults

struct Settings {
    Mode mode = Mode::async;
    bool all_modes = false;        // sequential, threads, async (and pool, bounded) one after another
    Preset preset = Preset::seed;
    int n = 60;                    // lab and flaky presets
    int latency_ms = 200;          // lab and flaky presets
    int workers = 6;               // K for pool and bounded
    int origins = 1;               // how many of the lab's ports to spread requests over
    std::string urls_text;         // the custom list: one URL a line
    int timeout_ms = 30000;
    int max_body_kb = 64 * 1024;   // a larger body ends as too_large (the transport's default cap)
};

// What the platform offers, shown in the panel's environment line.
struct Environment {
    std::string platform;          // "Emscripten 3.1.6, emscripten_fetch" or "libcurl 7.88.1"
    bool cross_origin_isolated = true;
    bool threads_available = true; // false in a browser page without SharedArrayBuffer
    int max_threads = 0;           // the most threads one run may start; 0: no limit
    int max_in_flight = 0;         // the most requests one run may have in flight; 0: no limit
    int thread_pool = 0;           // the threads a browser page keeps warm (its pthread pool); 0: none
    int threads_ready = -1;        // how many of those are ready to run; -1: not tracked
    int hardware_concurrency = 0;
    std::vector<std::string> lab_origins;  // the lab's ports as origins; empty when there is no lab
};

class Experiment {
public:
    using TransportFactory = std::function<std::unique_ptr<Transport>(const TransportOptions&)>;

    Experiment(TransportFactory make_transport, Environment environment);
    ~Experiment();

    Settings settings;  // edited by the panel; read when a run starts

    const Environment& environment() const { return environment_; }
    // The browser starts its pool of threads beside the first frames; thread modes wait for it.
    void set_threads_ready(int ready);

    // Why `mode` cannot run with the current settings ("threads need cross-origin isolation",
    // "at most 64 threads here"), or "" when it can.
    std::string unavailable_reason(Mode mode) const;

    // Starts settings.mode, or every available mode one after another when settings.all_modes.
    // Returns "" when started, else the reason it did not (shown by the panel).
    std::string start();
    void cancel();
    // Once a frame: drives the run in progress without blocking and starts the next mode of a
    // "run all". Returns true when a run finished during this call.
    bool update();

    bool running() const { return run_ != nullptr; }
    const Run* current() const { return run_.get(); }  // null when idle
    Mode current_mode() const;
    std::size_t queued_modes() const { return queue_.size(); }

    // Finished runs of the latest start(): one for a single mode, several for "run all".
    const std::vector<RunReport>& latest() const { return latest_; }
    // Every finished run since the page opened (or clear()), oldest first.
    const std::vector<RunReport>& history() const { return history_; }
    // The settings each run of history() ran with (its own mode, never "all"), index for index.
    const std::vector<Settings>& history_settings() const { return history_settings_; }
    void clear();

    // The CLI's JSON document for latest().
    std::string latest_json() const;
    // lesson_text() for latest(), computed when latest() or the environment changes rather than
    // each frame that shows it (a run of thousands of requests makes it cost milliseconds).
    const std::string& lesson() const { return lesson_; }

    // The workload the current settings describe (empty with a reason when they describe none).
    Workload workload(std::string* why = nullptr) const;

private:
    void begin_next();
    void update_lesson();

    TransportFactory make_transport_;
    Environment environment_;
    std::shared_ptr<Transport> transport_;  // shared with the run's threads, which may outlive the run
    std::unique_ptr<Run> run_;
    std::vector<Mode> queue_;
    Workload workload_;
    Settings started_with_;  // the settings of the latest start(), for every mode it queued
    std::vector<RunReport> latest_, history_;
    std::vector<Settings> history_settings_;
    std::string lesson_;
};

// Plain words about a set of runs of one workload, with their own numbers: how each mode spent
// its time, and what limited it (one at a time, thread start-up, a per-origin connection cap).
std::string lesson_text(const std::vector<RunReport>& runs, const Environment& environment);

// The requests that succeeded, in the rounds they were on the wire: never more than `most` at once
// (see on_wire_since and off_wire_at in summary.h), so `count` = ceil(requests / most) waves of up
// to `most`. 60 requests of 200 ms through 6 connections: 10 waves of 6; 20 of them: 4 of up to 6.
// Failed and cancelled requests are left out; where the platform timed only some requests' wire,
// those set `most`; where it timed none, the requests count from when they started.
struct Waves {
    std::size_t count = 0, most = 0, requests = 0;
};
Waves waves_of(const RunReport& run);
std::size_t count_waves(const RunReport& run);  // waves_of(run).count

}  // namespace fetchlab
