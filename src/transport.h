#pragma once
// The one door to platform code: libcurl natively, emscripten_fetch in the browser.
// The core and the modes only ever talk to this interface.
#include <atomic>
#include <cstdint>
#include <functional>

#include "result.h"
#include "workload.h"

namespace fetchlab {

struct TransportOptions {
    int timeout_ms = 30000;                     // whole request, connect included
    std::uint64_t max_bytes = 64u << 20;        // a larger body ends as too_large
};

class Transport {
public:
    using Done = std::function<void(Result)>;

    virtual ~Transport() = default;

    // Blocking fetch. Returns early as cancelled once `stop` becomes true.
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
};

}  // namespace fetchlab
