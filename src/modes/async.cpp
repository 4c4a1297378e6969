#include "modes.h"

namespace fetchlab {

// Every request started at once from one thread; the event loop delivers each completion to
// a callback: the wall time is the slowest request, with no thread per request.
void start_async(Fetcher& fetcher) {
    for (std::size_t i = 0; i < fetcher.size(); ++i) fetcher.start(i, 0);
}

}  // namespace fetchlab
