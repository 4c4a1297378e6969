#pragma once
// The timeline of a run: one preallocated slot per request, written by whichever thread
// runs that request, read by the front end as snapshots. The lock is held only to copy.
#include <cstddef>
#include <mutex>
#include <vector>

#include "result.h"

namespace fetchlab {

enum class RequestState { waiting, running, done };

struct RequestRecord {
    RequestState state = RequestState::waiting;
    int lane = -1;        // which thread or worker ran it; 0 for the event loop
    double began = -1;    // when the mode handed it to the transport (clock seconds)
    Result result;        // complete once state == done
};

struct Timeline {
    double run_start = 0;
    std::vector<RequestRecord> requests;
    std::size_t finished = 0;
    std::size_t in_flight = 0;
    std::size_t peak_in_flight = 0;
    double last_done = 0;  // the latest `done` time of any request
};

class Recorder {
public:
    Recorder(std::size_t n, double run_start);

    void set_run_start(double run_start);

    void begin(std::size_t index, int lane, double now);
    // Idempotent per request: a second finish of the same request is ignored.
    void finish(std::size_t index, Result result);
    // Marks request `index`, or every request that has no result yet, as failed with `kind` (at time
    // `now`). Neither throws, so a run out of memory or threads still records why each request failed.
    void fail(std::size_t index, ErrorKind kind, const char* message, double now) noexcept;
    void finish_unfinished(ErrorKind kind, const char* message, double now) noexcept;

    Timeline snapshot() const;
    std::size_t finished() const;
    std::size_t in_flight() const;

private:
    mutable std::mutex mutex_;
    Timeline timeline_;
};

}  // namespace fetchlab
