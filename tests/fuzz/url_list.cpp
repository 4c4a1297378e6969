// The URL-list parser (a file for `fetchlab run --urls`, the panel's list): any bytes at all.
// It may refuse a list with an exception and a reason; only a crash or a broken property counts.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "check.h"
#include "workload.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        for (const std::string& url : fetchlab::parse_url_list(text)) {
            FUZZ_CHECK(!url.empty());
            FUZZ_CHECK(url.find('\n') == std::string::npos);
            FUZZ_CHECK(url.front() != ' ' && url.back() != ' ');
        }
        fetchlab::url_workload(fetchlab::parse_url_list(text));
    } catch (const std::exception& e) {
        FUZZ_CHECK(e.what()[0] != '\0');
    }
    return 0;
}
