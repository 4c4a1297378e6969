#include "fake_transport.h"

#include <algorithm>
#include <chrono>
#include <string>

namespace fetchlab::testing {

Workload fake_workload(const std::vector<double>& delays) {
    Workload w;
    w.name = "fake";
    for (std::size_t i = 0; i < delays.size(); ++i)
        w.requests.push_back({"fake://host/" + std::to_string(i), "r" + std::to_string(i), delays[i]});
    return w;
}

void FakeTransport::expect_blocking(std::size_t concurrency, std::size_t n) {
    std::lock_guard<std::mutex> lock(mutex_);
    concurrency_ = concurrency;
    total_ = n;
    completed_ = 0;
}

Result FakeTransport::answer(const Request& request, double started, double end) const {
    Result r;
    r.started = started;
    r.connected = started;
    r.first_byte = end;
    r.done = end;
    r.status = request.url.find("status=500") != std::string::npos ? 500 : 200;
    r.bytes = 100;
    classify_http_status(r);
    return r;
}

void FakeTransport::advance_if_all_waiting() {
    // Wake-ups are counted here, not by the woken threads, so the next check already sees them gone.
    // A woken pool worker will come back to wait again; a woken thread of its own will not.
    // After a stall, whoever is waiting is all there is.
    while (!sleepers_.empty() && (!stall_.empty() || sleepers_.size() >= std::min(concurrency_, total_ - completed_))) {
        now_ = *sleepers_.begin();
        last_progress_ = std::chrono::steady_clock::now();
        while (!sleepers_.empty() && *sleepers_.begin() <= now_) {
            sleepers_.erase(sleepers_.begin());
            ++completed_;
        }
        woken_.notify_all();
    }
}

Result FakeTransport::fetch(const Request& request, const std::atomic<bool>& stop) {
    std::unique_lock<std::mutex> lock(mutex_);
    const double started = now_;
    const double end = started + request.expected_s;
    sleepers_.insert(end);
    last_progress_ = std::chrono::steady_clock::now();
    advance_if_all_waiting();
    while (now_ < end) {
        const auto waited = std::chrono::steady_clock::now() - last_progress_;
        if (stall_.empty() && waited > patience) {
            stall_ = "expected " + std::to_string(std::min(concurrency_, total_ - completed_)) +
                     " blocking fetches at once, but after " +
                     std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()) +
                     " ms of real time only " + std::to_string(sleepers_.size()) + " were waiting (" +
                     std::to_string(completed_) + " of " + std::to_string(total_) + " done)";
            advance_if_all_waiting();
            continue;
        }
        if (!ignores_stop && stop.load()) {
            sleepers_.erase(sleepers_.find(end));
            Result r = failed_before_start(ErrorKind::cancelled, "cancelled", now_);
            r.started = started;
            return r;
        }
        woken_.wait_for(lock, std::chrono::milliseconds(1));
    }
    for (++held_; holding_;) woken_.wait_for(lock, std::chrono::milliseconds(1));
    --held_;
    ++returned_;
    const std::size_t completed = completed_;
    Result r = answer(request, started, end);
    lock.unlock();
    if (after_blocking_fetch) after_blocking_fetch(completed);
    return r;
}

void FakeTransport::start(const Request& request, Done done) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back({now_ + request.expected_s, request, now_, std::move(done)});
    max_async_in_flight_ = std::max(max_async_in_flight_, pending_.size());
}

int FakeTransport::pump(int) {
    std::vector<Pending> due;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (pending_.empty()) return 0;
        // Deliver what is due in order of end time; the rest stays pending. Aborted ones are due now.
        std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) { return a.end < b.end; });
        const bool any_aborted = std::any_of(pending_.begin(), pending_.end(), [](const Pending& p) { return p.aborted; });
        if (!any_aborted) now_ = std::max(now_, pending_.front().end);
        auto split = std::stable_partition(pending_.begin(), pending_.end(),
                                           [this](const Pending& p) { return p.aborted || p.end <= now_; });
        due.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(split));
        pending_.erase(pending_.begin(), split);
    }
    for (Pending& p : due) {
        Result r;
        if (p.aborted) {
            r = failed_before_start(ErrorKind::cancelled, "cancelled", now());
            r.started = p.started;
        } else {
            r = answer(p.request, p.started, p.end);
        }
        p.done(std::move(r));  // may start more requests
    }
    return static_cast<int>(due.size());
}

void FakeTransport::abort_started() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Pending& p : pending_) p.aborted = true;
}

void FakeTransport::hold() {
    std::lock_guard<std::mutex> lock(mutex_);
    holding_ = true;
}

void FakeTransport::release() {
    std::lock_guard<std::mutex> lock(mutex_);
    holding_ = false;
    woken_.notify_all();
}

std::size_t FakeTransport::held() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return held_;
}

std::size_t FakeTransport::returned() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return returned_;
}

std::string FakeTransport::stall() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stall_;
}

double FakeTransport::now() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return now_;
}

}  // namespace fetchlab::testing
