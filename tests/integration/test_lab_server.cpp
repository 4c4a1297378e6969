#include <doctest/doctest.h>

#include "lab_server.h"
#include "workload.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>  // getpid, to name the temp folder

extern char** environ;

// A raw Beast client over loopback. Not libcurl: curl would tidy "../" out of a path before the
// server ever saw it, and the traversal checks need the server to see exactly what was sent.

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using fetchlab::LabServer;
using fetchlab::LabServerOptions;

namespace {

using Response = http::response<http::string_body>;

// One connection. Each call blocks until done, but runs as an async operation under a deadline
// so a server that never answers fails the test instead of hanging it.
class Client {
public:
    explicit Client(std::uint16_t port) : stream_(ioc_) {
        finish([&](auto handler) {
            stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), handler);
        });
    }

    Response request(const std::string& target, http::verb method = http::verb::get) {
        http::request<http::empty_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        finish([&](auto handler) { http::async_write(stream_, req, handler); });

        http::response_parser<http::string_body> parser;
        parser.body_limit(32 * 1024 * 1024);
        parser.skip(method == http::verb::head);  // a HEAD answer announces a body it does not send
        finish([&](auto handler) { http::async_read(stream_, buffer_, parser, handler); });
        return parser.release();
    }

    // Sends a request and returns without reading the answer.
    void send_only(const std::string& target) {
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "127.0.0.1");
        finish([&](auto handler) { http::async_write(stream_, req, handler); });
    }

private:
    template <class Start>
    void finish(Start start) {
        beast::error_code result;
        stream_.expires_after(std::chrono::seconds(5));
        start([&](beast::error_code ec, auto&&...) { result = ec; });
        ioc_.restart();
        ioc_.run();
        if (result) throw beast::system_error(result);
    }

    asio::io_context ioc_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
};

Response get(std::uint16_t port, const std::string& target, http::verb method = http::verb::get) {
    return Client(port).request(target, method);
}

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Polls a condition the server's thread makes true; returns whether it came true in time.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    const auto deadline = Clock::now() + timeout;
    while (!condition()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

std::string header(const Response& res, const char* name) { return std::string(res[name]); }

LabServerOptions loopback(const std::string& web_root = "") {
    LabServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.web_root = web_root;
    return options;
}

void write_file(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

const char* kSecret = "TOP SECRET: outside the web root";

// A web root with a page, a wasm file, a folder, and symlinks that lead out of the root; the
// secret lives beside the root, where no request may reach it.
struct TempSite {
    fs::path base;
    fs::path root;

    TempSite() {
        static int counter = 0;
        base = fs::temp_directory_path() /
               ("fetchlab-lab-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        root = base / "root";
        fs::create_directories(root / "sub");
        fs::create_directories(base / "outside");
        write_file(root / "index.html", "<h1>lab</h1>");
        write_file(root / "app.wasm", std::string("\0asm\1\0\0\0", 8));
        write_file(root / "sub" / "notes.txt", "notes");
        write_file(base / "outside" / "secret.txt", kSecret);
        write_file(base / "secret", kSecret);
        fs::create_symlink(base / "outside" / "secret.txt", root / "escape.txt");
        fs::create_directory_symlink(base / "outside", root / "escape_dir");
    }
    ~TempSite() {
        std::error_code ignored;
        fs::remove_all(base, ignored);
    }
};

}  // namespace

TEST_CASE("lab server: /delay answers after the delay with the asked status and size") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);

    SUBCASE("ms=100 waits at least 100 ms") {
        const auto start = Clock::now();
        const auto res = get(port, "/delay?ms=100");
        const auto elapsed = ms_since(start);
        CHECK(res.result_int() == 200);
        CHECK(res.body().empty());
        CHECK(elapsed >= 100);
        CHECK(elapsed < 1000);
    }
    SUBCASE("bytes=1000 gives exactly 1000 bytes of plain text") {
        const auto res = get(port, "/delay?bytes=1000");
        CHECK(res.result_int() == 200);
        CHECK(res.body().size() == 1000);
        CHECK(header(res, "Content-Type") == "text/plain");
    }
    SUBCASE("status=503 answers 503") {
        CHECK(get(port, "/delay?status=503&bytes=10").result_int() == 503);
    }
    SUBCASE("an unusual status such as 599 still makes a valid answer") {
        CHECK(get(port, "/delay?status=599").result_int() == 599);
    }
    SUBCASE("status=204 answers without a body even when bytes are asked for") {
        const auto res = get(port, "/delay?status=204&bytes=100");
        CHECK(res.result_int() == 204);
        CHECK(res.body().empty());
    }
    SUBCASE("HEAD announces the size without sending the body") {
        const auto res = get(port, "/delay?bytes=500", http::verb::head);
        CHECK(res.result_int() == 200);
        CHECK(header(res, "Content-Length") == "500");
    }
}

TEST_CASE("lab server: bad /delay parameters are refused with a one-line reason") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);

    auto res = get(port, "/delay?ms=60001");
    CHECK(res.result_int() == 400);
    CHECK(res.body() == "ms must be a whole number from 0 to 60000\n");
    CHECK(header(res, "Access-Control-Allow-Origin") == "*");

    res = get(port, "/delay?foo=1");
    CHECK(res.result_int() == 400);
    CHECK(res.body().find("unknown parameter 'foo'") != std::string::npos);

    CHECK(get(port, "/delay?ms=-1").result_int() == 400);
}

TEST_CASE("lab server: seed pages answer with 8 KiB and unknown pages are not found") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);

    const auto start = Clock::now();
    const auto res = get(port, "/seed/1");
    CHECK(res.result_int() == 200);
    CHECK(res.body().size() == 8192);
    CHECK(ms_since(start) >= fetchlab::seed_delays_ms().at(0));

    CHECK(get(port, "/seed/0").result_int() == 404);
    CHECK(get(port, "/seed/12").result_int() == 404);
    CHECK(get(port, "/seed/x").result_int() == 404);
}

TEST_CASE("lab server: headers allow cross-origin reads and isolation") {
    SUBCASE("isolation is on by default and lab endpoints allow any origin") {
        LabServer server(loopback());
        server.start();
        const auto res = get(server.ports().at(0), "/health");
        CHECK(res.result_int() == 200);
        CHECK(res.body() == "ok\n");
        CHECK(header(res, "Cross-Origin-Opener-Policy") == "same-origin");
        CHECK(header(res, "Cross-Origin-Embedder-Policy") == "require-corp");
        CHECK(header(res, "Cross-Origin-Resource-Policy") == "cross-origin");
        CHECK(header(res, "Access-Control-Allow-Origin") == "*");
        CHECK(header(res, "Timing-Allow-Origin") == "*");
        CHECK(header(res, "Cache-Control") == "no-store");
        CHECK(header(res, "Server") == "fetchlab-lab");

        const auto missing = get(server.ports().at(0), "/nothing-here");
        CHECK(missing.result_int() == 404);
        CHECK(header(missing, "Cross-Origin-Resource-Policy") == "cross-origin");
        CHECK(header(missing, "Cross-Origin-Opener-Policy") == "same-origin");
    }
    SUBCASE("isolation=false drops COOP and COEP but keeps CORP") {
        auto options = loopback();
        options.isolation = false;
        LabServer server(options);
        server.start();
        const auto res = get(server.ports().at(0), "/health");
        CHECK(header(res, "Cross-Origin-Opener-Policy").empty());
        CHECK(header(res, "Cross-Origin-Embedder-Policy").empty());
        CHECK(header(res, "Cross-Origin-Resource-Policy") == "cross-origin");
    }
}

TEST_CASE("lab server: OPTIONS is a CORS preflight and other methods are not allowed") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);

    const auto res = get(port, "/delay?ms=5000", http::verb::options);  // answered at once, no delay
    CHECK(res.result_int() == 204);
    CHECK(header(res, "Access-Control-Allow-Origin") == "*");
    CHECK(header(res, "Access-Control-Allow-Methods") == "GET, HEAD, OPTIONS");
    CHECK(header(res, "Access-Control-Allow-Headers") == "*");
    CHECK(header(res, "Access-Control-Max-Age") == "600");

    CHECK(get(port, "/health", http::verb::post).result_int() == 405);
    CHECK(get(port, "/index.html", http::verb::delete_).result_int() == 405);
}

TEST_CASE("lab server: without a web root / lists the endpoints and nothing else is served") {
    LabServer server(loopback());
    server.start();
    const auto res = get(server.ports().at(0), "/");
    CHECK(res.result_int() == 200);
    CHECK(res.body().find("/delay") != std::string::npos);
    CHECK(get(server.ports().at(0), "/index.html").result_int() == 404);
}

TEST_CASE("lab server: static files are served with their MIME type") {
    TempSite site;
    LabServer server(loopback(site.root.string()));
    server.start();
    const auto port = server.ports().at(0);

    auto res = get(port, "/");
    CHECK(res.result_int() == 200);
    CHECK(res.body() == "<h1>lab</h1>");
    CHECK(header(res, "Content-Type") == "text/html; charset=utf-8");
    CHECK(header(res, "Cross-Origin-Embedder-Policy") == "require-corp");

    res = get(port, "/app.wasm?v=3");
    CHECK(res.result_int() == 200);
    CHECK(header(res, "Content-Type") == "application/wasm");
    CHECK(res.body().size() == 8);

    res = get(port, "/app.wasm", http::verb::head);
    CHECK(res.result_int() == 200);
    CHECK(header(res, "Content-Length") == "8");

    res = get(port, "/sub/notes.txt");
    CHECK(res.body() == "notes");
    CHECK(header(res, "Content-Type") == "text/plain; charset=utf-8");

    CHECK(get(port, "/sub").result_int() == 404);  // a folder without index.html
    CHECK(get(port, "/missing.js").result_int() == 404);
}

TEST_CASE("lab server: no path leads out of the web root") {
    TempSite site;
    LabServer server(loopback(site.root.string()));
    server.start();
    const auto port = server.ports().at(0);

    for (const char* target : {"/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/sub/..%2f..%2fsecret",
                               "/../secret", "/sub/../../secret", "/%2E%2e/outside/secret.txt",
                               "/..\\secret", "/escape.txt", "/escape_dir/secret.txt"}) {
        CAPTURE(target);
        const auto res = get(port, target);
        CHECK(res.result_int() >= 400);
        CHECK(res.result_int() < 500);
        CHECK(res.body().find("TOP SECRET") == std::string::npos);
    }
    CHECK(get(port, "/escape.txt").result_int() == 403);
}

TEST_CASE("lab server: a folder's index.html that links out of the root is refused, not served") {
    TempSite site;
    // dir/index.html and the root's own index.html both lead to the secret beside the root.
    fs::create_directories(site.root / "dir");
    fs::create_symlink(site.base / "outside" / "secret.txt", site.root / "dir" / "index.html");
    const fs::path linked_root = site.base / "linked_root";
    fs::create_directories(linked_root);
    fs::create_symlink(site.base / "secret", linked_root / "index.html");
    // A link that stays inside the root is fine.
    fs::create_symlink(site.root / "sub" / "notes.txt", site.root / "alias.txt");

    LabServer server(loopback(site.root.string()));
    server.start();
    const auto port = server.ports().at(0);
    for (const char* target : {"/dir", "/dir/", "/dir/index.html"}) {
        CAPTURE(target);
        const auto res = get(port, target);
        CHECK(res.result_int() == 403);
        CHECK(res.body().find("TOP SECRET") == std::string::npos);
    }
    CHECK(get(port, "/alias.txt").body() == "notes");

    LabServer linked(loopback(linked_root.string()));
    linked.start();
    const auto res = get(linked.ports().at(0), "/");
    CHECK(res.result_int() == 403);
    CHECK(res.body().find("TOP SECRET") == std::string::npos);
}

TEST_CASE("lab server: a file larger than the socket's buffers arrives whole and exact") {
    TempSite site;
    std::string big(3 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7) % 26);
    write_file(site.root / "big.txt", big);
    LabServer server(loopback(site.root.string()));
    server.start();
    Client client(server.ports().at(0));
    const auto res = client.request("/big.txt");
    CHECK(res.result_int() == 200);
    CHECK(header(res, "Content-Length") == std::to_string(big.size()));
    CHECK(res.body() == big);
    CHECK(client.request("/health").body() == "ok\n");  // the connection is still good after it
}

TEST_CASE("lab server: ports=3 listens on three ports that all answer") {
    auto options = loopback();
    options.ports = 3;
    LabServer server(options);
    server.start();

    const auto ports = server.ports();
    REQUIRE(ports.size() == 3);
    CHECK(std::set<std::uint16_t>(ports.begin(), ports.end()).size() == 3);
    const auto origins = server.origins();
    REQUIRE(origins.size() == 3);
    for (std::size_t i = 0; i < ports.size(); ++i) {
        CHECK(origins[i] == "http://127.0.0.1:" + std::to_string(ports[i]));
        CHECK(get(ports[i], "/health").result_int() == 200);
    }
}

TEST_CASE("lab server: a port already taken is refused with a readable reason") {
    LabServer first(loopback());
    auto options = loopback();
    options.port = first.ports().at(0);
    try {
        LabServer second(options);
        FAIL("the second server should not have started");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) ==
              "cannot listen on 127.0.0.1:" + std::to_string(options.port) + ": Address already in use");
    }
}

TEST_CASE("lab server: a kept-alive connection answers one request after another") {
    LabServer server(loopback());
    server.start();
    Client client(server.ports().at(0));
    CHECK(client.request("/health").body() == "ok\n");
    const auto res = client.request("/delay?bytes=5");
    CHECK(res.body().size() == 5);
    // A delayed answer closes its connection, so no later request (or run) rides on it warm.
    CHECK_FALSE(res.keep_alive());
    CHECK(res[http::field::connection] == "close");
}

TEST_CASE("lab server: many delayed requests wait at once instead of one after another") {
    LabServer server(loopback());
    server.start();
    const auto port = server.ports().at(0);
    constexpr int n = 200;
    constexpr int delay_ms = 300;

    // All on one client io_context: every request is sent before any answer is read.
    asio::io_context ioc;
    struct Conn {
        explicit Conn(asio::io_context& ioc) : socket(ioc) {}
        tcp::socket socket;
        http::request<http::empty_body> req;
        beast::flat_buffer buffer;
        Response res;
    };
    std::vector<std::unique_ptr<Conn>> conns;
    int answered = 0;
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
        auto& c = *conns.emplace_back(std::make_unique<Conn>(ioc));
        c.socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        c.req = {http::verb::get, "/delay?ms=" + std::to_string(delay_ms), 11};
        c.req.set(http::field::host, "127.0.0.1");
        http::write(c.socket, c.req);
        http::async_read(c.socket, c.buffer, c.res, [&](beast::error_code ec, std::size_t) {
            if (!ec && c.res.result_int() == 200) ++answered;
        });
    }
    // Every request should be waiting on the server now, well before the first is answered.
    CHECK(eventually([&] { return server.requests_in_flight() == n; }, std::chrono::milliseconds(delay_ms)));

    ioc.run_for(std::chrono::seconds(5));
    CHECK(answered == n);
    CHECK(ms_since(start) < 5 * delay_ms);
    // The server counts a request done once its write completes, which may be just after the
    // client has read the answer.
    CHECK(eventually([&] { return server.requests_in_flight() == 0; }));
}

TEST_CASE("lab server: run() serves on the calling thread until stop()") {
    LabServer server(loopback());
    std::thread serving([&] { server.run(); });
    CHECK(get(server.ports().at(0), "/health").result_int() == 200);
    server.stop();
    serving.join();
}

TEST_CASE("lab server: stop and destruction return promptly while requests still wait") {
    const auto start = Clock::now();
    {
        LabServer server(loopback());
        server.start();
        Client client(server.ports().at(0));
        client.send_only("/delay?ms=10000");
        CHECK(eventually([&] { return server.requests_in_flight() == 1; }));
        server.stop();
    }  // the destructor joins the server's thread
    CHECK(ms_since(start) < 1000);
}

namespace {

// Starts `fetchlab serve` with these arguments (through `args[0]`, found on PATH) and returns its
// banner, up to the "stop:" line; a deadline keeps a silent server from hanging the test.
std::string serve_banner(std::vector<const char*> args) {
    int out[2];
    REQUIRE(pipe(out) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    args.push_back(nullptr);
    pid_t pid = 0;
    REQUIRE(posix_spawnp(&pid, args[0], &actions, nullptr, const_cast<char**>(args.data()), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);

    std::string banner;
    const auto start = Clock::now();
    char buf[256];
    while (banner.find("stop:") == std::string::npos && ms_since(start) < 5000) {
        pollfd p{out[0], POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        const auto got = read(out[0], buf, sizeof buf);
        if (got <= 0) break;
        banner.append(buf, static_cast<std::size_t>(got));
    }
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    close(out[0]);
    return banner;
}

}  // namespace

TEST_CASE("lab server: serve prints the address it is bound to, and no network warning on loopback") {
    const std::string banner =
        serve_banner({FETCHLAB_CLI, "serve", "--host", "127.0.0.1", "--port", "0", "--max-connections", "50"});
    CAPTURE(banner);
    const auto at = banner.find("http://127.0.0.1:");
    REQUIRE(at != std::string::npos);
    const std::string port = banner.substr(at + 17, banner.find('/', at + 17) - at - 17);
    CHECK(port != "0");
    CHECK(banner.find("listen: 127.0.0.1:" + port + ", up to 50 connections\n") != std::string::npos);
    CHECK(banner.find("warning") == std::string::npos);
}

TEST_CASE("lab server: serve on a wildcard address says where it listens and warns it is reachable") {
    // In a network namespace of its own (unshare -rn: a user and a network namespace, no root
    // needed) the wildcard reaches nothing but that namespace's loopback.
    const std::string banner =
        serve_banner({"unshare", "-rn", FETCHLAB_CLI, "serve", "--host", "0.0.0.0", "--port", "0"});
    CAPTURE(banner);
    CHECK(banner.find("listen: 0.0.0.0:") != std::string::npos);
    CHECK(banner.find("warning: not a loopback address, so the lab is reachable from the network") != std::string::npos);
}
