#pragma once
// The timeline model: what each request of a run did, as phases on the run's clock, computed
// once and read by every front end that draws a waterfall (no ImGui, no GL here). A phase is
// drawn only where the platform reported it: a browser's synchronous request tells only its
// start and its end, and a failed request is a failure from its start to when it failed.
#include <cstddef>
#include <string>
#include <vector>

#include "recorder.h"
#include "workload.h"

namespace fetchlab {

enum class Phase {
    queued,       // handed to the mode, not yet to the transport (or waiting for a worker)
    stalled,      // started, waiting for a free connection (a browser's cap per origin)
    connecting,   // opening the connection
    waiting,      // asked, waiting for the first byte of the answer
    downloading,  // from the first byte to the end
    unreported,   // on the wire, phases not reported (yet): a blocking request tells only its ends
    failed,       // from its start to when it failed
    cancelled,    // from its start to when the run cancelled it
};

const char* phase_name(Phase phase);  // "waiting for the first byte", ...

struct PhaseSpan {
    Phase phase;
    double from, to;  // seconds since the run's start
};

struct RequestPhases {
    std::vector<PhaseSpan> spans;  // in time order, none empty
    bool begun = false;            // the mode has handed it over
    bool done = false;
    double start = 0, end = 0;     // on the wire: from its start to its end (or "now")
    double stalled_s = 0;          // how long it waited for a free connection; 0 when it did not
    bool phases_reported = false;  // the platform said when it connected or got its first byte
};

// The scheme, host and port of a URL ("http://127.0.0.1:8001"); the whole text when it has none.
std::string origin_of(const std::string& url);

// Which requests of a run really waited for a free connection. A platform that caps connections
// per origin hands a freed connection to the next request at once, so a request waited for one
// when it began to connect as another request to its origin ended; a later connect with no such
// end nearby is the platform's own start-up time (a worker's synchronous request), not a wait.
class ConnectionWaits {
public:
    ConnectionWaits() = default;
    ConnectionWaits(const Timeline& timeline, const Workload& workload);
    bool waited(std::size_t request) const;

private:
    std::vector<bool> waited_;
};

// The phases of one request; `now` (transport clock) bounds a request still in flight.
RequestPhases phases_of(const RequestRecord& record, double run_start, double now, bool waited_for_connection);

}  // namespace fetchlab
