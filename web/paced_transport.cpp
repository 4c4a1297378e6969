#include "paced_transport.h"

#include <emscripten/eventloop.h>

namespace fetchlab {

PacedTransport::PacedTransport(std::unique_ptr<Transport> inner, double slice_s)
    : inner_(std::move(inner)), slice_s_(slice_s) {}

PacedTransport::~PacedTransport() {
    if (timer_ >= 0) emscripten_clear_timeout(timer_);
}

bool PacedTransport::slice_left() {
    const double t = inner_->now();
    if (slice_began_ < 0) {
        slice_began_ = t;
        slice_started_ = 0;
    }
    // A few always fit, however slow the machine: a small run (the seed's 11) starts all at once.
    return slice_started_ < min_per_slice || t - slice_began_ < slice_s_;
}

void PacedTransport::start_now(Waiting w) {
    ++slice_started_;
    inner_->start(w.request, std::move(w.done));
}

void PacedTransport::start_waiting() {
    while (!waiting_.empty() && slice_left()) {
        Waiting w = std::move(waiting_.front());
        waiting_.pop_front();
        start_now(std::move(w));
    }
    // The rest in a task of their own, after whatever the browser has queued meanwhile (a frame).
    if (!waiting_.empty() && timer_ < 0) timer_ = emscripten_set_timeout(next_slice, 0, this);
}

void PacedTransport::next_slice(void* self) {
    auto& t = *static_cast<PacedTransport*>(self);
    t.timer_ = -1;
    t.slice_began_ = -1;
    t.start_waiting();
}

void PacedTransport::start(const Request& request, Done done) {
    waiting_.push_back({request, std::move(done)});
    start_waiting();
}

int PacedTransport::pump(int max_wait_ms) {
    // A pump (once a frame) is a task of its own: a slice, for what waits and for what its
    // completions start (bounded refills its window from them).
    slice_began_ = -1;
    start_waiting();
    return inner_->pump(max_wait_ms);
}

void PacedTransport::abort_started() {
    // What the browser never saw ends here; what it has, as it ends there.
    const double t = inner_->now();
    std::deque<Waiting> never;
    never.swap(waiting_);
    for (Waiting& w : never) w.done(failed_before_start(ErrorKind::cancelled, "cancelled before it started", t));
    inner_->abort_started();
}

}  // namespace fetchlab
