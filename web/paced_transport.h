#pragma once
// Hands the browser the requests of an async run a slice at a time, so that the page keeps drawing.
// Starting a request (XMLHttpRequest open and send, through emscripten_fetch) costs the main thread
// 0.3-1.7 ms here: an async run of 1,000 started at once held one frame for 0.3-1.7 s. The browser
// puts no more than 6 a origin on the wire anyway, so starting them in slices of the event loop's
// own tasks, in order, between frames, takes nothing from the run. A request's start is when the
// browser got it; the slices it waited for show as queued before it, after its mode began it.
#include <deque>
#include <memory>

#include "transport.h"

namespace fetchlab {

class PacedTransport final : public Transport {
public:
    // `slice_s`: how long one task may spend starting requests, once it has started min_per_slice.
    PacedTransport(std::unique_ptr<Transport> inner, double slice_s);
    ~PacedTransport() override;
    PacedTransport(const PacedTransport&) = delete;
    PacedTransport& operator=(const PacedTransport&) = delete;

    Result fetch(const Request& request, const std::atomic<bool>& stop) override { return inner_->fetch(request, stop); }
    void start(const Request& request, Done done) override;
    int pump(int max_wait_ms) override;
    void abort_started() override;
    double now() const override { return inner_->now(); }
    double cpu_now() const override { return inner_->cpu_now(); }

private:
    struct Waiting {
        Request request;
        Done done;
    };
    bool slice_left();
    void start_waiting();  // as many as this slice allows, then a task for the rest
    void start_now(Waiting w);
    static void next_slice(void* self);

    std::unique_ptr<Transport> inner_;
    const double slice_s_;
    static constexpr int min_per_slice = 16;
    double slice_began_ = -1;  // -1: the next start begins a slice
    int slice_started_ = 0;    // requests started in this slice
    long timer_ = -1;          // the task that will start the next slice, if any
    std::deque<Waiting> waiting_;  // started by the mode, not yet by the browser
};

}  // namespace fetchlab
