// What each mode needs in file descriptors, checked before a run against the process's limit.
#include <doctest/doctest.h>

#include "fd_budget.h"

using namespace fetchlab;

TEST_CASE("fd budget: a blocking request costs 3 descriptors, an async one 1, the embedded lab 1 more") {
    CHECK(fds_per_request(Mode::threads, false) == 3);
    CHECK(fds_per_request(Mode::threads, true) == 4);
    CHECK(fds_per_request(Mode::sequential, true) == 4);
    CHECK(fds_per_request(Mode::pool, false) == 3);
    CHECK(fds_per_request(Mode::async, false) == 1);
    CHECK(fds_per_request(Mode::bounded, true) == 2);
}

TEST_CASE("fd budget: a mode's peak follows how many requests it runs at once") {
    const std::size_t per_run = fds_needed(Mode::sequential, 1, 1, false) - 3;
    CHECK(fds_needed(Mode::sequential, 10000, 4, true) == per_run + 4);
    CHECK(fds_needed(Mode::threads, 10000, 4, true) == per_run + 40000);
    CHECK(fds_needed(Mode::async, 10000, 4, true) == per_run + 20000);
    CHECK(fds_needed(Mode::pool, 10000, 50, false) == per_run + 150);
    CHECK(fds_needed(Mode::bounded, 10000, 50, true) == per_run + 100);
    CHECK(fds_needed(Mode::pool, 3, 50, false) == per_run + 9);  // no more workers than requests
}

TEST_CASE("fd budget: the issue's run (threads, 10,000 requests, embedded lab) is refused at 20,000") {
    const FdBudget b = fd_budget(all_modes(), 10000, 4, true, 10, 20000);
    CHECK(b.hungriest == Mode::threads);
    CHECK(b.needed == 10 + fds_needed(Mode::threads, 10000, 4, true));
    CHECK_FALSE(b.fits());
    const std::string message = fd_budget_message(b, 10000);
    CHECK(message.find("threads mode with 10000 requests needs " + std::to_string(b.needed)) != std::string::npos);
    CHECK(message.find("limit of 20000") != std::string::npos);
    CHECK(message.find("fetchlab serve") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);

    // Without the embedded lab there is no second process to suggest.
    CHECK(fd_budget_message(fd_budget({Mode::threads}, 10000, 4, false, 10, 20000), 10000).find("serve") ==
          std::string::npos);
}

TEST_CASE("fd budget: a warning above 80 % of the limit, silence below") {
    const FdBudget tight = fd_budget({Mode::async}, 9000, 4, true, 10, 20000);  // about 18,013
    CHECK(tight.fits());
    CHECK(tight.tight());
    CHECK(fd_budget_message(tight, 9000).rfind("warning: async mode with 9000 requests needs", 0) == 0);
    CHECK(fd_budget_message(tight, 9000).find("90 % of the limit of 20000") != std::string::npos);

    const FdBudget roomy = fd_budget({Mode::async}, 7000, 4, true, 10, 20000);  // about 14,013
    CHECK(roomy.fits());
    CHECK_FALSE(roomy.tight());
    CHECK(fd_budget_message(roomy, 7000).empty());
}

TEST_CASE("fd budget: an unlimited process fits anything") {
    const FdBudget b = fd_budget(all_modes(), 100000, 4, true, 10, SIZE_MAX);
    CHECK(b.fits());
    CHECK_FALSE(b.tight());
}

TEST_CASE("fd budget: this process's count and limit are read") {
    CHECK(open_fd_count() >= 3);  // stdin, stdout, stderr
    CHECK(open_fd_limit() >= open_fd_count());
}
