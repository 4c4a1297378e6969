#include <doctest/doctest.h>

#include "lab_faults.h"
#include "lab_framing.h"
#include "lab_server.h"

#include <boost/beast/http.hpp>

#include <algorithm>
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
    CHECK(refusal("foo=1") == "unknown parameter 'foo' (use ms, bytes, status, jitter, fault, rate, fail, id)");
    CHECK(refusal("ms=1&MS=2") == "unknown parameter 'MS' (use ms, bytes, status, jitter, fault, rate, fail, id)");
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

TEST_CASE("delay query: without fault= nothing is injected") {
    DelayParams p;
    std::string error;
    REQUIRE(parse_delay_query("ms=5", p, error));
    CHECK(p.fault == fetchlab::Fault::none);
    CHECK(p.fail_percent == 0);
    CHECK(p.rate == 4096);
    CHECK(p.id.empty());
}

TEST_CASE("delay query: every fault is read by its name") {
    using fetchlab::Fault;
    const std::pair<const char*, Fault> faults[] = {
        {"reset", Fault::reset},     {"close", Fault::close},     {"hang", Fault::hang},
        {"trickle", Fault::trickle}, {"garbage", Fault::garbage}, {"truncate", Fault::truncate},
    };
    for (const auto& [name, fault] : faults) {
        CAPTURE(name);
        DelayParams p;
        std::string error;
        REQUIRE(parse_delay_query(std::string("ms=10&fault=") + name, p, error));
        CHECK(p.fault == fault);
        CHECK(p.ms == 10);
    }
}

TEST_CASE("delay query: a body fault without bytes spoils 4096 of them, the others keep 0") {
    DelayParams p;
    std::string error;
    // reset too: after the headers of an empty body the answer is complete and a reset unseen.
    for (const char* name : {"reset", "close", "trickle", "truncate"}) {
        CAPTURE(name);
        REQUIRE(parse_delay_query(std::string("fault=") + name, p, error));
        CHECK(p.bytes == 4096);
        REQUIRE(parse_delay_query(std::string("bytes=0&fault=") + name, p, error));
        CHECK(p.bytes == 4096);
        REQUIRE(parse_delay_query(std::string("bytes=10&fault=") + name, p, error));
        CHECK(p.bytes == 10);
    }
    for (const char* name : {"hang", "garbage"}) {
        CAPTURE(name);
        REQUIRE(parse_delay_query(std::string("fault=") + name, p, error));
        CHECK(p.bytes == 0);
    }
}

TEST_CASE("delay query: an unknown, empty or repeated fault is refused with the names") {
    CHECK(refusal("fault=explode") == "fault must be one of reset, close, hang, trickle, garbage, truncate");
    CHECK(refusal("fault=") == "fault must be one of reset, close, hang, trickle, garbage, truncate");
    CHECK(refusal("fault=RESET") == "fault must be one of reset, close, hang, trickle, garbage, truncate");
    CHECK(refusal("fault=reset&fault=close") == "fault is given more than once");
    CHECK(refusal("fault=hang&fault=hang") == "fault is given more than once");
}

TEST_CASE("delay query: trickle's rate has bounds and a default, and means nothing without trickle") {
    DelayParams p;
    std::string error;
    REQUIRE(parse_delay_query("fault=trickle", p, error));
    CHECK(p.rate == 4096);
    REQUIRE(parse_delay_query("fault=trickle&rate=1", p, error));
    CHECK(p.rate == 1);
    REQUIRE(parse_delay_query("rate=16777216&fault=trickle", p, error));  // either order
    CHECK(p.rate == 16777216);
    CHECK(refusal("fault=trickle&rate=0") == "rate must be a whole number from 1 to 16777216");
    CHECK(refusal("fault=trickle&rate=16777217") == "rate must be a whole number from 1 to 16777216");
    CHECK(refusal("fault=trickle&rate=fast") == "rate must be a whole number from 1 to 16777216");
    CHECK(refusal("rate=100") == "rate needs fault=trickle");
    CHECK(refusal("fault=close&rate=100") == "rate needs fault=trickle");
    CHECK(refusal("fault=trickle&rate=1&rate=2") == "rate is given more than once");
}

TEST_CASE("delay query: fail is a percentage and the id is kept for picking") {
    DelayParams p;
    std::string error;
    REQUIRE(parse_delay_query("fail=0", p, error));
    CHECK(p.fail_percent == 0);
    REQUIRE(parse_delay_query("fail=100&id=42", p, error));
    CHECK(p.fail_percent == 100);
    CHECK(p.id == "42");
    REQUIRE(parse_delay_query("fail=30&fault=reset", p, error));  // fail picks, the rest reset
    CHECK(p.fail_percent == 30);
    CHECK(p.fault == fetchlab::Fault::reset);
    CHECK(refusal("fail=101") == "fail must be a whole number from 0 to 100");
    CHECK(refusal("fail=-1") == "fail must be a whole number from 0 to 100");
    CHECK(refusal("fail=") == "fail must be a whole number from 0 to 100");
    CHECK(refusal("fail=1&fail=2") == "fail is given more than once");
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

// How many of ids first..first+n-1 fail=percent makes a 500.
int failures(int percent, int first, int n) {
    std::uint64_t counter = 0;
    int failed = 0;
    for (int id = first; id < first + n; ++id) {
        DelayParams p;
        p.fail_percent = percent;
        p.id = std::to_string(id);
        failed += fetchlab::plan_faults(p, counter).fail;
    }
    CHECK(counter == 0);  // an id never advances the counter
    return failed;
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

TEST_CASE("fail=P: any hundred consecutive ids hold exactly P failures") {
    for (int percent : {0, 1, 30, 50, 99, 100}) {
        CAPTURE(percent);
        CHECK(failures(percent, 0, 100) == percent);
        CHECK(failures(percent, 1, 100) == percent);
        CHECK(failures(percent, 1234, 100) == percent);
    }
}

TEST_CASE("fail=P: the pick is fixed by the id, nested across P, and spread out") {
    std::uint64_t counter = 0;
    int streak = 0, longest_streak = 0;
    for (int id = 0; id < 100; ++id) {
        DelayParams p;
        p.id = std::to_string(id);
        p.fail_percent = 30;
        const bool at30 = fetchlab::plan_faults(p, counter).fail;
        CHECK(fetchlab::plan_faults(p, counter).fail == at30);  // the same answer every time
        p.fail_percent = 50;
        if (at30) CHECK(fetchlab::plan_faults(p, counter).fail);  // what fails at 30 fails at 50
        streak = at30 ? streak + 1 : 0;
        longest_streak = std::max(longest_streak, streak);
    }
    CHECK(longest_streak <= 3);  // not the first 30 in a row
}

TEST_CASE("fail=P: a failed answer injects no other fault; a spared one keeps its fault") {
    std::uint64_t counter = 0;
    DelayParams p;
    p.fault = fetchlab::Fault::reset;
    p.fail_percent = 100;
    p.id = "7";
    auto plan = fetchlab::plan_faults(p, counter);
    CHECK(plan.fail);
    CHECK(plan.fault == fetchlab::Fault::none);
    p.fail_percent = 0;
    plan = fetchlab::plan_faults(p, counter);
    CHECK_FALSE(plan.fail);
    CHECK(plan.fault == fetchlab::Fault::reset);
}

TEST_CASE("fail=P: without an id a counter picks, and a word id is hashed the same every time") {
    std::uint64_t counter = 0;
    DelayParams p;
    p.fail_percent = 25;
    int failed = 0;
    for (int i = 0; i < 100; ++i) failed += fetchlab::plan_faults(p, counter).fail;
    CHECK(counter == 100);
    CHECK(failed == 25);

    p.id = "run-3_req.17";
    const bool first = fetchlab::plan_faults(p, counter).fail;
    for (int i = 0; i < 5; ++i) CHECK(fetchlab::plan_faults(p, counter).fail == first);
    CHECK(counter == 100);
}

TEST_CASE("fault counts: /lab's JSON names every kind") {
    fetchlab::FaultCounts c;
    c.reset = 1;
    c.close = 2;
    c.hang = 3;
    c.trickle = 4;
    c.garbage = 5;
    c.truncate = 6;
    c.fail = 7;
    CHECK(fetchlab::fault_counts_json(c) ==
          R"({"reset": 1, "close": 2, "hang": 3, "trickle": 4, "garbage": 5, "truncate": 6, "fail": 7})");
}
