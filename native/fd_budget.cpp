#include "fd_budget.h"

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace fetchlab {

// The transport's own, per run: its epoll descriptor and its multi handle's wakeup pair.
static constexpr std::size_t per_run_fds = 3;

std::size_t fds_per_request(Mode mode, bool embedded_lab) {
    return (mode_is_blocking(mode) ? 3 : 1) + (embedded_lab ? 1 : 0);
}

std::size_t fds_needed(Mode mode, std::size_t n, int workers, bool embedded_lab) {
    return per_run_fds + mode_concurrency(mode, n, workers) * fds_per_request(mode, embedded_lab);
}

FdBudget fd_budget(const std::vector<Mode>& modes, std::size_t n, int workers, bool embedded_lab,
                   std::size_t open_now, std::size_t limit) {
    FdBudget b;
    b.limit = limit;
    b.embedded_lab = embedded_lab;
    for (Mode mode : modes) {
        const std::size_t needed = open_now + fds_needed(mode, n, workers, embedded_lab);
        if (needed > b.needed) {
            b.needed = needed;
            b.hungriest = mode;
        }
    }
    return b;
}

std::string fd_budget_message(const FdBudget& b, std::size_t n) {
    if (!b.tight()) return {};
    const std::string what = std::string(mode_name(b.hungriest)) + " mode with " + std::to_string(n) +
                             " requests needs " + std::to_string(b.needed) + " file descriptors";
    if (!b.fits())
        return what + ", more than the limit of " + std::to_string(b.limit) +
               " (ulimit -n): use fewer requests or a mode with K" +
               (b.embedded_lab ? ", or `fetchlab serve` in another process and --server" : "");
    return "warning: " + what + ", " + std::to_string(static_cast<int>(100.0 * b.needed / b.limit)) + " % of the limit of " +
           std::to_string(b.limit) + " (ulimit -n)";
}

bool fd_budget_allows(const char* command, const std::vector<Mode>& modes, std::size_t n, int workers,
                      bool embedded_lab) {
    const FdBudget budget = fd_budget(modes, n, workers, embedded_lab, open_fd_count(), open_fd_limit());
    const std::string message = fd_budget_message(budget, n);
    if (!message.empty()) std::fprintf(stderr, "%s: %s\n", command, message.c_str());
    return budget.fits();
}

std::size_t open_fd_count() {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return 0;
    std::size_t count = 0;
    while (dirent* entry = readdir(dir))
        if (entry->d_name[0] != '.') ++count;
    closedir(dir);
    return count > 0 ? count - 1 : 0;  // less the one opendir itself holds
}

std::size_t open_fd_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
    return static_cast<std::size_t>(lim.rlim_cur);
}

}  // namespace fetchlab
