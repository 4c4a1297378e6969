#include "mode.h"

#include <algorithm>

namespace fetchlab {

const std::vector<Mode>& all_modes() {
    static const std::vector<Mode> modes = {Mode::sequential, Mode::threads, Mode::async, Mode::pool,
                                            Mode::bounded};
    return modes;
}

const char* mode_name(Mode mode) {
    switch (mode) {
    case Mode::sequential: return "sequential";
    case Mode::threads: return "threads";
    case Mode::async: return "async";
    case Mode::pool: return "pool";
    case Mode::bounded: return "bounded";
    }
    return "unknown";
}

std::optional<Mode> parse_mode(const std::string& name) {
    for (Mode m : all_modes())
        if (name == mode_name(m)) return m;
    return std::nullopt;
}

bool mode_is_blocking(Mode mode) {
    return mode == Mode::sequential || mode == Mode::threads || mode == Mode::pool;
}

bool mode_uses_workers(Mode mode) { return mode == Mode::pool || mode == Mode::bounded; }

std::size_t mode_concurrency(Mode mode, std::size_t n, int workers) {
    switch (mode) {
    case Mode::sequential: return n == 0 ? 0 : 1;
    case Mode::threads:
    case Mode::async: return n;
    case Mode::pool:
    case Mode::bounded: return std::min<std::size_t>(n, static_cast<std::size_t>(std::max(workers, 1)));
    }
    return 1;
}

std::string lane_label(Mode mode, int lane) {
    switch (mode) {
    case Mode::sequential: return "thread";
    case Mode::threads: return "thread " + std::to_string(lane + 1);
    case Mode::pool: return "worker " + std::to_string(lane + 1);
    case Mode::async:
    case Mode::bounded: return "event loop";
    }
    return "?";
}

}  // namespace fetchlab
