// The lab's injected faults, seen from a client: libcurl through CurlTransport for what a run
// records, raw sockets where the bytes on the wire are the point.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "../support/embedded_lab.h"
#include "curl_transport.h"
#include "lab_server.h"
#include "run.h"

using namespace fetchlab;

namespace {

using Lab = testing::EmbeddedLab;

Result fetch_one(const std::string& url, int timeout_ms = 5000) {
    TransportOptions o;
    o.timeout_ms = timeout_ms;
    CurlTransport transport(o);
    Run run(transport, url_workload({url}), Mode::sequential, 1);
    run.wait();
    return run.timeline().requests.at(0).result;
}

double took(const Result& r) { return r.done - r.started; }

// What a raw client read from one request until the server closed, and how the read ended.
struct Raw {
    std::string bytes;
    int end_errno = 0;  // 0 for a clean close (FIN), ECONNRESET for a reset, EAGAIN for the deadline
};

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    timeval deadline{5, 0};  // a server that never answers fails the test instead of hanging it
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &deadline, sizeof deadline);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

void send_get(int fd, const std::string& target) {
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
}

Raw raw_get(std::uint16_t port, const std::string& target) {
    const int fd = connect_to(port);
    send_get(fd, target);
    Raw out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            out.bytes.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        out.end_errno = n == 0 ? 0 : errno;
        break;
    }
    ::close(fd);
    return out;
}

nlohmann::json lab_faults(std::uint16_t port) {
    const Raw raw = raw_get(port, "/lab");
    const std::size_t body = raw.bytes.find("\r\n\r\n");
    REQUIRE(body != std::string::npos);
    return nlohmann::json::parse(raw.bytes.substr(body + 4)).at("faults");
}

// Polls until `done` holds or 3 s pass; the lab notices a client's close on its own loop.
template <class Done>
bool eventually(Done done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace

TEST_CASE("fault=reset: the headers arrive, then a reset; curl names it a network error") {
    Lab lab;
    const Raw raw = raw_get(lab.port(), "/delay?fault=reset");
    CHECK(raw.bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(raw.bytes.find("Content-Length: 4096\r\n") != std::string::npos);  // bytes=0 promises 4096
    CHECK(raw.bytes.find("\r\n\r\n") == raw.bytes.size() - 4);                // and sends none
    CHECK(raw.end_errno == ECONNRESET);

    const Result r = fetch_one(lab.url("fault=reset&bytes=1000"));
    CHECK(r.error == ErrorKind::network);
    CHECK(r.bytes == 0);
    CHECK(lab.server.faults().reset == 2);
}

TEST_CASE("fault=close: half the body, then a clean close short of the Content-Length") {
    Lab lab;
    const Raw raw = raw_get(lab.port(), "/delay?fault=close&bytes=1000");
    CHECK(raw.bytes.find("Content-Length: 1000\r\n") != std::string::npos);
    CHECK(raw.bytes.size() - (raw.bytes.find("\r\n\r\n") + 4) == 500);
    CHECK(raw.end_errno == 0);

    const Result r = fetch_one(lab.url("fault=close"));  // bytes=0 spoils 4096
    CHECK(r.error == ErrorKind::network);
    CHECK(r.status == 200);
    CHECK(r.bytes == 2048);
    CHECK(lab.server.faults().close == 2);
}

TEST_CASE("fault=truncate: the whole body under a Content-Length that claims more") {
    Lab lab;
    const Raw raw = raw_get(lab.port(), "/delay?fault=truncate&bytes=1000");
    CHECK(raw.bytes.find("Content-Length: 2000\r\n") != std::string::npos);
    CHECK(raw.bytes.size() - (raw.bytes.find("\r\n\r\n") + 4) == 1000);
    CHECK(raw.end_errno == 0);

    const Result r = fetch_one(lab.url("fault=truncate&bytes=3000"));
    CHECK(r.error == ErrorKind::network);
    CHECK(r.bytes == 3000);
    CHECK(lab.server.faults().truncate == 2);
}

TEST_CASE("fault=garbage: bytes that are not HTTP, then a close; the client gets an error") {
    Lab lab;
    const Raw raw = raw_get(lab.port(), "/delay?fault=garbage");
    CHECK_FALSE(raw.bytes.empty());
    CHECK(raw.bytes.rfind("HTTP/", 0) == std::string::npos);
    CHECK(raw.end_errno == 0);

    const Result r = fetch_one(lab.url("fault=garbage"));
    CHECK_FALSE(r.ok());  // which kind is the CLI's to name; it must not pass as an answer
    CHECK(r.status == 0);
    CHECK(lab.server.faults().garbage == 2);
}

TEST_CASE("fault=trickle: the whole body, ok, in about bytes/rate seconds") {
    Lab lab;
    const Result r = fetch_one(lab.url("fault=trickle&bytes=2048&rate=4096"));
    CHECK(r.ok());
    CHECK(r.bytes == 2048);
    CHECK(took(r) >= 0.45);
    CHECK(took(r) < 2.0);  // loose: a loaded CI machine, not the lab, sets the top
    CHECK(r.first_byte - r.started < 0.2);  // the headers come at once, only the body trickles

    const Result fast = fetch_one(lab.url("fault=trickle&bytes=100000&rate=1000000"));
    CHECK(fast.ok());
    CHECK(fast.bytes == 100000);
    CHECK(took(fast) >= 0.09);
    CHECK(took(fast) < 1.5);  // far below the 24 s of the default rate
    CHECK(lab.server.faults().trickle == 2);
}

TEST_CASE("fault=hang: no answer until the client's timeout; the lab lets go when the client does") {
    Lab lab;
    const Result r = fetch_one(lab.url("fault=hang"), 400);
    CHECK(r.error == ErrorKind::timeout);
    CHECK(took(r) >= 0.35);
    CHECK(took(r) < 2.0);
    CHECK(eventually([&] { return lab.server.requests_in_flight() == 0; }));

    const int fd = connect_to(lab.port());
    send_get(fd, "/delay?fault=hang");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(lab.server.requests_in_flight() == 1);  // still held, 300 ms on
    char c;
    CHECK(::recv(fd, &c, 1, MSG_DONTWAIT) == -1);  // and nothing was sent
    ::close(fd);
    CHECK(eventually([&] { return lab.server.requests_in_flight() == 0; }));
    CHECK(lab.server.faults().hang == 2);
}

TEST_CASE("a fault comes after the usual delay") {
    Lab lab;
    const Result r = fetch_one(lab.url("ms=300&fault=reset"));
    CHECK(r.error == ErrorKind::network);
    CHECK(took(r) >= 0.29);
    CHECK(lab.server.faults().reset == 1);
}

TEST_CASE("fail=P: 100 is always a 500, 0 never, 30 over ids 0..99 exactly 30, the same each run") {
    Lab lab;
    const Result all = fetch_one(lab.url("fail=100&id=5"));
    CHECK(all.error == ErrorKind::http_status);
    CHECK(all.status == 500);
    const Result none = fetch_one(lab.url("fail=0&id=5"));
    CHECK(none.ok());
    CHECK(none.status == 200);

    std::vector<std::string> urls;
    for (int id = 0; id < 100; ++id) urls.push_back(lab.url("fail=30&id=" + std::to_string(id)));
    std::vector<bool> first_run;
    for (int round = 0; round < 2; ++round) {
        CAPTURE(round);
        CurlTransport transport;
        Run run(transport, url_workload(urls), Mode::async, 1);
        run.wait();
        const Timeline t = run.timeline();
        int failed = 0;
        for (std::size_t i = 0; i < urls.size(); ++i) {
            const Result& r = t.requests.at(i).result;
            const bool is500 = r.status == 500;
            CHECK((r.ok() || is500));
            failed += is500;
            if (round == 0) first_run.push_back(is500);
            else CHECK(first_run[i] == is500);  // the same requests fail
        }
        CHECK(failed == 30);
    }
    CHECK(lab.server.faults().fail == 61);
}

TEST_CASE("a flaky mix in every mode: every request ends, and /lab counts what was injected") {
    Lab lab;
    const std::vector<std::string> urls = {
        lab.url("ms=20"),
        lab.url("fault=reset"),
        lab.url("fault=close&bytes=100"),
        lab.url("fault=hang"),
        lab.url("fault=trickle&bytes=200&rate=2000"),
        lab.url("fault=garbage"),
        lab.url("fault=truncate&bytes=100"),
        lab.url("fail=100&id=1"),
        lab.url("fail=100&fault=reset"),  // the 500 wins: no reset is counted for it
    };
    TransportOptions o;
    o.timeout_ms = 500;  // ends the hang
    for (Mode mode : all_modes()) {
        CAPTURE(mode_name(mode));
        CurlTransport transport(o);
        Run run(transport, url_workload(urls), mode, 3);
        run.wait();
        const Summary s = run.summary();
        CHECK(s.ok == 2);  // the plain one and the trickle
        CHECK(s.ok + s.errors == urls.size());
        const Timeline t = run.timeline();
        const auto& rs = t.requests;
        CHECK(rs[3].result.error == ErrorKind::timeout);
        CHECK(rs[4].result.ok());
        CHECK(rs[7].result.status == 500);
        CHECK(rs[8].result.status == 500);
    }
    const auto n = all_modes().size();
    const FaultCounts c = lab.server.faults();
    CHECK(c.reset == n);
    CHECK(c.close == n);
    CHECK(c.hang == n);
    CHECK(c.trickle == n);
    CHECK(c.garbage == n);
    CHECK(c.truncate == n);
    CHECK(c.fail == 2 * n);

    const nlohmann::json faults = lab_faults(lab.port());
    CHECK(faults.at("reset") == c.reset);
    CHECK(faults.at("close") == c.close);
    CHECK(faults.at("hang") == c.hang);
    CHECK(faults.at("trickle") == c.trickle);
    CHECK(faults.at("garbage") == c.garbage);
    CHECK(faults.at("truncate") == c.truncate);
    CHECK(faults.at("fail") == c.fail);
    CHECK(faults.size() == 7);
}

TEST_CASE("/lab counts nothing before a fault, and a bad fault value is a 400") {
    Lab lab;
    const nlohmann::json faults = lab_faults(lab.port());
    for (const char* kind : {"reset", "close", "hang", "trickle", "garbage", "truncate", "fail"}) {
        CAPTURE(kind);
        CHECK(faults.at(kind) == 0);
    }
    const Raw bad = raw_get(lab.port(), "/delay?fault=explode");
    CHECK(bad.bytes.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(bad.bytes.find("fault must be one of reset, close, hang, trickle, garbage, truncate") !=
          std::string::npos);
    const Raw rate = raw_get(lab.port(), "/delay?rate=10");
    CHECK(rate.bytes.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(rate.bytes.find("rate needs fault=trickle") != std::string::npos);
    const FaultCounts c = lab.server.faults();
    CHECK(c.reset + c.close + c.hang + c.trickle + c.garbage + c.truncate + c.fail == 0);
}
