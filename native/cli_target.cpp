#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "cli.h"

namespace fetchlab::cli {

std::vector<Mode> modes_for(const std::string& name) {
    if (name == "all") return all_modes();
    if (auto m = parse_mode(name)) return {*m};
    throw std::invalid_argument("unknown mode '" + name + "'");
}

void raise_open_file_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
    // A client and an embedded server each hold a socket per request: 10,000 requests need 20,000+.
    const rlim_t wanted = 65536;
    if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < wanted) {
        rlimit more{wanted, wanted};
        if (setrlimit(RLIMIT_NOFILE, &more) == 0) return;  // allowed for root
    }
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
}

static std::string trim_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

// The whole file; an error names the file and the system's reason (a file that opens and then
// fails to read must not pass for an empty list).
static std::string read_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    std::string text;
    char buf[65536];
    while (std::size_t got = std::fread(buf, 1, sizeof buf, f)) text.append(buf, got);
    const int error = std::ferror(f) ? errno : 0;
    std::fclose(f);
    if (error) throw std::runtime_error("cannot read " + path + ": " + std::strerror(error));
    return text;
}

Target prepare_target(const WorkloadOptions& options) {
    Target target;
    std::vector<std::string> urls = options.urls;
    if (!options.urls_file.empty()) {
        std::vector<std::string> listed;
        try {
            listed = parse_url_list(read_file(options.urls_file));
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(options.urls_file + ": " + e.what());
        }
        if (listed.empty()) throw std::runtime_error("the URL list '" + options.urls_file + "' has no URLs");
        urls.insert(urls.end(), listed.begin(), listed.end());
    }
    if (!urls.empty()) {
        target.workload = url_workload(urls);
        target.where = "the URLs given";
        return target;
    }

    std::vector<std::string> origins;
    if (!options.server.empty()) {
        origins = {trim_trailing_slash(options.server)};
        target.where = "lab at " + display_url(origins[0]);
    } else {
        LabServerOptions lab;
        lab.port = 0;  // a free ephemeral port on loopback
        // Every request of the run may hold a connection at once: the cap must not refuse what the
        // descriptor check let through (the default stops at 16,000).
        lab.max_connections = std::max(default_max_connections(), static_cast<std::size_t>(options.n) + 256);
        target.embedded = std::make_unique<LabServer>(lab);
        target.embedded->start();
        origins = target.embedded->origins();
        target.where = "embedded lab at " + origins[0];
    }
    if (options.preset == "seed") target.workload = seed_workload(origins);
    else if (options.preset == "flaky") target.workload = flaky_workload(origins, options.n, options.latency_ms);
    else target.workload = lab_workload(origins, options.n, options.latency_ms, options.bytes);
    return target;
}

}  // namespace fetchlab::cli
