#pragma once
// Ctrl-C and SIGTERM for `run` and `bench`: the first cancels the run in progress, so what finished
// is still reported; a second one ends the process as the signal would have without us.
// main() blocks both signals before any thread starts, so every thread inherits the block and no
// handler ever runs on a worker: one thread takes them in sigwait() and cancels the run from there.
#include <atomic>
#include <mutex>
#include <thread>

namespace fetchlab {
class Run;
}

namespace fetchlab::cli {

// Blocks SIGINT and SIGTERM in the calling thread, and so in every thread it starts later.
void block_stop_signals();
// Waits (with the signals blocked) for SIGINT or SIGTERM and returns which came: `serve`'s stop.
int wait_for_stop_signal();

class Interrupts {
public:
    Interrupts();  // starts the thread that waits for the signals
    ~Interrupts();
    Interrupts(const Interrupts&) = delete;
    Interrupts& operator=(const Interrupts&) = delete;

    bool requested() const { return requested_.load(); }
    // The run a signal cancels; nullptr once it is over. A run watched after the signal came is
    // cancelled at once.
    void watch(Run* run);

private:
    void wait_for_signals();

    std::atomic<bool> requested_{false};
    std::atomic<bool> closing_{false};
    std::mutex mutex_;
    Run* run_ = nullptr;  // under mutex_
    std::thread waiter_;
};

}  // namespace fetchlab::cli
