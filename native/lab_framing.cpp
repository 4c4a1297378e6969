#include "lab_framing.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

namespace fetchlab {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::size_t request_line_length(const http::request_header<>& header) {
    return header.method_string().size() + 1 + header.target().size() + 9;  // " HTTP/1.1"
}

const Refusal& line_too_long() {
    static const Refusal r{414, "request line longer than 8 KiB"};
    return r;
}

std::string trimmed(beast::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

Refusal refuse_header(const http::request_header<>& header) {
    if (request_line_length(header) > kMaxRequestLine) return line_too_long();

    const auto hosts = header.count(http::field::host);
    if (hosts > 1 || (hosts == 0 && header.version() >= 11))
        return {400, "HTTP/1.1 needs exactly one Host header"};

    // Beast reads a body only for a last coding of "chunked" and would take the bytes after any
    // other as the next request. The lab decodes nothing else, so anything else is refused.
    const auto codings = header.equal_range(http::field::transfer_encoding);
    for (auto it = codings.first; it != codings.second; ++it) {
        if (std::next(it) != codings.second) return {501, "more than one Transfer-Encoding header"};
        const std::string value = trimmed(it->value());
        if (!beast::iequals(value, "chunked"))
            return {501, "Transfer-Encoding '" + value.substr(0, 40) + "' is not supported (only chunked)"};
    }
    return {};
}

Refusal refuse_read_error(beast::error_code ec, const http::request_header<>& partial, beast::string_view unread) {
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
        // Beast may or may not have parsed (and consumed) the request line by then, depending on
        // how the bytes arrived: it is in the header if parsed, else at the start of the unread.
        std::size_t line = unread.find('\n');
        if (!partial.target().empty()) line = request_line_length(partial);
        if (line == beast::string_view::npos || line > kMaxRequestLine) return line_too_long();
        return {431, "request header larger than 16 KiB"};
    }
    if (ec == http::error::body_limit) return {413, "request body larger than 64 KiB"};
    if (ec == http::error::bad_transfer_encoding)
        return {400, "Transfer-Encoding conflicts with Content-Length or another Transfer-Encoding"};
    if (ec == http::error::bad_content_length)
        return {400, "bad or repeated Content-Length"};
    // The rest of the parser's errors are malformed requests; end_of_stream and
    // partial_message mean the client stopped sending, and there is nobody to tell.
    if (ec.category() == beast::error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
        return {400, "malformed request (" + ec.message() + ")"};
    return {};
}

}  // namespace fetchlab
