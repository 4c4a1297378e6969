#include <doctest/doctest.h>

#include "lab_framing.h"
#include "lab_server.h"

#include <boost/beast/http.hpp>

#include <string>

using fetchlab::clean_request_path;
using fetchlab::is_loopback_address;
using fetchlab::refuse_header;
using fetchlab::DelayParams;
using fetchlab::mime_type_for;
using fetchlab::parse_delay_query;

namespace {

// Parses and returns the reason, or "" when the query was accepted.
std::string refusal(const std::string& query) {
    DelayParams p;
    std::string error;
    return parse_delay_query(query, p, error) ? "" : error;
}

bool accepted(const std::string& query) { return refusal(query).empty(); }

// Returns the cleaned path, or "REFUSED".
std::string cleaned(const std::string& path) {
    std::string out;
    return clean_request_path(path, out) ? out : "REFUSED";
}

}  // namespace

TEST_CASE("delay query: an empty query gives the defaults") {
    DelayParams p;
    p.ms = 7;  // proves the fields are written, not left alone
    std::string error;
    REQUIRE(parse_delay_query("", p, error));
    CHECK(p.ms == 0);
    CHECK(p.bytes == 0);
    CHECK(p.status == 200);
    CHECK(p.jitter_ms == 0);
}

TEST_CASE("delay query: all four parameters are read") {
    DelayParams p;
    std::string error;
    REQUIRE(parse_delay_query("ms=250&bytes=1000&status=503&jitter=40", p, error));
    CHECK(p.ms == 250);
    CHECK(p.bytes == 1000);
    CHECK(p.status == 503);
    CHECK(p.jitter_ms == 40);
}

TEST_CASE("delay query: each bound is accepted at its edge") {
    CHECK(accepted("ms=0"));
    CHECK(accepted("ms=60000"));
    CHECK(accepted("bytes=0"));
    CHECK(accepted("bytes=16777216"));
    CHECK(accepted("status=200"));
    CHECK(accepted("status=599"));
    CHECK(accepted("jitter=0"));
    CHECK(accepted("jitter=60000"));
}

TEST_CASE("delay query: ms above 60000 is refused with a reason") {
    CHECK(refusal("ms=60001") == "ms must be a whole number from 0 to 60000");
}

TEST_CASE("delay query: each other bound is refused just past its edge") {
    CHECK(refusal("bytes=16777217") == "bytes must be a whole number from 0 to 16777216");
    CHECK(refusal("status=199") == "status must be a whole number from 200 to 599");
    CHECK(refusal("status=600") == "status must be a whole number from 200 to 599");
    CHECK(refusal("jitter=60001") == "jitter must be a whole number from 0 to 60000");
}

TEST_CASE("delay query: values that are not plain whole numbers are refused") {
    CHECK_FALSE(accepted("ms=abc"));
    CHECK_FALSE(accepted("ms=-5"));
    CHECK_FALSE(accepted("ms=+5"));
    CHECK_FALSE(accepted("ms=1.5"));
    CHECK_FALSE(accepted("ms= 5"));
    CHECK_FALSE(accepted("ms=%35"));
    CHECK_FALSE(accepted("ms="));
    CHECK_FALSE(accepted("ms"));
    CHECK_FALSE(accepted("ms=99999999999999999999999999"));
}

TEST_CASE("delay query: an unknown name is refused and the reason lists the known ones") {
    CHECK(refusal("foo=1") == "unknown parameter 'foo' (use ms, bytes, status, jitter, id)");
    CHECK(refusal("ms=1&MS=2") == "unknown parameter 'MS' (use ms, bytes, status, jitter, id)");
}

TEST_CASE("delay query: a parameter given twice is refused") {
    CHECK(refusal("ms=1&ms=2") == "ms is given more than once");
}

TEST_CASE("delay query: empty pieces between ampersands are ignored") {
    DelayParams p;
    std::string error;
    REQUIRE(parse_delay_query("&ms=5&&bytes=3&", p, error));
    CHECK(p.ms == 5);
    CHECK(p.bytes == 3);
}

TEST_CASE("request path: plain and nested paths become relative paths") {
    CHECK(cleaned("/") == "");
    CHECK(cleaned("/index.html") == "index.html");
    CHECK(cleaned("/js/app.js") == "js/app.js");
    CHECK(cleaned("/a/./b/") == "a/b");
    CHECK(cleaned("/my%20file.txt") == "my file.txt");
}

TEST_CASE("request path: a query string is not part of the path") {
    CHECK(cleaned("/app.wasm?v=3") == "app.wasm");
}

TEST_CASE("request path: dot-dot segments are refused, plain or encoded") {
    CHECK(cleaned("/../etc/passwd") == "REFUSED");
    CHECK(cleaned("/a/../../etc/passwd") == "REFUSED");
    CHECK(cleaned("/..") == "REFUSED");
    CHECK(cleaned("/%2e%2e/etc/passwd") == "REFUSED");
    CHECK(cleaned("/%2E%2e/") == "REFUSED");
    CHECK(cleaned("/.%2e/x") == "REFUSED");
}

TEST_CASE("request path: encoded slashes, NUL and backslashes are refused") {
    CHECK(cleaned("/..%2fsecret") == "REFUSED");
    CHECK(cleaned("/sub/..%2F..%2Fsecret") == "REFUSED");
    CHECK(cleaned("/a%2fb") == "REFUSED");
    CHECK(cleaned("/index.html%00.png") == "REFUSED");
    CHECK(cleaned("/..\\secret") == "REFUSED");
    CHECK(cleaned("/a%5cb") == "REFUSED");
}

TEST_CASE("request path: broken escapes and paths without a leading slash are refused") {
    CHECK(cleaned("/a%2") == "REFUSED");
    CHECK(cleaned("/a%zz") == "REFUSED");
    CHECK(cleaned("/a%") == "REFUSED");
    CHECK(cleaned("index.html") == "REFUSED");
    CHECK(cleaned("") == "REFUSED");
    CHECK(cleaned("http://example.com/x") == "REFUSED");
}

TEST_CASE("request path: double encoding is decoded once and stays a literal name") {
    CHECK(cleaned("/%252e%252e/x") == "%2e%2e/x");
}

TEST_CASE("request path: a doubled leading slash stays inside the root") {
    CHECK(cleaned("//etc/passwd") == "etc/passwd");
}

TEST_CASE("mime types: the web app's file types are named") {
    CHECK(std::string(mime_type_for("index.html")) == "text/html; charset=utf-8");
    CHECK(std::string(mime_type_for("app.js")) == "text/javascript");
    CHECK(std::string(mime_type_for("worker.mjs")) == "text/javascript");
    CHECK(std::string(mime_type_for("style.css")) == "text/css");
    CHECK(std::string(mime_type_for("app.wasm")) == "application/wasm");
    CHECK(std::string(mime_type_for("data.json")) == "application/json");
    CHECK(std::string(mime_type_for("logo.png")) == "image/png");
    CHECK(std::string(mime_type_for("logo.svg")) == "image/svg+xml");
    CHECK(std::string(mime_type_for("favicon.ico")) == "image/x-icon");
    CHECK(std::string(mime_type_for("notes.txt")) == "text/plain; charset=utf-8");
    CHECK(std::string(mime_type_for("app.js.map")) == "application/json");
}

TEST_CASE("mime types: unknown or missing extensions are plain bytes") {
    CHECK(std::string(mime_type_for("archive.tar.gz")) == "application/octet-stream");
    CHECK(std::string(mime_type_for("README")) == "application/octet-stream");
    CHECK(std::string(mime_type_for("dir.html/file")) == "application/octet-stream");
}

TEST_CASE("mime types: the extension is matched without regard to case") {
    CHECK(std::string(mime_type_for("INDEX.HTML")) == "text/html; charset=utf-8");
}

TEST_CASE("delay query: id is a short token that only makes the URL unique") {
    DelayParams p;
    std::string error;
    CHECK(parse_delay_query("ms=5&id=17", p, error));
    CHECK(p.ms == 5);
    CHECK(parse_delay_query("id=run-3_req.17", p, error));
    CHECK_FALSE(parse_delay_query("id=", p, error));
    CHECK_FALSE(parse_delay_query("id=a%20b", p, error));
    CHECK(error.find("id must be") == 0);
    CHECK_FALSE(parse_delay_query("id=" + std::string(33, 'x'), p, error));
}

TEST_CASE("loopback: only 127/8, ::1 and their mapped forms count as loopback") {
    for (const char* a : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
        CAPTURE(a);
        CHECK(is_loopback_address(a));
    }
    for (const char* a : {"0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "localhost", ""}) {
        CAPTURE(a);
        CHECK_FALSE(is_loopback_address(a));
    }
}

namespace {

namespace http = boost::beast::http;

// The status refuse_header gives a GET with these fields, 0 when it is fine.
unsigned header_refusal(const std::vector<std::pair<std::string, std::string>>& fields, int version = 11,
                        const std::string& target = "/") {
    http::request_header<> h;
    h.method(http::verb::get);
    h.target(target);
    h.version(version);
    for (const auto& [name, value] : fields) h.insert(name, value);
    return refuse_header(h).status;
}

}  // namespace

TEST_CASE("framing: Host, Transfer-Encoding and the request line's length") {
    const std::pair<std::string, std::string> host{"Host", "a"};
    CHECK(header_refusal({host}) == 0);
    CHECK(header_refusal({}) == 400);
    CHECK(header_refusal({host, host}) == 400);
    CHECK(header_refusal({}, 10) == 0);
    CHECK(header_refusal({host, {"Transfer-Encoding", "chunked"}}) == 0);
    CHECK(header_refusal({host, {"Transfer-Encoding", " Chunked "}}) == 0);
    CHECK(header_refusal({host, {"Transfer-Encoding", "gzip"}}) == 501);
    CHECK(header_refusal({host, {"Transfer-Encoding", "gzip, chunked"}}) == 501);
    CHECK(header_refusal({host, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}) == 501);
    CHECK(header_refusal({host}, 11, "/" + std::string(8000, 'a')) == 0);
    CHECK(header_refusal({host}, 11, "/" + std::string(8200, 'a')) == 414);
    CHECK(refuse_header(http::request_header<>{}).reason.find('\n') == std::string::npos);
}
