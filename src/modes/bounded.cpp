#include "modes.h"

#include <memory>

namespace fetchlab {

namespace {
// The window outlives start_bounded(): each completion holds it and starts the next request.
struct Window : std::enable_shared_from_this<Window> {
    explicit Window(Fetcher& f) : fetcher(f) {}
    Fetcher& fetcher;
    std::size_t next = 0;

    void start_next() {  // the next request that starts: one refused at once leaves its slot free
        while (next < fetcher.size())
            if (fetcher.start(next++, 0, [self = shared_from_this()] { self->start_next(); })) return;
    }
};
}  // namespace

// Async with at most K in flight, refilled as each one completes (curl's "10 at a time"):
// the wall time is about the sum of the latencies spread over K slots.
void start_bounded(Fetcher& fetcher, int window) {
    auto w = std::make_shared<Window>(fetcher);
    for (int k = 0; k < window; ++k) w->start_next();
}

}  // namespace fetchlab
