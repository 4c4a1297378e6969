#include "modes.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace fetchlab {

// K workers take the next request from a shared queue (Python's ThreadPoolExecutor): the wall
// time is about the sum of the latencies spread over K lanes.
void run_pool(Fetcher& fetcher, int workers) {
    std::atomic<std::size_t> next{0};
    auto work = [&fetcher, &next](int lane) {
        for (std::size_t i; (i = next.fetch_add(1)) < fetcher.size();) fetcher.fetch(i, lane);
    };
    std::vector<std::thread> threads;
    const int k = std::max(1, std::min<int>(workers, static_cast<int>(fetcher.size())));
    for (int lane = 0; lane < k; ++lane) {
        try {
            threads.emplace_back(work, lane);
        } catch (const std::system_error&) {
            break;  // fewer workers than asked: the ones that started drain the queue
        }
    }
    if (threads.empty()) work(0);  // not even one worker: this thread does the work
    for (std::thread& t : threads) t.join();
}

}  // namespace fetchlab
