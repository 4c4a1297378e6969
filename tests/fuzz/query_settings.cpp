// The page's query settings, as many "key=value" arguments as the input holds, split at '&'
// (so values can hold any other byte). Every number ends within its bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"
#include "query_settings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using B = fetchlab::SettingBounds;
    const std::string input(reinterpret_cast<const char*>(data), size);
    fetchlab::Settings s;
    std::size_t start = 0;
    while (start <= input.size()) {
        std::size_t end = input.find('&', start);
        if (end == std::string::npos) end = input.size();
        const fetchlab::QueryArgument a = fetchlab::apply_query_argument(s, input.substr(start, end - start));
        start = end + 1;
        // Printed on the page's console: short, and no control bytes from the URL.
        FUZZ_CHECK(a.problem.size() < 300);
        for (unsigned char c : a.problem) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
    }
    FUZZ_CHECK(s.n >= B::n_min && s.n <= B::n_max);
    FUZZ_CHECK(s.latency_ms >= B::latency_min && s.latency_ms <= B::latency_max);
    FUZZ_CHECK(s.workers >= B::workers_min && s.workers <= B::workers_max);
    FUZZ_CHECK(s.origins >= B::origins_min && s.origins <= B::origins_max);
    FUZZ_CHECK(s.timeout_ms >= B::timeout_min && s.timeout_ms <= B::timeout_max);
    return 0;
}
