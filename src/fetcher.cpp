#include "fetcher.h"

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

void Fetcher::fail(std::size_t i, ErrorKind kind, const std::string& message) {
    recorder_.finish(i, failed_before_start(kind, message, transport_.now()));
}

}  // namespace fetchlab
