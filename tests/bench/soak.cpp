// The soak: the flaky preset in every mode, round after round, against a lab in another process.
// Every request must be accounted for (ok + each error kind = n), each fault the client saw must
// match what the lab says it injected in that round, and resident memory and descriptors, ours
// and the lab's, must stay flat from round to round. Prints a line a round; exits 1 on a mismatch.
//
//   soak --server http://127.0.0.1:18480 --lab-pid PID [--n 100000] [--round 5000] [--mode all]
#include <curl/curl.h>
#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "curl_transport.h"
#include "run.h"
#include "workload.h"

namespace fetchlab {
namespace {

// The lab's own count of what it injected, from its /lab document.
std::map<std::string, long> lab_faults(const std::string& origin) {
    std::string body;
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, (origin + "/lab").c_str());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, n);
        return n;
    });
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    const CURLcode code = curl_easy_perform(easy);
    curl_easy_cleanup(easy);
    if (code != CURLE_OK) throw std::runtime_error(origin + "/lab: " + curl_easy_strerror(code));
    std::map<std::string, long> faults;
    const nlohmann::json doc = nlohmann::json::parse(body);
    for (const auto& [name, count] : doc.at("faults").items()) faults[name] = count.get<long>();
    return faults;
}

// A process's resident memory in MB (VmRSS) and open descriptors, from /proc.
struct Usage {
    double rss_mb = 0;
    int fds = 0;
};

Usage usage_of(const std::string& pid) {
    Usage u;
    std::ifstream status("/proc/" + pid + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) u.rss_mb = std::atof(line.c_str() + 6) / 1024.0;
    if (DIR* dir = opendir(("/proc/" + pid + "/fd").c_str())) {
        while (dirent* e = readdir(dir))
            if (e->d_name[0] != '.') ++u.fds;
        closedir(dir);
    }
    return u;
}

long delta(const std::map<std::string, long>& after, const std::map<std::string, long>& before, const char* name) {
    const auto a = after.find(name), b = before.find(name);
    return (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
}

}  // namespace
}  // namespace fetchlab

int main(int argc, char** argv) {
    using namespace fetchlab;
    std::string server = "http://127.0.0.1:18480", lab_pid, mode_name_arg = "all";
    int total = 100000, round = 5000, latency_ms = 20, workers = 8, timeout_ms = 10000;
    CLI::App app{"fetchlab soak: the flaky preset, every request accounted for, round after round"};
    app.add_option("--server", server, "the lab's origin (a `fetchlab serve` in another process)");
    app.add_option("--lab-pid", lab_pid, "the lab's process id, for its memory and descriptors");
    app.add_option("--n", total, "requests per mode")->check(CLI::PositiveNumber);
    app.add_option("--round", round, "requests per round")->check(CLI::PositiveNumber);
    app.add_option("--latency", latency_ms, "each request's delay in ms")->check(CLI::NonNegativeNumber);
    app.add_option("--workers", workers, "K for pool and bounded")->check(CLI::PositiveNumber);
    app.add_option("--timeout", timeout_ms, "each request's timeout in ms")->check(CLI::PositiveNumber);
    app.add_option("--mode", mode_name_arg, "one mode, or all");
    CLI11_PARSE(app, argc, argv);

    std::vector<Mode> modes;
    if (mode_name_arg == "all") modes = all_modes();
    else if (auto m = parse_mode(mode_name_arg)) modes = {*m};
    else { std::fprintf(stderr, "soak: unknown mode %s\n", mode_name_arg.c_str()); return 2; }

    curl_global_init(CURL_GLOBAL_ALL);
    TransportOptions options;
    options.timeout_ms = timeout_ms;
    const std::string self = std::to_string(getpid());
    bool all_accounted = true;

    std::printf("soak · flaky preset · %d requests a mode in rounds of %d · %d ms · lab %s\n\n", total, round,
                latency_ms, server.c_str());
    std::printf("  %-10s %5s %6s %6s %7s %8s %9s %6s  %-9s %9s %6s %9s %6s\n", "mode", "round", "n", "ok", "network",
                "protocol", "http 5xx", "other", "accounted", "RSS MB", "fds", "lab MB", "lab fds");
    for (Mode mode : modes) {
        for (int done = 0, r = 1; done < total; done += round, ++r) {
            const int n = std::min(round, total - done);
            const auto before = lab_faults(server);
            const Workload workload = flaky_workload({server}, n, latency_ms);
            std::map<ErrorKind, long> kinds;
            {
                CurlTransport transport(options);
                Run run(transport, workload, mode, workers);
                run.wait();
                for (const RequestRecord& record : run.timeline().requests) ++kinds[record.result.error];
            }
            const auto after = lab_faults(server);
            long counted = 0;
            for (const auto& [kind, count] : kinds) counted += count;
            const long other = counted - kinds[ErrorKind::none] - kinds[ErrorKind::network] -
                               kinds[ErrorKind::protocol] - kinds[ErrorKind::http_status];
            // What the lab injected in this round, as the client must have seen it.
            const long injected_network = delta(after, before, "reset") + delta(after, before, "close") +
                                          delta(after, before, "truncate");
            const bool ok = counted == n && other == 0 && kinds[ErrorKind::network] == injected_network &&
                            kinds[ErrorKind::protocol] == delta(after, before, "garbage") &&
                            kinds[ErrorKind::http_status] == delta(after, before, "fail");
            all_accounted = all_accounted && ok;
            const Usage mine = usage_of(self), lab = lab_pid.empty() ? Usage{} : usage_of(lab_pid);
            std::printf("  %-10s %5d %6d %6ld %7ld %8ld %9ld %6ld  %-9s %9.1f %6d %9.1f %6d\n", mode_name(mode), r, n,
                        kinds[ErrorKind::none], kinds[ErrorKind::network], kinds[ErrorKind::protocol],
                        kinds[ErrorKind::http_status], other, ok ? "yes" : "NO", mine.rss_mb, mine.fds, lab.rss_mb,
                        lab.fds);
            if (!ok)
                std::printf("    lab injected: network %ld (reset+close+truncate), protocol %ld (garbage), 5xx %ld (fail)\n",
                            injected_network, delta(after, before, "garbage"), delta(after, before, "fail"));
            std::fflush(stdout);
        }
    }
    std::printf("\n%s\n", all_accounted ? "every request accounted for" : "MISMATCH: see the rounds marked NO");
    curl_global_cleanup();
    return all_accounted ? 0 : 1;
}
