#include "interrupts.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "run.h"

namespace fetchlab::cli {

static sigset_t stop_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    return signals;
}

void block_stop_signals() {
    const sigset_t signals = stop_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int wait_for_stop_signal() {
    const sigset_t signals = stop_signals();
    int received = 0;
    while (sigwait(&signals, &received) != 0) {
    }
    return received;
}

Interrupts::Interrupts() : waiter_([this] { wait_for_signals(); }) {}

Interrupts::~Interrupts() {
    closing_.store(true);
    pthread_kill(waiter_.native_handle(), SIGTERM);  // to the waiter alone, which takes it in sigwait()
    waiter_.join();
}

void Interrupts::watch(Run* run) {
    std::lock_guard<std::mutex> lock(mutex_);
    run_ = run;
    if (run_ && requested_.load()) run_->cancel();
}

void Interrupts::wait_for_signals() {
    const sigset_t signals = stop_signals();
    for (;;) {
        int received = 0;
        if (sigwait(&signals, &received) != 0 || closing_.load()) return;
        if (requested_.exchange(true)) {
            // The second one: whoever sent it means it. Die of it, as without us.
            signal(received, SIG_DFL);
            pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
            raise(received);
            return;
        }
        std::fprintf(stderr, "\nfetchlab: %s: stopping, reporting what finished (again to quit at once)\n",
                     received == SIGINT ? "interrupted" : "terminated");
        std::lock_guard<std::mutex> lock(mutex_);
        if (run_) run_->cancel();
    }
}

}  // namespace fetchlab::cli
