#pragma once
// The lab's injected faults (GET /delay's fault= and fail=): what each one writes on the wire,
// which answers fail=P picks, and how many of each the lab injected.
#include "lab_server.h"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/span_body.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace fetchlab {

// "reset, close, hang, trickle, garbage, truncate": the names fault= takes, for a 400's reason.
extern const char* const kFaultNames;

bool parse_fault_name(const std::string& name, Fault& out);

// The checks that span parameters: rate only with fault=trickle, and the default body size of
// the faults that need a body to spoil. Sets `error` and returns false on a bad combination.
bool check_fault_params(bool rate_given, DelayParams& params, std::string& error);

// What one answer to /delay injects, decided when the request arrives.
struct FaultPlan {
    Fault fault = Fault::none;
    bool fail = false;  // a plain 500 instead of the answer asked for (and then no fault)
    long bytes = 0;
    long rate = 0;
};

// Picks fail=P's answers from the id, so a rerun of the same URLs fails the same requests:
// any 100 consecutive numeric ids hold exactly P failures, spread out. Without an id the
// lab's `counter` (advanced here) stands in for it.
FaultPlan plan_faults(const DelayParams& params, std::uint64_t& counter);

class FaultCounters {
public:
    void count(const FaultPlan& plan);  // once per answer, when it is written
    FaultCounts snapshot() const;

private:
    std::atomic<std::uint64_t> fail_{0};
    std::atomic<std::uint64_t> by_fault_[7]{};  // indexed by Fault
};

// {"reset": n, ..., "fail": n}, for /lab.
std::string fault_counts_json(const FaultCounts& counts);

using LabResponse = boost::beast::http::response<boost::beast::http::span_body<const char>>;

// Writes `res` on `stream` spoiled as plan.fault says. `done` runs once the fault is over (the
// connection must then be dropped), or never if the io_context stops first.
void write_fault(const FaultPlan& plan, boost::beast::tcp_stream& stream, LabResponse& res,
                 std::function<void()> done);

}  // namespace fetchlab
