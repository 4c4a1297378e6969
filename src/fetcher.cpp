#include "fetcher.h"

#include <cstdio>

namespace fetchlab {

Fetcher::Fetcher(const Workload& workload, Transport& transport, Recorder& recorder,
                 const std::atomic<bool>& stop)
    : workload_(workload), transport_(transport), recorder_(recorder), stop_(stop) {}

// A URL that is no absolute http(s) one ends here as bad url, whatever the platform: a browser
// would resolve it against the page and report what the page's server says about it.
bool Fetcher::refuse_bad_url(std::size_t i, int lane) {
    const Request& request = workload_.requests[i];
    if (request.url_problem.empty()) return false;
    const double now = transport_.now();
    recorder_.begin(i, lane, now);
    Result result = failed_before_start(ErrorKind::bad_url, request.url_problem, now);
    result.started = now;
    recorder_.finish(i, std::move(result));
    return true;
}

void Fetcher::fetch(std::size_t i, int lane) {
    if (stopped() || refuse_bad_url(i, lane)) return;
    recorder_.begin(i, lane, transport_.now());
    recorder_.finish(i, transport_.fetch(workload_.requests[i], stop_));
}

bool Fetcher::start(std::size_t i, int lane, std::function<void()> then) {
    if (stopped() || refuse_bad_url(i, lane)) return false;
    recorder_.begin(i, lane, transport_.now());
    transport_.start(workload_.requests[i], [this, i, then = std::move(then)](Result result) {
        recorder_.finish(i, std::move(result));
        if (then) then();
    });
    return true;
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
