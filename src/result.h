#pragma once
// What one request ended as: a status and a body size, or an error with a reason.
#include <cstdint>
#include <string>

namespace fetchlab {

// Why a request did not succeed. Every request ends as exactly one of these.
enum class ErrorKind {
    none,            // succeeded: a 2xx or 3xx answer
    http_status,     // the server answered with a 4xx or 5xx status
    timeout,         // no complete answer within the timeout
    connect_refused, // nothing listens at that address and port
    dns,             // the host name did not resolve
    network,         // any other transport failure (reset, a short body, CORS in a browser, ...)
    protocol,        // the server answered, but not in HTTP: garbage, a malformed status line, a huge header
    too_large,       // the body exceeded the size cap
    cancelled,       // the run was cancelled before this request finished
    bad_url,         // the URL could not be parsed or uses an unsupported scheme
    no_thread,       // the system refused to start a thread for this request
};

const char* error_kind_name(ErrorKind kind);  // "timeout", "connect refused", ...

// Phase times are seconds on the transport's monotonic clock (Transport::now()).
// A phase that was never reached is negative.
struct Result {
    int status = 0;              // HTTP status, 0 when there was no answer
    std::uint64_t bytes = 0;     // body bytes received
    double started = -1;         // the transport began this request
    double connect_start = -1;   // it began to connect: until then it waited for a free connection
                                 // (a browser's cap per origin); -1 where the platform cannot tell
    double connected = -1;       // the connection was ready (new or reused)
    double first_byte = -1;      // the first byte of the answer arrived
    double done = -1;            // the request ended, successfully or not
    bool new_connection = true;  // false when an idle keep-alive connection was reused
    ErrorKind error = ErrorKind::none;
    std::string message;         // empty on success; a one-line reason otherwise

    bool ok() const { return error == ErrorKind::none; }
};

// Turns a status into ok or an http_status error with a readable message.
void classify_http_status(Result& result);

// A result for a request that never reached the transport.
Result failed_before_start(ErrorKind kind, std::string message, double now);

}  // namespace fetchlab
