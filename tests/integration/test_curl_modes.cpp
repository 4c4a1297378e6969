// The real libcurl transport against the real lab server on an ephemeral loopback port.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "../support/embedded_lab.h"
#include "../support/loopback.h"
#include "../support/raw_server.h"
#include "curl_transport.h"
#include "fd_budget.h"
#include "lab_server.h"
#include "run.h"

using namespace fetchlab;

namespace {

using Lab = testing::EmbeddedLab;

Summary run_once(Mode mode, const Workload& w, int workers, TransportOptions t = {}, Timeline* timeline = nullptr) {
    CurlTransport transport(t);
    Run run(transport, w, mode, workers);
    run.wait();
    if (timeline) *timeline = run.timeline();
    return run.summary();
}

Workload one(const std::string& url) { return url_workload({url}); }

}  // namespace

TEST_CASE("every mode fetches 10 x 200 ms from the lab, and the concurrent ones are at least 3x faster") {
    Lab lab;
    const Workload w = lab_workload({lab.origin()}, 10, 200);
    std::map<Mode, double> wall;
    for (Mode mode : all_modes()) {
        CAPTURE(mode_name(mode));
        Timeline t;
        Summary s = run_once(mode, w, 10, {}, &t);
        CHECK(s.ok == 10);
        CHECK(s.errors == 0);
        for (const RequestRecord& r : t.requests) {
            CHECK(r.result.status == 200);
            CHECK(r.result.started <= r.result.connected);
            CHECK(r.result.connected <= r.result.first_byte);
            CHECK(r.result.first_byte <= r.result.done);
            CHECK(r.result.done - r.result.started >= 0.19);
        }
        wall[mode] = s.wall_s;
    }
    CHECK(wall[Mode::sequential] >= 2.0);
    for (Mode mode : {Mode::threads, Mode::async, Mode::pool, Mode::bounded}) {
        CAPTURE(mode_name(mode));
        CHECK(wall[Mode::sequential] >= 3 * wall[mode]);
    }
}

TEST_CASE("errors are named and every request is accounted for") {
    Lab lab;
    const std::string refused = "http://127.0.0.1:" + std::to_string(testing::refused_port()) + "/";

    SUBCASE("a 500 answer") {
        Timeline t;
        run_once(Mode::sequential, one(lab.origin() + "/delay?status=500"), 1, {}, &t);
        CHECK(t.requests[0].result.error == ErrorKind::http_status);
        CHECK(t.requests[0].result.status == 500);
        CHECK(t.requests[0].result.message == "HTTP 500 Internal Server Error");
    }
    SUBCASE("a refused port") {
        Timeline t;
        run_once(Mode::sequential, one(refused), 1, {}, &t);
        CHECK(t.requests[0].result.error == ErrorKind::connect_refused);
        CHECK(t.requests[0].result.message.find("refused") != std::string::npos);
    }
    SUBCASE("a delay past the timeout") {
        TransportOptions quick;
        quick.timeout_ms = 300;
        Timeline t;
        run_once(Mode::sequential, one(lab.origin() + "/delay?ms=3000"), 1, quick, &t);
        CHECK(t.requests[0].result.error == ErrorKind::timeout);
        CHECK(t.requests[0].result.done - t.requests[0].result.started < 2.0);
    }
    SUBCASE("a body over the size cap") {
        TransportOptions small;
        small.max_bytes = 1000;
        Timeline t;
        run_once(Mode::sequential, one(lab.origin() + "/delay?bytes=100000"), 1, small, &t);
        CHECK(t.requests[0].result.error == ErrorKind::too_large);
        CHECK(t.requests[0].result.message.find("1000 bytes") != std::string::npos);
    }
    SUBCASE("a malformed URL and an unsupported scheme") {
        Timeline t;
        run_once(Mode::sequential, url_workload({"http://[::1", "ftp://127.0.0.1/x"}), 1, {}, &t);
        CHECK(t.requests[0].result.error == ErrorKind::bad_url);
        CHECK(t.requests[1].result.error == ErrorKind::bad_url);
    }
    SUBCASE("a mix, in every mode: ok + errors == n") {
        TransportOptions o;
        o.timeout_ms = 500;
        o.max_bytes = 1000;
        const Workload mixed = url_workload({lab.origin() + "/delay?ms=50", lab.origin() + "/delay?status=503", refused,
                                             lab.origin() + "/delay?ms=2000", lab.origin() + "/delay?bytes=5000",
                                             "notascheme://x", lab.origin() + "/delay?ms=oops"});
        for (Mode mode : all_modes()) {
            CAPTURE(mode_name(mode));
            Timeline t;
            Summary s = run_once(mode, mixed, 3, o, &t);
            CHECK(s.ok == 1);
            CHECK(s.errors == 6);
            CHECK(s.ok + s.errors == mixed.size());
            CHECK(t.requests[1].result.error == ErrorKind::http_status);
            CHECK(t.requests[2].result.error == ErrorKind::connect_refused);
            CHECK(t.requests[3].result.error == ErrorKind::timeout);
            CHECK(t.requests[4].result.error == ErrorKind::too_large);
            CHECK(t.requests[5].result.error == ErrorKind::bad_url);
            CHECK(t.requests[6].result.status == 400);
        }
    }
}

TEST_CASE("async holds 1,000 delayed requests in flight at once, all answered") {
    Lab lab;
    Timeline t;
    Summary s = run_once(Mode::async, lab_workload({lab.origin()}, 1000, 500), 1, {}, &t);
    CHECK(s.ok == 1000);
    CHECK(s.errors == 0);
    CHECK(s.peak_in_flight == 1000);
    // peak_in_flight proves they waited together; the wall time only has to be far below the
    // 500 s of one at a time (a loaded machine under ThreadSanitizer took 5.25 s).
    CHECK(s.wall_s < 50.0);
}

TEST_CASE("cancel: in-flight requests end as cancelled, the rest are never fetched") {
    Lab lab;
    const Workload w = lab_workload({lab.origin()}, 6, 1000);
    for (Mode mode : all_modes()) {
        CAPTURE(mode_name(mode));
        CurlTransport transport;
        Run run(transport, w, mode, 2);
        run.begin();
        const auto t0 = std::chrono::steady_clock::now();
        while (!run.poll(20)) {
            if (std::chrono::steady_clock::now() - t0 > std::chrono::milliseconds(300)) run.cancel();
        }
        Summary s = run.summary();
        CHECK(s.ok == 0);
        CHECK(s.cancelled == 6);
        CHECK(s.ok + s.errors == 6);
        CHECK(s.wall_s < 2.5);  // cancelling does not wait out the remaining requests
    }
}

namespace {
// Lowers this process's descriptor limit to what is open now plus `spare`, and fills every free
// number below it, so the next descriptor anyone opens fails with EMFILE; undone on destruction.
struct OutOfDescriptors {
    explicit OutOfDescriptors(std::size_t spare) {
        REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
        rlimit low = saved;
        low.rlim_cur = open_fd_count() + spare;
        REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
        limit = low.rlim_cur;
        for (int fd; (fd = dup(STDERR_FILENO)) >= 0;) filler.push_back(fd);
        REQUIRE(errno == EMFILE);
    }
    ~OutOfDescriptors() {
        for (int fd : filler) close(fd);
        setrlimit(RLIMIT_NOFILE, &saved);
    }
    rlimit saved{};
    rlim_t limit = 0;
    std::vector<int> filler;
};
}  // namespace

TEST_CASE("out of file descriptors: the error says so with the limit, never a bare connect failure") {
    Lab lab;
    const Workload w = lab_workload({lab.origin()}, 2, 0);
    for (Mode mode : all_modes()) {
        CAPTURE(mode_name(mode));
        CurlTransport transport;  // its own descriptors exist before the limit is reached
        Run run(transport, w, mode, 2);
        std::string expected;
        {
            OutOfDescriptors full(16);
            expected = "out of file descriptors (limit " + std::to_string(full.limit) + ")";
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (!run.poll(20) && std::chrono::steady_clock::now() < deadline) {
            }
        }
        REQUIRE(run.finished());
        for (const RequestRecord& r : run.timeline().requests) {
            CHECK(r.result.error == ErrorKind::network);
            CHECK(r.result.message == expected);
        }
    }
}

TEST_CASE("a 1 ms timeout ends async and bounded requests at about 1 ms, as in the blocking modes") {
    Lab lab;
    TransportOptions quick;
    quick.timeout_ms = 1;
    const Workload w = lab_workload({lab.origin()}, 5, 2000);
    // Five rounds: curl dropped the timer in about half of the requests before the fix.
    for (int round = 0; round < 5; ++round) {
        for (Mode mode : {Mode::async, Mode::bounded}) {
            CAPTURE(mode_name(mode));
            Timeline t;
            Summary s = run_once(mode, w, 2, quick, &t);
            CHECK(s.wall_s < 0.1);
            for (const RequestRecord& r : t.requests) {
                CHECK(r.result.error == ErrorKind::timeout);
                CHECK(r.result.done - r.result.started < 0.05);
            }
        }
    }
}

TEST_CASE("a server that does not speak proper HTTP: each failure named for what it is") {
    struct Case {
        const char* what;
        std::string answer;
        testing::RawServer::End end;
        ErrorKind kind;
        const char* message;
    };
    const std::string body_header = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    const Case cases[] = {
        {"garbage", std::string("\x16\x03\x01 junk \xff\xfe not http at all\r\n\r\n", 32), testing::RawServer::End::close,
         ErrorKind::protocol, "not an HTTP answer"},
        {"a bad status line", "HTTP/1.1 abc\r\nContent-Length: 0\r\n\r\n", testing::RawServer::End::close,
         ErrorKind::protocol, "not an HTTP answer"},
        {"a 200 KB header", "HTTP/1.1 200 OK\r\nX-Big: " + std::string(200000, 'a') + "\r\n\r\n",
         testing::RawServer::End::close, ErrorKind::protocol, "response header too large"},
        {"a short body", body_header + std::string(300, 'b'), testing::RawServer::End::close, ErrorKind::network,
         "body shorter than Content-Length (300 of 1000 bytes)"},
        {"a reset", body_header + std::string(300, 'b'), testing::RawServer::End::reset, ErrorKind::network,
         "connection reset"},
    };
    for (const Case& c : cases) {
        testing::RawServer server(c.answer, c.end);
        for (Mode mode : {Mode::sequential, Mode::async}) {
            CAPTURE(c.what);
            CAPTURE(mode_name(mode));
            TransportOptions o;
            o.timeout_ms = 5000;
            Timeline t;
            run_once(mode, one(server.url()), 1, o, &t);
            const Result& r = t.requests[0].result;
            CHECK(r.error == c.kind);
            CHECK_MESSAGE(r.message.find(c.message) != std::string::npos, r.message);
        }
    }
}
