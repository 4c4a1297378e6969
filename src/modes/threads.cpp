#include "modes.h"

#include <system_error>

namespace fetchlab {

// One thread per request, all joined at the end: the wall time is the slowest request,
// plus what it costs to start that many threads.
std::vector<std::thread> start_threads(Fetcher& fetcher) {
    std::vector<std::thread> threads;
    threads.reserve(fetcher.size());
    for (std::size_t i = 0; i < fetcher.size(); ++i) {
        try {
            threads.emplace_back([&fetcher, i] { fetcher.fetch(i, static_cast<int>(i)); });
        } catch (const std::system_error& e) {
            // The system has a limit on threads; the request fails with the reason instead of vanishing.
            fetcher.fail(i, ErrorKind::no_thread, std::string("could not start a thread: ") + e.what());
        }
    }
    return threads;
}

}  // namespace fetchlab
