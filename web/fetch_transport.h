#pragma once
// emscripten_fetch behind the core's Transport: synchronous fetches on worker threads for the
// blocking modes, callbacks on the main thread for the async ones.
#include <memory>
#include <vector>

#include "transport.h"

namespace fetchlab {

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

    struct Pending;  // one async fetch: its callback and what the browser has reported so far

private:
    TransportOptions options_;
    std::vector<std::shared_ptr<Pending>> started_;   // not finished, not aborted
    std::vector<std::shared_ptr<Pending>> finished_;  // waiting for pump() to deliver
};

}  // namespace fetchlab
