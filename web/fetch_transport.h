#pragma once
// emscripten_fetch behind the core's Transport: synchronous fetches on worker threads for the
// blocking modes, callbacks on the main thread for the async ones.
#include <cstddef>
#include <memory>
#include <vector>

#include "transport.h"

namespace fetchlab {

// Chromium fails a page's requests past this many in flight with net::ERR_INSUFFICIENT_RESOURCES
// (status 0 to the page). Measured in Chromium 156: 2,000 and 3,000 requests of 3 s over 10
// origins started at once, exactly the first 1,350 answered.
inline constexpr std::size_t browser_in_flight_limit = 1350;
// What one run may have in flight: the limit less room for the page's other requests, such as a
// cancelled run's synchronous ones that threads are still finishing (at most one a thread).
inline constexpr int page_in_flight_limit = 1300;

class FetchTransport final : public Transport {
public:
    explicit FetchTransport(TransportOptions options = {});
    ~FetchTransport() override;

    // Only off the main thread: the browser forbids synchronous requests there.
    Result fetch(const Request& request, const std::atomic<bool>& stop) override;
    void start(const Request& request, Done done) override;
    int pump(int max_wait_ms) override;
    void abort_started() override;
    double now() const override;
    double cpu_now() const override;

    struct Pending;  // one async fetch: its callback and what the browser has reported so far

private:
    TransportOptions options_;
    std::vector<std::shared_ptr<Pending>> started_;   // not finished, not aborted
    std::vector<std::shared_ptr<Pending>> finished_;  // waiting for pump() to deliver
};

}  // namespace fetchlab
