#include "workload.h"

#include <sstream>
#include <stdexcept>

namespace fetchlab {

const std::vector<int>& seed_delays_ms() {
    static const std::vector<int> delays = {620, 1300, 850, 970, 740, 1120, 580, 1050, 910, 880, 1230};
    return delays;
}

static const std::string& origin_for(const std::vector<std::string>& origins, std::size_t i) {
    if (origins.empty()) throw std::invalid_argument("a preset needs at least one origin");
    return origins[i % origins.size()];
}

Workload seed_workload(const std::vector<std::string>& origins) {
    Workload w;
    w.name = "seed";
    const auto& delays = seed_delays_ms();
    for (std::size_t i = 0; i < delays.size(); ++i) {
        const std::string page = std::to_string(i + 1);
        w.requests.push_back({origin_for(origins, i) + "/seed/" + page, "page " + page, delays[i] / 1000.0});
    }
    return w;
}

Workload lab_workload(const std::vector<std::string>& origins, int n, int latency_ms, long bytes) {
    Workload w;
    w.name = "lab " + std::to_string(n) + " x " + std::to_string(latency_ms) + " ms";
    for (int i = 0; i < n; ++i) {
        std::string url = origin_for(origins, i) + "/delay?ms=" + std::to_string(latency_ms);
        if (bytes > 0) url += "&bytes=" + std::to_string(bytes);
        // A distinct URL per request: browsers let identical URLs through their cache one at a time.
        url += "&id=" + std::to_string(i + 1);
        w.requests.push_back({url, "request " + std::to_string(i + 1), latency_ms / 1000.0});
    }
    return w;
}

Workload url_workload(const std::vector<std::string>& urls) {
    Workload w;
    w.name = std::to_string(urls.size()) + (urls.size() == 1 ? " URL" : " URLs");
    for (const auto& url : urls) {
        // Label by what follows the scheme, so tables show "example.org/page" rather than the scheme.
        auto scheme_end = url.find("://");
        std::string label = scheme_end == std::string::npos ? url : url.substr(scheme_end + 3);
        w.requests.push_back({url, label, -1});
    }
    return w;
}

std::vector<std::string> parse_url_list(const std::string& text) {
    std::vector<std::string> urls;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        auto last = line.find_last_not_of(" \t\r");
        urls.push_back(line.substr(first, last - first + 1));
    }
    return urls;
}

}  // namespace fetchlab
