// The lab under abuse: requests it cannot frame, clients that go away, large files, too many
// connections. Raw bytes over loopback, so the server sees exactly what a hostile client sends.
#include <doctest/doctest.h>

#include "lab_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
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
