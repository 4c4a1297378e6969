#include "recorder.h"

#include <algorithm>

namespace fetchlab {

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

void Recorder::finish_unfinished(ErrorKind kind, const char* message, double now) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (RequestRecord& r : timeline_.requests) {
        if (r.state == RequestState::done) continue;
        if (r.state == RequestState::running) --timeline_.in_flight;
        if (r.began < 0) r.began = now;
        r.state = RequestState::done;
        r.result = failed_before_start(kind, message, now);
        r.result.started = r.began;
        ++timeline_.finished;
    }
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
