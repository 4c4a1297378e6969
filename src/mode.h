#pragma once
// The ways a run can fetch its requests.
#include <optional>
#include <string>
#include <vector>

namespace fetchlab {

enum class Mode {
    sequential,  // one after another on one thread
    threads,     // one thread per request
    async,       // all started at once from one thread, completions by callback
    pool,        // K worker threads sharing a queue
    bounded,     // async with at most K in flight
};

const std::vector<Mode>& all_modes();
const char* mode_name(Mode mode);
std::optional<Mode> parse_mode(const std::string& name);

// Blocking modes call Transport::fetch on threads of their own; the others drive
// Transport::start from the thread that pumps the transport.
bool mode_is_blocking(Mode mode);
bool mode_uses_workers(Mode mode);  // pool and bounded take K

// How many requests the mode runs at once: 1, n, or K.
std::size_t mode_concurrency(Mode mode, std::size_t n, int workers);

// "thread 3", "worker 2", "event loop": what ran a request, for tables and waterfalls.
std::string lane_label(Mode mode, int lane);

}  // namespace fetchlab
