#include "run.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <functional>
#include <thread>

#include "modes/modes.h"

namespace fetchlab {

Run::Run(Transport& transport, Workload workload, Mode mode, int workers)
    : transport_(transport),
      workload_(std::move(workload)),
      mode_(mode),
      workers_(std::max(1, workers)),
      recorder_(workload_.size(), transport.now()),
      fetcher_(workload_, transport_, recorder_, stop_) {}

Run::~Run() {
    if (began_ && !finished()) {
        cancel();
        wait();
    }
}

void Run::set_thread_starter(ThreadStarter starter) {
    starter_ = starter;
    fetcher_.set_thread_starter(std::move(starter));
}

void Run::begin() {
    if (began_) return;
    began_ = true;
    cpu_start_ = std::clock();
    run_start_ = transport_.now();
    recorder_.set_run_start(run_start_);
    if (mode_is_blocking(mode_)) {
        // The thread modes' threads start here, on the thread that owns the run; the runner joins them.
        if (mode_ == Mode::threads) spawned_ = start_threads(fetcher_);
        if (mode_ == Mode::pool) spawned_ = start_pool(fetcher_, workers_);
        try {
            std::function<void()> body = [this] {
                if (mode_ == Mode::sequential) run_sequential(fetcher_);
                for (std::thread& t : spawned_) t.join();
                runner_end_ = transport_.now();
                // The runner's last touch of this Run: after it, the Run may be gone.
                runner_done_.store(true, std::memory_order_release);
            };
            runner_ = starter_ ? starter_(std::move(body)) : std::thread(std::move(body));
        } catch (const std::exception& e) {
            // No runner: the threads already started still finish their requests, and poll() waits
            // for them itself. Sequential mode has nothing that could run a request.
            if (mode_ == Mode::sequential)
                fetcher_.fail_from(0, ErrorKind::no_thread, "could not start the runner thread", e.what());
        }
    } else if (mode_ == Mode::async) {
        start_async(fetcher_);
    } else {
        start_bounded(fetcher_, workers_);
    }
}

bool Run::poll(int max_wait_ms) {
    if (!began_) begin();
    if (finished()) return true;
    if (mode_is_blocking(mode_)) {
        // Polled rather than waited on, so the thread that owns the run (a browser's main thread
        // among them) never blocks on a lock the runner holds.
        const bool runner = runner_.joinable();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
        while (runner ? !runner_done_.load(std::memory_order_acquire) : fetcher_.threads_running() > 0) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (runner) {
            runner_.detach();  // done with this Run; nothing left to wait for
        } else {
            for (std::thread& t : spawned_) t.join();  // each one has as good as returned
            runner_end_ = transport_.now();
        }
        finish(runner_end_);
        return true;
    }
    if (stop_.load() && !aborted_) {
        aborted_ = true;
        transport_.abort_started();
    }
    if (recorder_.in_flight() > 0) transport_.pump(max_wait_ms);
    if (recorder_.in_flight() > 0) return false;
    // Nothing in flight: either all are done, or a cancel left some never started.
    if (recorder_.finished() < workload_.size() && !stop_.load()) return false;
    finish(recorder_.snapshot().last_done);
    return true;
}

void Run::wait() {
    while (!poll(100)) {
    }
}

void Run::cancel() { stop_.store(true); }

void Run::finish(double end) {
    recorder_.finish_unfinished(ErrorKind::cancelled, "cancelled before it finished", transport_.now());
    wall_s_ = std::max(0.0, end - run_start_);
    cpu_s_ = static_cast<double>(std::clock() - cpu_start_) / CLOCKS_PER_SEC;
    finished_.store(true);
}

Summary Run::summary() const {
    return summarize(mode_, workers_, workload_, recorder_.snapshot(), wall_s_, cpu_s_);
}

}  // namespace fetchlab
