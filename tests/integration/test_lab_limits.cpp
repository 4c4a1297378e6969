// The lab under abuse: requests it cannot frame, clients that go away, large files, too many
// connections. Raw bytes over loopback, so the server sees exactly what a hostile client sends.
#include <doctest/doctest.h>

#include "lab_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>

#include <sys/resource.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>  // getpid, to name the temp folder

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using fetchlab::LabServer;
using fetchlab::LabServerOptions;

namespace {

LabServerOptions loopback() {
    LabServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
}

// What came back for some bytes sent, and how the connection ended: "eof" (closed cleanly),
// "reset", "timeout" (the server kept it open), or another error's message.
struct Exchange {
    std::string received;
    std::string ended;
};

Exchange send_raw(std::uint16_t port, const std::string& bytes, std::chrono::seconds deadline = std::chrono::seconds(5)) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(deadline);  // one deadline for the whole exchange
    Exchange out;
    std::array<char, 4096> buf{};
    std::function<void(beast::error_code, std::size_t)> on_read = [&](beast::error_code ec, std::size_t n) {
        out.received.append(buf.data(), n);
        if (!ec) return stream.async_read_some(asio::buffer(buf), on_read);
        out.ended = ec == asio::error::eof               ? "eof"
                    : ec == asio::error::connection_reset ? "reset"
                    : ec == beast::error::timeout         ? "timeout"
                                                          : ec.message();
    };
    stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) return void(out.ended = "connect: " + ec.message());
        asio::async_write(stream, asio::buffer(bytes), [&](beast::error_code ec, std::size_t) {
            if (ec) return void(out.ended = "write: " + ec.message());
        });
        stream.async_read_some(asio::buffer(buf), on_read);
    });
    ioc.run();
    return out;
}

int status_of(const std::string& answer) {
    return answer.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(answer.substr(9, 3)) : 0;
}

std::string body_of(const std::string& answer) {
    const auto at = answer.find("\r\n\r\n");
    return at == std::string::npos ? "" : answer.substr(at + 4);
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// A refusal: one answer with the status, a one-line reason, and a clean close.
void check_refused(const Exchange& e, int status) {
    CAPTURE(e.received.substr(0, 300));
    CHECK(status_of(e.received) == status);
    CHECK(count(e.received, "Server: fetchlab-lab") == 1);
    CHECK(e.received.find("Connection: close\r\n") != std::string::npos);
    const std::string body = body_of(e.received);
    CHECK(body.size() > 1);
    CHECK(count(body, "\n") == 1);
    CHECK((!body.empty() && body.back() == '\n'));
    CHECK(e.ended == "eof");
}

const std::string kHost = "Host: 127.0.0.1\r\n";
const std::string kHealth = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Polls a condition the server's thread makes true; returns whether it came true in time.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!condition()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

// Connections that each sent a request and wait for their answers unread.
std::vector<tcp::socket> open_waiting(asio::io_context& ioc, std::uint16_t port, int n, const std::string& target) {
    std::vector<tcp::socket> sockets;
    for (int i = 0; i < n; ++i) {
        tcp::socket& s = sockets.emplace_back(ioc);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        asio::write(s, asio::buffer("GET " + target + "&id=" + std::to_string(i) + " HTTP/1.1\r\n" + kHost + "\r\n"));
    }
    return sockets;
}

// Under a sanitizer RSS mostly measures its own bookkeeping (ASan keeps freed memory in
// quarantine), not the lab's buffers.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kRssMeasuresTheLab = false;
#else
constexpr bool kRssMeasuresTheLab = true;
#endif

long rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

}  // namespace

TEST_CASE("lab limits: a Transfer-Encoding other than chunked is refused, never read as the next request") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);
    const std::string second = "GET /health HTTP/1.1\r\n" + kHost + "\r\n";

    for (const char* coding : {"gzip", "chunked, gzip", "identity", "gzip, chunked"}) {
        CAPTURE(coding);
        const auto e = send_raw(port, "GET /health HTTP/1.1\r\n" + kHost + "Transfer-Encoding: " + coding +
                                          "\r\n\r\n" + second);
        check_refused(e, 501);
    }
    // Two header lines, and a coding beside a Content-Length: each is refused too.
    check_refused(send_raw(port, "GET /health HTTP/1.1\r\n" + kHost +
                                     "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + second),
                  501);
    check_refused(send_raw(port, "GET /health HTTP/1.1\r\n" + kHost +
                                     "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + second),
                  400);

    // Plain chunked is fine: the body is read and the connection stays open for the next request.
    const auto e = send_raw(port, "GET /health HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
                                      "GET /health HTTP/1.1\r\n" + kHost + "Connection: close\r\n\r\n");
    CHECK(count(e.received, "HTTP/1.1 200 OK") == 2);
    CHECK(e.ended == "eof");
}

TEST_CASE("lab limits: HTTP/1.1 without exactly one Host is refused") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);
    check_refused(send_raw(port, "GET /health HTTP/1.1\r\n\r\n"), 400);
    check_refused(send_raw(port, "GET /health HTTP/1.1\r\n" + kHost + kHost + "\r\n"), 400);
    CHECK(status_of(send_raw(port, "GET /health HTTP/1.1\r\n" + kHost + "Connection: close\r\n\r\n").received) == 200);
    // HTTP/1.0 had no Host requirement.
    CHECK(body_of(send_raw(port, "GET /health HTTP/1.0\r\n\r\n").received) == "ok\n");
}

TEST_CASE("lab limits: an oversized request line, header or body gets 414, 431 or 413 with a reason") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);
    const auto request = [](const std::string& target, const std::string& fields, const std::string& body = "") {
        return "GET " + target + " HTTP/1.1\r\n" + kHost + fields + "\r\n" + body;
    };

    SUBCASE("a target over 8 KiB, and a request line longer than the whole header limit") {
        check_refused(send_raw(port, request("/health?" + std::string(9 * 1024, 'a'), "")), 414);
        check_refused(send_raw(port, request("/health?" + std::string(40 * 1024, 'a'), "")), 414);
    }
    SUBCASE("a header over 16 KiB, in one field or many") {
        check_refused(send_raw(port, request("/health", "X-Big: " + std::string(20 * 1024, 'b') + "\r\n")), 431);
        std::string many;
        for (int i = 0; i < 400; ++i) many += "X-Field-" + std::to_string(i) + ": " + std::string(60, 'c') + "\r\n";
        check_refused(send_raw(port, request("/health", many)), 431);
    }
    SUBCASE("a body over 64 KiB, announced or chunked") {
        const std::string big(100 * 1024, 'd');
        check_refused(send_raw(port, request("/health", "Content-Length: " + std::to_string(big.size()) + "\r\n", big)), 413);
        std::string chunked;
        for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(0x1000, 'e') + "\r\n";
        check_refused(send_raw(port, request("/health", "Transfer-Encoding: chunked\r\n", chunked + "0\r\n\r\n")), 413);
    }
    SUBCASE("just inside every limit is served") {
        const std::string target = "/health?" + std::string(7 * 1024, 'a');
        const std::string fields = "Connection: close\r\nX-Big: " + std::string(8 * 1024, 'b') + "\r\n";
        const std::string body(60 * 1024, 'd');
        const auto e = send_raw(port, request(target, fields + "Content-Length: " + std::to_string(body.size()) + "\r\n", body));
        CHECK(status_of(e.received) == 200);
        CHECK(e.ended == "eof");
    }
}

TEST_CASE("lab limits: delayed requests whose clients have gone free their sockets at once") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);
    constexpr int n = 400;
    asio::io_context ioc;
    auto sockets = open_waiting(ioc, port, n, "/delay?ms=30000");
    REQUIRE(eventually([&] { return server.requests_in_flight() == n; }, std::chrono::seconds(5)));
    REQUIRE(server.connections() == n);

    // Half close cleanly, half reset (a zero linger turns close() into an RST).
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        if (i % 2) sockets[i].set_option(asio::socket_base::linger(true, 0));
        sockets[i].close();
    }
    const auto dropped = Clock::now();
    CHECK(eventually([&] { return server.requests_in_flight() == 0 && server.connections() == 0; },
                     std::chrono::seconds(2)));
    const auto freed_ms = ms_since(dropped);

    const auto asked = Clock::now();
    CHECK(body_of(send_raw(port, kHealth).received) == "ok\n");
    const auto health_ms = ms_since(asked);
    CHECK(health_ms < 500);
    MESSAGE(n << " dropped delayed requests freed in " << freed_ms << " ms; /health then took " << health_ms << " ms");
}

TEST_CASE("lab limits: a client that leaves just as its delay ends is let go once, not answered too") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);
    asio::io_context ioc;
    // Closing a few hundred sockets takes milliseconds, so the closes straddle the delay's end:
    // some land in the very loop turn the timer fires. Counted twice, in flight would wrap.
    for (int offset_ms : {40, 45, 50}) {
        CAPTURE(offset_ms);
        const auto sent = Clock::now();
        auto sockets = open_waiting(ioc, port, 300, "/delay?ms=50");
        std::this_thread::sleep_until(sent + std::chrono::milliseconds(offset_ms));
        for (auto& socket : sockets) socket.close();
        CHECK(eventually([&] { return server.requests_in_flight() == 0 && server.connections() == 0; },
                         std::chrono::seconds(2)));
        CHECK(server.requests_in_flight() < 300);
    }
}

TEST_CASE("lab limits: bytes sent after a delayed request do not cancel it") {
    LabServer server(loopback());
    server.start();
    const auto e = send_raw(server.ports().at(0), "GET /delay?ms=200 HTTP/1.1\r\n" + kHost + "\r\nmore bytes");
    CHECK(status_of(e.received) == 200);
    CHECK(e.ended == "eof");
}

TEST_CASE("lab limits: past the connection cap a new connection gets a fast 503; below it /health answers") {
    auto options = loopback();
    options.max_connections = 3;
    LabServer server(options);
    server.start();
    CHECK(server.max_connections() == 3);
    const auto port = server.ports().at(0);
    asio::io_context ioc;
    auto held = open_waiting(ioc, port, 3, "/delay?ms=10000");
    REQUIRE(eventually([&] { return server.connections() == 3; }, std::chrono::seconds(5)));

    const auto asked = Clock::now();
    const auto busy = send_raw(port, kHealth);
    const auto busy_ms = ms_since(asked);
    check_refused(busy, 503);
    CHECK(body_of(busy.received) == "the lab is at its limit of 3 connections; try again soon\n");
    CHECK(busy_ms < 500);

    held.front().close();
    CHECK(eventually([&] { return server.connections() == 2; }, std::chrono::seconds(2)));
    CHECK(body_of(send_raw(port, kHealth).received) == "ok\n");
    MESSAGE("the 503 over the cap took " << busy_ms << " ms");
}

TEST_CASE("lab limits: the default cap is min(16000, the descriptor soft limit - 256)") {
    rlimit limit{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &limit) == 0);
    const std::size_t soft = limit.rlim_cur == RLIM_INFINITY ? 1u << 30 : limit.rlim_cur;
    const std::size_t expected = std::min<std::size_t>(16000, soft > 512 ? soft - 256 : soft / 2);
    CHECK(fetchlab::default_max_connections() == expected);
    CHECK(LabServer(loopback()).max_connections() == expected);
}

TEST_CASE("lab limits: a large file is streamed, not read into memory, and /health answers meanwhile") {
    const fs::path root = fs::temp_directory_path() / ("fetchlab-lab-limits-" + std::to_string(::getpid()));
    fs::create_directories(root);
    constexpr std::uintmax_t size = 256u << 20;
    std::ofstream(root / "big.bin").close();
    fs::resize_file(root / "big.bin", size);  // sparse: no disk, and the page cache reads zeros

    auto options = loopback();
    options.web_root = root.string();
    LabServer server(options);
    server.start();
    const auto port = server.ports().at(0);
    CHECK(body_of(send_raw(port, kHealth).received) == "ok\n");  // warm both sides up
    const long before = rss_kib();

    // Three downloads at once on a client thread, each read into a fixed buffer and dropped.
    constexpr int n = 3;
    std::atomic<int> finished{0};
    std::vector<std::uintmax_t> got(n, 0);
    std::thread clients([&] {
        asio::io_context ioc;
        struct Download {
            explicit Download(asio::io_context& ioc) : stream(ioc) {}
            beast::tcp_stream stream;
            std::array<char, 64 * 1024> buf;
        };
        std::vector<std::unique_ptr<Download>> downloads;
        const std::string request = "GET /big.bin HTTP/1.1\r\n" + kHost + "Connection: close\r\n\r\n";
        for (int i = 0; i < n; ++i) {
            auto& d = *downloads.emplace_back(std::make_unique<Download>(ioc));
            d.stream.expires_after(std::chrono::seconds(60));
            d.stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
            asio::write(d.stream.socket(), asio::buffer(request));
            auto on_read = std::make_shared<std::function<void(beast::error_code, std::size_t)>>();
            *on_read = [&, i, on_read](beast::error_code ec, std::size_t bytes) {
                got[i] += bytes;
                if (!ec) return downloads[i]->stream.async_read_some(asio::buffer(downloads[i]->buf), *on_read);
                ++finished;
                *on_read = nullptr;  // breaks the cycle
            };
            d.stream.async_read_some(asio::buffer(d.buf), *on_read);
        }
        ioc.run();
    });

    long peak = before;
    long long worst_health_ms = 0;
    int health_checks = 0;
    const auto start = Clock::now();
    while (finished < n && ms_since(start) < 60000) {
        peak = std::max(peak, rss_kib());
        const auto asked = Clock::now();
        CHECK(body_of(send_raw(port, kHealth).received) == "ok\n");
        worst_health_ms = std::max(worst_health_ms, ms_since(asked));
        ++health_checks;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    clients.join();
    const auto took_ms = ms_since(start);
    std::error_code ignored;
    fs::remove_all(root, ignored);

    for (int i = 0; i < n; ++i) CHECK(got[i] > size);  // the file and its header
    const long growth_kib = peak - before;
    if (kRssMeasuresTheLab) CHECK(growth_kib < 8 * 1024);
    // Reachable, not fast: the figure is printed; on a loaded 2-core machine it reaches about 0.6 s,
    // where a lab stalled by the big files would not answer at all within the test's time.
    CHECK(worst_health_ms < 1500);
    MESSAGE(n << " x 256 MiB in " << took_ms << " ms; RSS grew " << growth_kib << " KiB; /health worst "
              << worst_health_ms << " ms over " << health_checks << " checks");
}
