#include "modes.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <system_error>

namespace fetchlab {

// K workers take the next request from a shared queue (Python's ThreadPoolExecutor): the wall
// time is about the sum of the latencies spread over K lanes.
std::vector<std::thread> start_pool(Fetcher& fetcher, int workers) {
    auto next = std::make_shared<std::atomic<std::size_t>>(0);  // the queue: the next request's index
    auto work = [&fetcher, next](int lane) {
        for (std::size_t i; (i = next->fetch_add(1)) < fetcher.size();) fetcher.fetch(i, lane);
    };
    std::vector<std::thread> threads;
    const int k = std::max(1, std::min<int>(workers, static_cast<int>(fetcher.size())));
    for (int lane = 0; lane < k; ++lane) {
        try {
            threads.emplace_back(work, lane);
        } catch (const std::system_error& e) {
            if (!threads.empty()) break;  // fewer workers than asked: the ones started drain the queue
            for (std::size_t i = 0; i < fetcher.size(); ++i)
                fetcher.fail(i, ErrorKind::no_thread, std::string("could not start a worker thread: ") + e.what());
        }
    }
    return threads;
}

}  // namespace fetchlab
