#include "run.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include "modes/modes.h"

namespace fetchlab {

struct Run::Shared {
    Shared(std::shared_ptr<Transport> t, Workload w)
        : transport(std::move(t)),
          workload(std::move(w)),
          recorder(workload.size(), transport->now()),
          fetcher(workload, *transport, recorder, stop) {}

    std::shared_ptr<Transport> transport;
    const Workload workload;
    std::atomic<bool> stop{false};
    Recorder recorder;
    Fetcher fetcher;
    std::vector<std::thread> spawned;  // the thread modes' threads, joined by the runner
    std::atomic<bool> runner_done{false};
    double runner_end = 0;  // written by the runner before runner_done
};

Run::Run(std::shared_ptr<Transport> transport, Workload workload, Mode mode, int workers)
    : shared_(std::make_shared<Shared>(std::move(transport), std::move(workload))),
      mode_(mode),
      workers_(std::max(1, workers)),
      threads_may_outlive_(true) {
    set_thread_starter({});
}

Run::Run(Transport& transport, Workload workload, Mode mode, int workers)
    : shared_(std::make_shared<Shared>(std::shared_ptr<Transport>(&transport, [](Transport*) {}), std::move(workload))),
      mode_(mode),
      workers_(std::max(1, workers)) {
    set_thread_starter({});
}

Run::~Run() {
    if (began_ && !finished()) {
        cancel();
        wait();
    }
    release_threads();
}

void Run::release_threads() {
    Shared& s = *shared_;
    if (threads_may_outlive_) {
        // Each thread holds the shared block until its body returns, and the runner, when there is
        // one, joins the others: the last one out frees the block.
        if (runner_.joinable()) {
            runner_.detach();
        } else {
            for (std::thread& t : s.spawned)
                if (t.joinable()) t.detach();
        }
        return;
    }
    if (runner_.joinable()) {
        runner_.join();
    } else {
        for (std::thread& t : s.spawned)
            if (t.joinable()) t.join();
    }
}

void Run::set_thread_starter(ThreadStarter starter) {
    starter_ = std::move(starter);
    // Every thread of the run holds the shared block while its body runs: it may outlive the Run.
    // Set up here rather than in begin(), which must not need memory a failing system lacks.
    shared_->fetcher.set_thread_starter([weak = std::weak_ptr<Shared>(shared_), starter = starter_](std::function<void()> body) {
        std::function<void()> held = [keep = weak.lock(), body = std::move(body)] { body(); };
        return starter ? starter(std::move(held)) : std::thread(std::move(held));
    });
}

const Workload& Run::workload() const { return shared_->workload; }
Timeline Run::timeline() const { return shared_->recorder.snapshot(); }
bool Run::stop_requested() const { return shared_->stop.load(); }

void Run::begin() {
    if (began_) return;
    began_ = true;
    Shared& s = *shared_;
    cpu_start_ = s.transport->cpu_now();
    run_start_ = s.transport->now();
    s.recorder.set_run_start(run_start_);
    if (mode_is_blocking(mode_)) {
        // The thread modes' threads start here, on the thread that owns the run; the runner joins them.
        if (mode_ == Mode::threads) s.spawned = start_threads(s.fetcher);
        if (mode_ == Mode::pool) s.spawned = start_pool(s.fetcher, workers_);
        try {
            std::function<void()> body = [shared = shared_, sequential = mode_ == Mode::sequential] {
                if (sequential) run_sequential(shared->fetcher);
                for (std::thread& t : shared->spawned) t.join();
                shared->runner_end = shared->transport->now();
                shared->runner_done.store(true, std::memory_order_release);
            };
            runner_ = starter_ ? starter_(std::move(body)) : std::thread(std::move(body));
        } catch (const std::exception& e) {
            // No runner: the threads already started still finish their requests, and poll() waits
            // for them itself. Sequential mode has nothing that could run a request.
            if (mode_ == Mode::sequential)
                s.fetcher.fail_from(0, ErrorKind::no_thread, "could not start the runner thread", e.what());
        }
    } else if (mode_ == Mode::async) {
        start_async(s.fetcher);
    } else {
        start_bounded(s.fetcher, workers_);
    }
}

bool Run::poll(int max_wait_ms) {
    if (!began_) begin();
    if (finished()) return true;
    Shared& s = *shared_;
    if (mode_is_blocking(mode_)) {
        // A cancel ends the run now: a thread blocked in a request the platform cannot interrupt
        // (a browser's synchronous one) finishes it in the background, and its result is dropped.
        if (s.stop.load()) {
            finish(s.transport->now());
            return true;
        }
        // Polled rather than waited on, so the thread that owns the run (a browser's main thread
        // among them) never blocks on a lock the runner holds.
        const bool runner = runner_.joinable();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait_ms);
        while (runner ? !s.runner_done.load(std::memory_order_acquire) : s.fetcher.threads_running() > 0) {
            if (s.stop.load()) return poll(0);
            if (std::chrono::steady_clock::now() >= deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (runner) {
            // It has as good as returned. Not joined on a browser's main thread, which must not block.
            if (threads_may_outlive_) runner_.detach();
            else runner_.join();
        } else {
            for (std::thread& t : s.spawned) t.join();  // each one has as good as returned
            s.runner_end = s.transport->now();
        }
        finish(s.runner_end);
        return true;
    }
    if (s.stop.load() && !aborted_) {
        aborted_ = true;
        s.transport->abort_started();
    }
    if (s.recorder.in_flight() > 0) s.transport->pump(max_wait_ms);
    if (s.recorder.in_flight() > 0) return false;
    // Nothing in flight: either all are done, or a cancel left some never started.
    if (s.recorder.finished() < s.workload.size() && !s.stop.load()) return false;
    finish(s.recorder.snapshot().last_done);
    return true;
}

void Run::wait() {
    while (!poll(100)) {
    }
}

void Run::cancel() { shared_->stop.store(true); }

void Run::finish(double end) {
    Shared& s = *shared_;
    s.recorder.finish_unfinished(ErrorKind::cancelled, "cancelled before it finished", s.transport->now());
    wall_s_ = std::max(0.0, end - run_start_);
    const double cpu_end = s.transport->cpu_now();
    cpu_s_ = cpu_start_ >= 0 && cpu_end >= 0 ? cpu_end - cpu_start_ : -1;
    finished_.store(true);
}

Summary Run::summary() const {
    return summarize(mode_, workers_, shared_->workload, shared_->recorder.snapshot(), wall_s_, cpu_s_);
}

}  // namespace fetchlab
