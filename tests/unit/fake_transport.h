#pragma once
// A transport with a manual clock for deterministic tests of the modes. Time only moves when
// every request that can be waiting is waiting: blocking fetches sleep until the clock reaches
// their end, and async fetches complete in pump() in order of their end time.
//
// A mode that runs fewer fetches at once than expected (fewer threads, or one at a time) would
// leave the clock waiting forever; after `patience` of real time the fake records a stall, stops
// waiting for the expected concurrency, and lets the run finish, so the test fails with the
// wall time the mode really took instead of hanging.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "transport.h"

namespace fetchlab::testing {

class FakeTransport final : public Transport {
public:
    // Each request takes its expected_s. A URL containing "status=500" answers 500.
    // `concurrency` blocking fetches of `n` in all can be waiting at once (the mode's lanes).
    void expect_blocking(std::size_t concurrency, std::size_t n);
    // Runs after each blocking fetch completes, with how many have completed.
    std::function<void(std::size_t)> after_blocking_fetch;
    // How long blocking fetches wait, in real time, for the expected concurrency.
    std::chrono::milliseconds patience{2000};
    // "" unless the expected concurrency never came: then what was expected and what was waiting.
    std::string stall() const;

    // Blocking fetches run on past a cancel, as a browser's synchronous request does.
    bool ignores_stop = false;
    // While held, a blocking fetch that has reached its end waits, in real time, before it returns:
    // a request the browser has not answered yet.
    void hold();
    void release();
    std::size_t held() const;      // blocking fetches waiting in the hold now
    std::size_t returned() const;  // blocking fetches that have returned

    Result fetch(const Request& request, const std::atomic<bool>& stop) override;
    void start(const Request& request, Done done) override;
    int pump(int max_wait_ms) override;
    void abort_started() override;
    double now() const override;

    std::size_t max_async_in_flight() const { return max_async_in_flight_; }

private:
    Result answer(const Request& request, double started, double end) const;
    void advance_if_all_waiting();  // with mutex_ held

    struct Pending {
        double end;
        Request request;
        double started;
        Done done;
        bool aborted = false;
    };

    mutable std::mutex mutex_;
    std::condition_variable woken_;
    double now_ = 1000.0;  // not zero, so "time since start" bugs show
    std::multiset<double> sleepers_;
    std::size_t concurrency_ = 1, total_ = 0, completed_ = 0;
    std::vector<Pending> pending_;
    std::size_t max_async_in_flight_ = 0;
    std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
    std::string stall_;
    bool holding_ = false;
    std::size_t held_ = 0, returned_ = 0;
};

// A workload whose request i takes delays[i] seconds.
Workload fake_workload(const std::vector<double>& delays);

}  // namespace fetchlab::testing
