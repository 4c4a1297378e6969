#pragma once
// File descriptors: what a run needs at its peak against what the process may open. A run that
// cannot fit is refused before it starts, with both numbers, instead of failing a third of its
// requests halfway through.
#include <cstddef>
#include <string>
#include <vector>

#include "mode.h"

namespace fetchlab {

// Descriptors that one request in flight holds in this process.
// A blocking fetch: its socket, and the wakeup socket pair that libcurl 7.88 gives the internal
// multi handle of every easy handle (there is no option to turn it off). An async fetch: its socket
// only, on the transport's one multi handle. The embedded lab: one more, its end of the connection.
std::size_t fds_per_request(Mode mode, bool embedded_lab);

// A mode's peak over n requests with K workers, on top of what is open before it starts.
std::size_t fds_needed(Mode mode, std::size_t n, int workers, bool embedded_lab);

// What a run of every one of `modes` needs: the largest, as they run one after another.
struct FdBudget {
    std::size_t needed = 0;  // at the peak of the hungriest mode, with what is open already
    std::size_t limit = 0;   // RLIMIT_NOFILE's soft limit
    Mode hungriest = Mode::sequential;
    bool embedded_lab = false;
    bool fits() const { return needed <= limit; }
    bool tight() const { return needed > limit / 5 * 4; }  // above 80 % of the limit
};
FdBudget fd_budget(const std::vector<Mode>& modes, std::size_t n, int workers, bool embedded_lab,
                   std::size_t open_now, std::size_t limit);

// The one line to print for a budget that does not fit, or fits with little to spare; empty otherwise.
std::string fd_budget_message(const FdBudget& budget, std::size_t n);

// Checks a run of `modes` against this process's limit before it starts: prints the refusal or
// the warning on stderr, prefixed with `command`, and says whether to go on.
bool fd_budget_allows(const char* command, const std::vector<Mode>& modes, std::size_t n, int workers,
                      bool embedded_lab);

// This process's descriptors: how many are open, and the soft limit.
std::size_t open_fd_count();
std::size_t open_fd_limit();

}  // namespace fetchlab
