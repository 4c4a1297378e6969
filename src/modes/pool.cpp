#include "modes.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>

namespace fetchlab {

// K workers take the next request from a shared queue (Python's ThreadPoolExecutor): the wall
// time is about the sum of the latencies spread over K lanes.
std::vector<std::thread> start_pool(Fetcher& fetcher, int workers) {
    std::shared_ptr<std::atomic<std::size_t>> next;  // the queue: the next request's index
    std::vector<std::thread> threads;
    const int k = std::max(1, std::min<int>(workers, static_cast<int>(fetcher.size())));
    try {
        next = std::make_shared<std::atomic<std::size_t>>(0);
        threads.reserve(k);
        for (int lane = 0; lane < k; ++lane)
            threads.push_back(fetcher.start_thread([&fetcher, next, lane] {
                for (std::size_t i; (i = next->fetch_add(1)) < fetcher.size();) fetcher.fetch(i, lane);
            }));
    } catch (const std::exception& e) {
        // Fewer workers than asked: the ones started drain the queue. None at all: every request
        // fails with the reason.
        if (threads.empty()) fetcher.fail_from(0, ErrorKind::no_thread, "could not start a worker thread", e.what());
    }
    return threads;
}

}  // namespace fetchlab
