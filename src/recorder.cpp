#include "recorder.h"

#include <algorithm>
#include <new>

namespace fetchlab {

namespace {
// A request that never got a result from the transport. Out of memory, the message becomes one
// short enough for the string's own buffer, which needs no allocation.
void mark_failed(Timeline& timeline, RequestRecord& r, ErrorKind kind, const char* message, double now) noexcept {
    if (r.state == RequestState::done) return;
    if (r.state == RequestState::running) --timeline.in_flight;
    if (r.began < 0) r.began = now;
    r.state = RequestState::done;
    r.result = Result{};
    r.result.error = kind;
    r.result.started = r.began;
    r.result.done = now;
    try {
        r.result.message = message;
    } catch (const std::bad_alloc&) {
        r.result.message = "out of memory";
    }
    ++timeline.finished;
}
}  // namespace

Recorder::Recorder(std::size_t n, double run_start) {
    timeline_.run_start = run_start;
    timeline_.last_done = run_start;
    timeline_.requests.resize(n);
}

void Recorder::set_run_start(double run_start) {
    std::lock_guard<std::mutex> lock(mutex_);
    timeline_.run_start = run_start;
    timeline_.last_done = run_start;
}

void Recorder::begin(std::size_t index, int lane, double now) {
    std::lock_guard<std::mutex> lock(mutex_);
    RequestRecord& r = timeline_.requests.at(index);
    if (r.state != RequestState::waiting) return;
    r.state = RequestState::running;
    r.lane = lane;
    r.began = now;
    timeline_.peak_in_flight = std::max(timeline_.peak_in_flight, ++timeline_.in_flight);
}

void Recorder::finish(std::size_t index, Result result) {
    std::lock_guard<std::mutex> lock(mutex_);
    RequestRecord& r = timeline_.requests.at(index);
    if (r.state == RequestState::done) return;
    if (r.state == RequestState::running) --timeline_.in_flight;
    if (r.began < 0) r.began = result.started >= 0 ? result.started : result.done;
    r.state = RequestState::done;
    timeline_.last_done = std::max(timeline_.last_done, result.done);
    r.result = std::move(result);
    ++timeline_.finished;
}

void Recorder::fail(std::size_t index, ErrorKind kind, const char* message, double now) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    if (index < timeline_.requests.size()) mark_failed(timeline_, timeline_.requests[index], kind, message, now);
}

void Recorder::finish_unfinished(ErrorKind kind, const char* message, double now) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    for (RequestRecord& r : timeline_.requests) mark_failed(timeline_, r, kind, message, now);
}

Timeline Recorder::snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return timeline_;
}

std::size_t Recorder::finished() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return timeline_.finished;
}

std::size_t Recorder::in_flight() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return timeline_.in_flight;
}

}  // namespace fetchlab
