#include "fetcher.h"

#include <cstdio>

namespace fetchlab {

Fetcher::Fetcher(const Workload& workload, Transport& transport, Recorder& recorder,
                 const std::atomic<bool>& stop)
    : workload_(workload), transport_(transport), recorder_(recorder), stop_(stop) {}

void Fetcher::fetch(std::size_t i, int lane) {
    if (stopped()) return;
    recorder_.begin(i, lane, transport_.now());
    recorder_.finish(i, transport_.fetch(workload_.requests[i], stop_));
}

void Fetcher::start(std::size_t i, int lane, std::function<void()> then) {
    if (stopped()) return;
    recorder_.begin(i, lane, transport_.now());
    transport_.start(workload_.requests[i], [this, i, then = std::move(then)](Result result) {
        recorder_.finish(i, std::move(result));
        if (then) then();
    });
}

void Fetcher::fail_from(std::size_t first, ErrorKind kind, const char* context, const char* reason) noexcept {
    char message[256];  // on the stack: nothing here may need memory the system may not have
    std::snprintf(message, sizeof message, "%s: %s", context, reason);
    const double now = transport_.now();
    for (std::size_t i = first; i < workload_.size(); ++i) recorder_.fail(i, kind, message, now);
}

std::thread Fetcher::start_thread(std::function<void()> body) {
    threads_running_.fetch_add(1);
    try {
        auto counted = [this, body = std::move(body)] {
            body();
            threads_running_.fetch_sub(1, std::memory_order_release);
        };
        return starter_ ? starter_(std::move(counted)) : std::thread(std::move(counted));
    } catch (...) {
        threads_running_.fetch_sub(1);
        throw;
    }
}

}  // namespace fetchlab
