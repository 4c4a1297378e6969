#include "result.h"

namespace fetchlab {

const char* error_kind_name(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::none: return "ok";
    case ErrorKind::http_status: return "http status";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::connect_refused: return "connect refused";
    case ErrorKind::dns: return "dns";
    case ErrorKind::network: return "network";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::too_large: return "too large";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::bad_url: return "bad url";
    case ErrorKind::no_thread: return "no thread";
    }
    return "unknown";
}

static const char* reason_phrase(int status) {
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
    }
}

void classify_http_status(Result& result) {
    if (result.error != ErrorKind::none || result.status < 400) return;
    result.error = ErrorKind::http_status;
    result.message = "HTTP " + std::to_string(result.status);
    const char* phrase = reason_phrase(result.status);
    if (*phrase) result.message += std::string(" ") + phrase;
}

Result failed_before_start(ErrorKind kind, std::string message, double now) {
    Result r;
    r.error = kind;
    r.message = std::move(message);
    r.done = now;
    return r;
}

}  // namespace fetchlab
