#pragma once
// What a mode uses to fetch request i and have it recorded: the modes stay about
// scheduling, and recording happens in one place.
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>

#include "recorder.h"
#include "transport.h"
#include "workload.h"

namespace fetchlab {

// How a run starts its threads: std::thread unless a test makes it fail like a system out of threads.
using ThreadStarter = std::function<std::thread(std::function<void()>)>;

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
    // transport. Returns false, and `then` never runs, when it started nothing: after a cancel,
    // or for a URL that cannot be fetched (recorded as bad url at once).
    bool start(std::size_t i, int lane, std::function<void()> then = {});

    // Records requests first.. as failed with "context: reason", without asking the transport.
    // Never throws: it is what runs when the system is out of threads or memory.
    void fail_from(std::size_t first, ErrorKind kind, const char* context, const char* reason) noexcept;

    // Starts a thread for a thread mode; throws what std::thread throws (std::system_error when
    // the system has no thread to give, std::bad_alloc). Counts the thread until its body returns.
    std::thread start_thread(std::function<void()> body);
    int threads_running() const { return threads_running_.load(std::memory_order_acquire); }
    void set_thread_starter(ThreadStarter starter) { starter_ = std::move(starter); }

private:
    bool refuse_bad_url(std::size_t i, int lane);

    const Workload& workload_;
    Transport& transport_;
    Recorder& recorder_;
    const std::atomic<bool>& stop_;
    ThreadStarter starter_;
    std::atomic<int> threads_running_{0};
};

}  // namespace fetchlab
