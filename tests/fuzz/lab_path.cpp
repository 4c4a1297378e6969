// The lab's static-file path resolver: whatever it accepts stays inside the web root as text
// (the server then checks symlinks on the real file).
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"
#include "lab_server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string target(reinterpret_cast<const char*>(data), size);
    std::string relative;
    if (!fetchlab::clean_request_path(target, relative)) return 0;
    FUZZ_CHECK(relative.find('\0') == std::string::npos);
    FUZZ_CHECK(relative.find('\\') == std::string::npos);
    // Every segment is a plain name: no empty one (so no leading '/'), no "." and no "..".
    std::size_t start = 0;
    while (!relative.empty() && start <= relative.size()) {
        std::size_t end = relative.find('/', start);
        if (end == std::string::npos) end = relative.size();
        const std::string segment = relative.substr(start, end - start);
        FUZZ_CHECK(!segment.empty() && segment != "." && segment != "..");
        start = end + 1;
    }
    return 0;
}
