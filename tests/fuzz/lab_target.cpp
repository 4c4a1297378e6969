// The lab's request target, split as the server splits it: the path through the resolver and
// the query through GET /delay's parser. An accepted query is always within the stated bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"
#include "lab_server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string target(reinterpret_cast<const char*>(data), size);
    const std::size_t q = target.find('?');
    const std::string path = target.substr(0, q);
    const std::string query = q == std::string::npos ? "" : target.substr(q + 1);

    fetchlab::DelayParams p;
    std::string error;
    if (fetchlab::parse_delay_query(query, p, error)) {
        FUZZ_CHECK(p.ms >= 0 && p.ms <= 60000);
        FUZZ_CHECK(p.bytes >= 0 && p.bytes <= 16L * 1024 * 1024);
        FUZZ_CHECK(p.status >= 200 && p.status <= 599);
        FUZZ_CHECK(p.jitter_ms >= 0 && p.jitter_ms <= 60000);
        FUZZ_CHECK(p.rate >= 1 && p.rate <= 16L * 1024 * 1024);
        FUZZ_CHECK(p.fail_percent >= 0 && p.fail_percent <= 100);
        FUZZ_CHECK(p.id.size() <= 32);
    } else {
        // The reason goes back in a reply: there is one, and a hostile query cannot make it long.
        FUZZ_CHECK(!error.empty() && error.size() < 200);
    }
    std::string relative;
    fetchlab::clean_request_path(path, relative);
    return 0;
}
