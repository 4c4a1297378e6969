#pragma once
// The latency lab: an HTTP server whose endpoints answer after a chosen delay, on one event
// loop with a timer per waiting request, so thousands can wait at once on one thread. It also
// serves the web page with the headers that cross-origin isolation (and so threads) needs.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fetchlab {

// How many faults the lab injected, by kind (GET /delay's fault= and fail=).
struct FaultCounts {
    std::uint64_t reset = 0, close = 0, hang = 0, trickle = 0, garbage = 0, truncate = 0, fail = 0;
};

struct LabServerOptions {
    std::string host = "127.0.0.1";  // loopback unless asked otherwise
    std::uint16_t port = 8080;       // 0 picks a free port for each listener
    int ports = 1;                   // listen on port, port+1, ... port+ports-1
    std::string web_root;            // static files; empty serves none
    bool isolation = true;           // send COOP/COEP so the page is cross-origin isolated
    bool log = false;                // one line per request on stderr
    std::size_t max_connections = 0; // past this many, a fast 503; 0: default_max_connections()
};

// min(16000, the open-file soft limit - 256): the margin keeps descriptors for the listeners,
// files being sent and the 503s, so the lab always answers, /health included.
std::size_t default_max_connections();

// True for 127.0.0.0/8, ::1 and ::ffff:127.x.x.x; false for a wildcard or any other address.
bool is_loopback_address(const std::string& address);

class LabServer {
public:
    // Binds every listener; throws std::runtime_error with a readable reason when it cannot.
    explicit LabServer(const LabServerOptions& options);
    ~LabServer();  // stops and joins
    LabServer(const LabServer&) = delete;
    LabServer& operator=(const LabServer&) = delete;

    const std::vector<std::uint16_t>& ports() const;
    std::vector<std::string> origins() const;  // "http://127.0.0.1:PORT", one per listener

    void run();         // serves on the calling thread until stop()
    void start();       // serves on a thread of its own
    void stop();        // thread-safe; run() returns soon after
    std::size_t requests_in_flight() const;  // requests received and not yet answered
    std::size_t connections() const;         // connections open, not counting those turned away
    std::size_t max_connections() const;     // the cap in force

    const std::vector<std::string>& endpoints() const;  // as bound: "0.0.0.0:8080", "[::1]:8081"
    bool loopback_only() const;                   // else the lab is reachable from the network
    FaultCounts faults() const;              // thread-safe

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// How an answer goes wrong on the wire, after its delay (native/lab_faults.cpp writes them).
enum class Fault {
    none,
    reset,     // the headers, then an abortive close (RST)
    close,     // the headers with Content-Length, half the body, then a normal close
    hang,      // no answer at all; the connection stays until the client goes
    trickle,   // the body at `rate` bytes per second
    garbage,   // bytes that are not HTTP, then a close
    truncate,  // the whole body under a Content-Length that claims more, then a close
};

// The lab's query parameters for GET /delay, validated.
struct DelayParams {
    int ms = 0;             // 0 .. 60000
    long bytes = 0;         // 0 .. 16 MiB; for reset, close, trickle, truncate 0 means 4096
    int status = 200;       // 200 .. 599
    int jitter_ms = 0;      // 0 .. 60000; the answer comes after ms + a random 0..jitter_ms
    Fault fault = Fault::none;
    long rate = 4096;       // 1 .. 16 MiB bytes per second; only with fault=trickle
    int fail_percent = 0;   // 0 .. 100: that share of answers is a 500, picked by id
    std::string id;         // empty when not given
};

// Parses a query string ("ms=200&bytes=10"); on a bad or unknown parameter returns false and
// sets `error` to a one-line reason.
bool parse_delay_query(const std::string& query, DelayParams& out, std::string& error);

// Decodes %XX and rejects paths that could leave the web root ("..", NUL, backslash, ...).
// Returns false when the path must be refused.
bool clean_request_path(const std::string& target_path, std::string& relative_out);

const char* mime_type_for(const std::string& path);

}  // namespace fetchlab
