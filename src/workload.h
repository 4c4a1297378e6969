#pragma once
// What a run fetches: a list of requests, from a preset or a list of URLs.
#include <string>
#include <vector>

namespace fetchlab {

struct Request {
    std::string url;
    std::string label;          // short name for tables and waterfalls
    double expected_s = -1;     // the server's delay when the lab states it; negative when unknown
    std::string url_problem{};  // why the URL cannot be fetched (see url_problem()); "" when it can
};

struct Workload {
    std::string name;           // "seed", "lab 10 x 200 ms", "3 URLs"
    std::vector<Request> requests;

    std::size_t size() const { return requests.size(); }
};

// The seed experiment's 11 page delays in milliseconds: one after another they add up to
// 10.25 s and the slowest takes 1.3 s, like the 11 sites of the original run.
const std::vector<int>& seed_delays_ms();

// Requests are spread round-robin over the origins ("http://127.0.0.1:8080", ...), so that a
// browser's per-origin connection limit can be shown and lifted. `origins` must not be empty.
Workload seed_workload(const std::vector<std::string>& origins);
Workload lab_workload(const std::vector<std::string>& origins, int n, int latency_ms, long bytes = 0);
// The lab preset with the lab's faults, chosen by request id so that a run is reproducible:
// id%25 == 5 reset after the headers, 10 closed mid-body, 15 a trickled body, 20 non-HTTP bytes,
// 0 a body shorter than its Content-Length; every other request a 10% chance of a 500.
Workload flaky_workload(const std::vector<std::string>& origins, int n, int latency_ms);
// Each URL checked with url_problem(): one that fails ends as `bad url` without being fetched.
Workload url_workload(const std::vector<std::string>& urls);

// Why `url` is not an absolute http or https URL with a host (and a port from 1 to 65535, if
// any), or "" when it is. Checked before fetching, since a browser would resolve "example.com/x"
// against the page and report the page's 404 instead.
std::string url_problem(const std::string& url);

// One URL a line, spaces trimmed; a '#' at the start of a line or after a space or tab starts a
// comment (a '#' inside a URL is its fragment). Throws std::invalid_argument("line 3: a NUL byte")
// for a line holding a NUL, which no URL can carry and which would cut it short.
std::vector<std::string> parse_url_list(const std::string& text);

// A URL as every report and panel shows it: the credentials of `user:pass@` replaced by `***@`,
// and each byte that is not printable ASCII or part of valid UTF-8 percent-encoded, so that any
// bytes a URL file holds print on a terminal and in JSON (curl sends such bytes encoded as well).
std::string display_url(const std::string& url);
// A message as text reports print it, on one line: control bytes and bytes that are not valid
// UTF-8 (curl quotes a URL's bytes in some messages) each become '?'.
std::string display_text(const std::string& text);

}  // namespace fetchlab
