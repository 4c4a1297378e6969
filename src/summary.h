#pragma once
// The figures that sum up a run: how long it took against how long it had to take.
#include <cstddef>
#include <string>
#include <utility>
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
    std::size_t errors = 0;          // every request that did not succeed: failed + cancelled
    std::size_t failed = 0;          // ended in an error of its own (cancelled not included)
    std::size_t cancelled = 0;       // cut short by the run's cancel
    std::size_t peak_in_flight = 0;  // the most requests started and not yet done at once
    long peak_on_wire = -1;          // the most on the wire at once (see on_wire_since); -1 where
                                     // the platform told no request's connection times
};

// The wall time of the best schedule the mode allows: the requests in order over `lanes`
// parallel lanes, each taking the next request as soon as it is free. With one lane that is
// the sum of the durations; with a lane per request, the slowest one.
double ideal_wall(const std::vector<double>& durations, std::size_t lanes);

// Each request's duration for ideal_wall: the lab's stated delay when known, else what was measured.
std::vector<double> request_durations(const Workload& workload, const Timeline& timeline);

// When request `r` went on the wire: when it began to connect, else when its connection was
// ready; -1 where the platform cannot tell. Before that a browser may hold it back for a free
// connection, so "started" counts more than were really being fetched.
double on_wire_since(const Result& r);

// When request `r` was off the wire again, for counting how many were on it at once: its end,
// but no more than 100 ms past its first byte. A browser stamps the end when its event loop gets
// to the callback, up to a busy frame late, while the next request on that connection is timed
// by the browser itself; a late stamp must not count both at once.
double off_wire_at(const Result& r);

// The most of `spans` (from, to) that overlap at one moment: one ending as another begins do not.
std::size_t most_at_once(std::vector<std::pair<double, double>> spans);

// The most requests on the wire at once, each from on_wire_since() to off_wire_at(); -1 when no
// request tells when it went on the wire.
long peak_on_wire(const Timeline& timeline);

Summary summarize(Mode mode, int workers, const Workload& workload, const Timeline& timeline,
                  double wall_s, double cpu_s);

// How many times faster than `baseline_wall_s`; 0 when either is unknown.
double speedup(double baseline_wall_s, double wall_s);

// A run with a failed or cancelled request did less than the others: its wall time is no result
// to compare, so it gets no speedup and is never the fastest.
inline bool comparable(const Summary& s) { return s.n > 0 && s.errors == 0; }
// speedup() for a run: 0 when the run is not comparable.
double speedup_of(const Summary& s, double baseline_wall_s);

// How the CLI and the lesson write their figures, so every front end says the same thing:
// "1.31 s", "12 ms", "0.4 ms" ("-" when negative: not known); a ratio as "1.02" and a speedup as
// "7.9x" ("139x" from 99.5), each "-" when zero or less (not known, or not comparable).
std::string seconds_text(double s);
std::string ratio_text(double x);
std::string speedup_text(double x);

}  // namespace fetchlab
