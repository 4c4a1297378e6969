#include "modes.h"

namespace fetchlab {

// One after another on one thread: the wall time is the sum of all the latencies.
void run_sequential(Fetcher& fetcher) {
    for (std::size_t i = 0; i < fetcher.size(); ++i) fetcher.fetch(i, 0);
}

}  // namespace fetchlab
