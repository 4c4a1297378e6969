#pragma once
// The figures that sum up a run: how long it took against how long it had to take.
#include <cstddef>
#include <vector>

#include "mode.h"
#include "recorder.h"
#include "workload.h"

namespace fetchlab {

struct Summary {
    Mode mode = Mode::sequential;
    int workers = 0;                 // K for pool and bounded, else 0
    std::size_t n = 0;
    double wall_s = 0;               // from the run's start to its last request's end
    double ideal_s = 0;              // what the mode could take at best (see ideal_wall)
    double cpu_s = 0;                // process CPU time spent during the run; negative when unknown
    std::size_t ok = 0;
    std::size_t errors = 0;          // every failure, cancelled included
    std::size_t cancelled = 0;
    std::size_t peak_in_flight = 0;
};

// The wall time of the best schedule the mode allows: the requests in order over `lanes`
// parallel lanes, each taking the next request as soon as it is free. With one lane that is
// the sum of the durations; with a lane per request, the slowest one.
double ideal_wall(const std::vector<double>& durations, std::size_t lanes);

// Each request's duration for ideal_wall: the lab's stated delay when known, else what was measured.
std::vector<double> request_durations(const Workload& workload, const Timeline& timeline);

Summary summarize(Mode mode, int workers, const Workload& workload, const Timeline& timeline,
                  double wall_s, double cpu_s);

// How many times faster than `baseline_wall_s`; 0 when either is unknown.
double speedup(double baseline_wall_s, double wall_s);

// A run with a failed or cancelled request did less than the others: its wall time is no result
// to compare, so it gets no speedup and is never the fastest.
inline bool comparable(const Summary& s) { return s.n > 0 && s.errors == 0; }
// speedup() for a run: 0 when the run is not comparable.
double speedup_of(const Summary& s, double baseline_wall_s);

}  // namespace fetchlab
