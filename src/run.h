#pragma once
// One run: a workload fetched by one mode over one transport, recorded as it happens.
//
// Blocking modes run on a runner thread of their own, so the thread that owns the run (a UI
// thread, the browser's main thread) never blocks on them: the threads and pool modes start their
// threads on the owner thread (cheap, and in a browser far quicker than from another thread) and
// the runner joins them. Async modes run on the thread that calls begin() and poll(), which pumps
// the transport.
//
// A cancel ends the run at the next poll(): what has no result yet is recorded as cancelled then,
// even a request a thread is still blocked in. A browser cannot interrupt a synchronous request, so
// that thread finishes it in the background and its late result is dropped (each request is
// recorded once). What such a thread touches (the workload, the recorder, the transport) lives
// in a block the thread shares, so the Run itself may be gone by then.
#include <atomic>
#include <ctime>
#include <memory>
#include <thread>

#include "fetcher.h"
#include "mode.h"
#include "recorder.h"
#include "summary.h"
#include "transport.h"
#include "workload.h"

namespace fetchlab {

class Run {
public:
    // The run's threads share the transport: once cancelled, the run can be destroyed at once, and
    // a thread still blocked in a fetch keeps the transport alive until that fetch returns.
    Run(std::shared_ptr<Transport> transport, Workload workload, Mode mode, int workers);
    // The caller keeps the transport alive; the destructor waits for the run's threads, so use it
    // only with a transport whose fetch() returns soon after a cancel (libcurl's does).
    Run(Transport& transport, Workload workload, Mode mode, int workers);
    ~Run();  // cancels what is still running
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
    void cancel();  // thread-safe; the next poll() records what has not finished as cancelled

    bool finished() const { return finished_.load(); }
    bool cancelling() const { return stop_requested() && !finished(); }  // cancel() asked, not yet ended
    Mode mode() const { return mode_; }
    int workers() const { return workers_; }
    const Workload& workload() const;
    Timeline timeline() const;
    Summary summary() const;  // final once finished()

private:
    struct Shared;  // what the run's threads touch (see the top of this file)

    bool stop_requested() const;
    void finish(double end);
    void release_threads();  // the destructor's: waits for them, or leaves them to finish alone

    std::shared_ptr<Shared> shared_;
    const Mode mode_;
    const int workers_;
    const bool threads_may_outlive_ = false;  // true when the transport is shared with the threads

    double run_start_ = 0;
    double cpu_start_ = -1;
    double wall_s_ = 0;
    double cpu_s_ = -1;
    bool began_ = false;
    bool aborted_ = false;
    std::atomic<bool> finished_{false};

    ThreadStarter starter_;
    std::thread runner_;  // not joinable when the system had no thread for it: poll() joins the threads
};

}  // namespace fetchlab
