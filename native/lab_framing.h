#pragma once
// What the lab refuses about how a request is framed, and the answer that says so. A request
// the lab cannot frame exactly is answered and its connection closed, never guessed at: a body
// read as the next request is how requests are smuggled past a proxy.
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/message.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace fetchlab {

constexpr std::size_t kMaxRequestLine = 8 * 1024;      // method, target and version: else 414
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;   // the whole header, that line too: else 431
constexpr std::uint64_t kMaxRequestBody = 64 * 1024;   // else 413

struct Refusal {
    unsigned status = 0;  // 0: nothing to answer (or, after a read error, just close)
    std::string reason;   // one line, no newline
};

// For a request whose header has been read: a request line over kMaxRequestLine, an HTTP/1.1
// request without exactly one Host, a Transfer-Encoding other than one "chunked".
Refusal refuse_header(const boost::beast::http::request_header<>& header);

// For a read that failed with `ec`, given what the parser had read of the header and the bytes
// it had not consumed yet: the parser's limits and syntax errors get an answer; the client
// closing, resetting or going quiet do not.
Refusal refuse_read_error(boost::beast::error_code ec, const boost::beast::http::request_header<>& partial,
                          boost::beast::string_view unread);

}  // namespace fetchlab
