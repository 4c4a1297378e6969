#pragma once
// The one door to platform code: libcurl natively, emscripten_fetch in the browser.
// The core and the modes only ever talk to this interface.
#include <atomic>
#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "result.h"
#include "workload.h"

namespace fetchlab {

struct TransportOptions {
    int timeout_ms = 30000;                     // whole request, connect included
    std::uint64_t max_bytes = 64u << 20;        // a larger body ends as too_large
    // Origins ("http://127.0.0.1:8080") known to allow cross-origin reads (the lab's): where a
    // browser's failure cannot be a CORS refusal, it can be named more precisely.
    std::vector<std::string> lab_origins;
};

class Transport {
public:
    using Done = std::function<void(Result)>;

    virtual ~Transport() = default;

    // Blocking fetch. Returns early as cancelled once `stop` becomes true, where the platform can
    // interrupt a request (a browser cannot: its synchronous request runs to its end or timeout).
    // Not legal on a browser's main thread.
    virtual Result fetch(const Request& request, const std::atomic<bool>& stop) = 0;

    // Starts a fetch and returns at once; `done` runs later inside pump() on the thread that
    // called start(). Every started request gets exactly one `done`.
    virtual void start(const Request& request, Done done) = 0;

    // Delivers finished async fetches, waiting up to max_wait_ms for one when none is ready.
    // Returns how many `done` callbacks it ran.
    virtual int pump(int max_wait_ms) = 0;

    // Ends every started fetch now; each one's `done` runs (inside this call or a later pump())
    // with ErrorKind::cancelled.
    virtual void abort_started() = 0;

    // The monotonic clock that phase times are measured on, in seconds.
    virtual double now() const = 0;

    // The CPU time the process has spent, in seconds, for a run's cpu figure; negative where the
    // platform has no such clock (in a browser std::clock() is the wall clock, not CPU time).
    virtual double cpu_now() const { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
};

}  // namespace fetchlab
