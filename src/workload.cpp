#include "workload.h"

#include <algorithm>
#include <cctype>
#include <cstring>
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

// The /delay parameters of request `id` in the flaky preset.
static const char* flaky_fault(int id) {
    switch (id % 25) {
    case 5: return "&bytes=1024&fault=reset";
    case 10: return "&bytes=1024&fault=close";
    case 15: return "&bytes=2048&fault=trickle&rate=8192";
    case 20: return "&fault=garbage";
    case 0: return "&bytes=1024&fault=truncate";
    default: return "&fail=10";
    }
}

Workload flaky_workload(const std::vector<std::string>& origins, int n, int latency_ms) {
    Workload w;
    w.name = "flaky " + std::to_string(n) + " x " + std::to_string(latency_ms) + " ms";
    for (int id = 1; id <= n; ++id) {
        const std::string url = origin_for(origins, id - 1) + "/delay?ms=" + std::to_string(latency_ms) +
                                flaky_fault(id) + "&id=" + std::to_string(id);
        w.requests.push_back({url, "request " + std::to_string(id), latency_ms / 1000.0});
    }
    return w;
}

Workload url_workload(const std::vector<std::string>& urls) {
    Workload w;
    w.name = std::to_string(urls.size()) + (urls.size() == 1 ? " URL" : " URLs");
    for (const auto& url : urls) {
        // Label by what follows the scheme, so tables show "example.org/page" rather than the scheme.
        const std::string shown = display_url(url);
        auto scheme_end = shown.find("://");
        std::string label = scheme_end == std::string::npos ? shown : shown.substr(scheme_end + 3);
        w.requests.push_back({url, label, -1, url_problem(url)});
    }
    return w;
}

std::string url_problem(const std::string& url) {
    const auto colon = url.find(':');
    const auto scheme_ok = [&](std::size_t end) {
        if (end == 0 || !std::isalpha(static_cast<unsigned char>(url[0]))) return false;
        return std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(end), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        });
    };
    if (colon == std::string::npos || !scheme_ok(colon))
        return "not an absolute URL: it needs http:// or https:// and a host";
    std::string scheme = url.substr(0, colon);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool slashes = url.compare(colon + 1, 2, "//") == 0;
    if (scheme != "http" && scheme != "https")
        return slashes ? "the scheme " + display_text(scheme) + ": only http and https"
                       : "not an absolute URL: it needs http:// or https:// and a host";
    if (!slashes) return scheme + ": must be followed by // and a host";
    const std::size_t start = colon + 3;
    const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
    std::size_t host = start;
    if (const auto at = url.rfind('@', end == 0 ? 0 : end - 1); at != std::string::npos && at >= start) host = at + 1;
    std::size_t port = std::string::npos;
    if (host < end && url[host] == '[') {
        const auto close = url.find(']', host);
        if (close == std::string::npos || close >= end) return "an IPv6 address without its closing ]";
        if (close + 1 < end && url[close + 1] != ':') return "something other than a port after the IPv6 address";
        if (close + 1 < end) port = close + 1;
    } else {
        const auto c = url.find(':', host);
        if (c < end) port = c;
        const std::size_t host_end = std::min(port, end);
        if (host_end == host) return "no host";
        for (std::size_t i = host; i < host_end; ++i) {
            const auto b = static_cast<unsigned char>(url[i]);
            if (b <= 0x20 || b == 0x7f || std::strchr("<>\"{}|\\^`[]", b))
                return "the host holds a character no host name can";
        }
    }
    if (port != std::string::npos && port + 1 < end) {
        const std::string digits = url.substr(port + 1, end - port - 1);
        if (digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoi(digits) < 1 || std::stoi(digits) > 65535)
            return "the port " + display_text(digits) + ": a number from 1 to 65535";
    }
    return "";
}

std::vector<std::string> parse_url_list(const std::string& text) {
    std::vector<std::string> urls;
    std::istringstream in(text);
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (line.find('\0') != std::string::npos)
            throw std::invalid_argument("line " + std::to_string(number) + ": a NUL byte");
        for (auto hash = line.find('#'); hash != std::string::npos; hash = line.find('#', hash + 1)) {
            if (hash == 0 || line[hash - 1] == ' ' || line[hash - 1] == '\t') {
                line.erase(hash);
                break;
            }
        }
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;
        auto last = line.find_last_not_of(" \t\r");
        urls.push_back(line.substr(first, last - first + 1));
    }
    return urls;
}

// How many bytes of valid UTF-8 (a multi-byte character, no overlong form or surrogate) start at
// s[i]; 0 when the byte there begins none.
static std::size_t utf8_length(const std::string& s, std::size_t i) {
    const auto byte = [&s](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b = byte(i);
    std::size_t len = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0;
    if (b >= 0xF5 || len == 0 || i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k)
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
    const unsigned char second = byte(i + 1);
    if ((b == 0xE0 && second < 0xA0) || (b == 0xED && second >= 0xA0) || (b == 0xF0 && second < 0x90) ||
        (b == 0xF4 && second >= 0x90))
        return 0;
    return len;
}

// Printable ASCII and valid UTF-8 kept; every other byte percent-encoded in a URL (where a space
// is one of them) or '?' in text.
static std::string printable(const std::string& s, bool url) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b >= (url ? 0x21 : 0x20) && b < 0x7F) {
            out += s[i++];
        } else if (std::size_t len = b >= 0x80 ? utf8_length(s, i) : 0) {
            out.append(s, i, len);
            i += len;
        } else if (url) {
            out += '%';
            out += hex[b >> 4];
            out += hex[b & 0xF];
            ++i;
        } else {
            out += '?';
            ++i;
        }
    }
    return out;
}

std::string display_url(const std::string& url) {
    std::string u = url;
    // The authority runs from after "scheme://" (or "//", or the start, for a URL without one) to the
    // first '/', '?' or '#'; curl takes its last '@' as the end of the credentials.
    const auto scheme_end = u.find("://");
    const std::size_t authority = scheme_end != std::string::npos ? scheme_end + 3 : u.rfind("//", 0) == 0 ? 2 : 0;
    const auto authority_end = std::min(u.find_first_of("/?#", authority), u.size());
    const auto at = u.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
    if (at != std::string::npos && at >= authority && at < authority_end) u.replace(authority, at - authority, "***");

    return printable(u, true);
}

std::string display_text(const std::string& text) { return printable(text, false); }

}  // namespace fetchlab
