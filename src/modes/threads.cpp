#include "modes.h"

#include <exception>

namespace fetchlab {

// One thread per request, all joined at the end: the wall time is the slowest request,
// plus what it costs to start that many threads.
std::vector<std::thread> start_threads(Fetcher& fetcher) {
    std::vector<std::thread> threads;
    try {
        threads.reserve(fetcher.size());  // up front, so a thread once started always has its place
        for (std::size_t i = 0; i < fetcher.size(); ++i)
            threads.push_back(fetcher.start_thread([&fetcher, i] { fetcher.fetch(i, static_cast<int>(i)); }));
    } catch (const std::exception& e) {
        // The system has a limit on threads: the requests started run on, the rest fail with the
        // reason instead of vanishing.
        fetcher.fail_from(threads.size(), ErrorKind::no_thread, "could not start a thread", e.what());
    }
    return threads;
}

}  // namespace fetchlab
