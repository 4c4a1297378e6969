#pragma once
// What a mode uses to fetch request i and have it recorded: the modes stay about
// scheduling, and recording happens in one place.
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

#include "recorder.h"
#include "transport.h"
#include "workload.h"

namespace fetchlab {

class Fetcher {
public:
    Fetcher(const Workload& workload, Transport& transport, Recorder& recorder,
            const std::atomic<bool>& stop);

    std::size_t size() const { return workload_.size(); }
    bool stopped() const { return stop_.load(std::memory_order_relaxed); }

    // Blocking: fetches request i on the calling thread. After a cancel it does nothing;
    // the run records what was never fetched as cancelled.
    void fetch(std::size_t i, int lane);

    // Async: starts request i; `then` runs once it is recorded, on the thread pumping the
    // transport. After a cancel it starts nothing and `then` never runs.
    void start(std::size_t i, int lane, std::function<void()> then = {});

    // Records request i as failed without asking the transport.
    void fail(std::size_t i, ErrorKind kind, const std::string& message);

private:
    const Workload& workload_;
    Transport& transport_;
    Recorder& recorder_;
    const std::atomic<bool>& stop_;
};

}  // namespace fetchlab
