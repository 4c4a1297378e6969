#pragma once
// The settings vocabulary of the page's query string ("?mode=all&preset=lab&n=10&latency=200
// &origins=2&workers=4&autorun=1"), one "key=value" at a time. Anyone can type a URL, so nothing
// here throws: a bad argument leaves its setting as it was and says why in one line.
#include <string>

#include "experiment.h"

namespace fetchlab {

// The bounds of each number the panel's sliders and the page's query may set (the CLI, with no
// frame to draw, allows larger runs).
struct SettingBounds {
    static constexpr long n_min = 1, n_max = 10000;
    static constexpr long latency_min = 0, latency_max = 10000;  // ms
    static constexpr long workers_min = 1, workers_max = 256;
    static constexpr long origins_min = 1, origins_max = 64;     // the lab listens on at most 64 ports
    static constexpr long timeout_min = 1, timeout_max = 600000; // ms
    static constexpr long body_kb_min = 1, body_kb_max = 64 * 1024; // the body-size cap, KB
};

struct QueryArgument {
    bool autorun = false;  // "autorun=1": start the run once the page is ready
    std::string problem;   // "" when applied as given; else what was refused or clamped, and why
};

// Applies one "key=value" to `settings`. An unknown key or a value that is not valid changes
// nothing; a number out of its bounds is clamped to them, and `problem` says so.
QueryArgument apply_query_argument(Settings& settings, const std::string& argument);

}  // namespace fetchlab
