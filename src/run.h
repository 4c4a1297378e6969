#pragma once
// One run: a workload fetched by one mode over one transport, recorded as it happens.
//
// Blocking modes run on a runner thread of their own, so the thread that owns the run (a UI
// thread, the browser's main thread) never blocks on them: the threads and pool modes start their
// threads on the owner thread (cheap, and in a browser far quicker than from another thread) and
// the runner joins them. Async modes run on the thread that calls begin() and poll(), which pumps
// the transport.
#include <atomic>
#include <thread>
#include <vector>

#include "fetcher.h"
#include "mode.h"
#include "recorder.h"
#include "summary.h"
#include "transport.h"
#include "workload.h"

namespace fetchlab {

class Run {
public:
    Run(Transport& transport, Workload workload, Mode mode, int workers);
    ~Run();  // cancels what is still running and waits for the runner thread
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    // Before begin(): how the run starts its threads. Tests make it fail as a system out of
    // threads does.
    void set_thread_starter(ThreadStarter starter);

    void begin();
    // Drives the run for up to max_wait_ms: pumps the transport for async modes, waits for the
    // runner thread otherwise. Returns true once every request has a result.
    bool poll(int max_wait_ms);
    void wait();  // poll until finished
    void cancel();  // thread-safe; what has not finished is recorded as cancelled

    bool finished() const { return finished_.load(); }
    Mode mode() const { return mode_; }
    int workers() const { return workers_; }
    const Workload& workload() const { return workload_; }
    Timeline timeline() const { return recorder_.snapshot(); }
    Summary summary() const;  // final once finished()

private:
    void finish(double end);

    Transport& transport_;
    const Workload workload_;
    const Mode mode_;
    const int workers_;
    std::atomic<bool> stop_{false};
    Recorder recorder_;
    Fetcher fetcher_;

    double run_start_ = 0;
    std::clock_t cpu_start_ = 0;
    double wall_s_ = 0;
    double cpu_s_ = 0;
    bool began_ = false;
    bool aborted_ = false;
    std::atomic<bool> finished_{false};

    std::vector<std::thread> spawned_;  // the thread modes' threads, joined by the runner
    ThreadStarter starter_;
    std::thread runner_;  // not joinable when the system had no thread for it: poll() joins spawned_
    std::atomic<bool> runner_done_{false};
    double runner_end_ = 0;  // written by the runner before runner_done_
};

}  // namespace fetchlab
