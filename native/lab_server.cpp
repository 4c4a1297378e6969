#include "lab_server.h"

#include "lab_framing.h"
#include "lab_static.h"
#include "lab_faults.h"
#include "workload.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fetchlab {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Parsing helpers (public so they can be tested without a socket).

namespace {

constexpr long kMaxBodyBytes = 16L * 1024 * 1024;
constexpr std::size_t kConnectionsCeiling = 16000;
constexpr std::size_t kDescriptorMargin = 256;  // listeners, files being sent, connections turned away
constexpr std::size_t kMaxTurnaways = kDescriptorMargin / 2;
constexpr int kSeedBodyBytes = 8 * 1024;

// Reads a plain decimal integer no greater than `max`; stops early so long inputs cannot overflow.
bool parse_bounded(const std::string& text, long max, long& out) {
    if (text.empty()) return false;
    long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
        if (value > max) return false;
    }
    out = value;
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool parse_delay_query(const std::string& query, DelayParams& out, std::string& error) {
    struct Field {
        const char* name;
        long min, max;
        long value;
        bool seen;
    };
    DelayParams defaults;
    Field fields[] = {
        {"ms", 0, 60000, defaults.ms, false},
        {"bytes", 0, kMaxBodyBytes, defaults.bytes, false},
        {"status", 200, 599, defaults.status, false},
        {"jitter", 0, 60000, defaults.jitter_ms, false},
        {"fail", 0, 100, defaults.fail_percent, false},
        {"rate", 1, kMaxBodyBytes, defaults.rate, false},
    };
    Fault fault = defaults.fault;
    std::string id;

    std::size_t start = 0;
    while (start <= query.size()) {
        std::size_t end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        const std::string pair = query.substr(start, end - start);
        start = end + 1;
        if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless

        const std::size_t eq = pair.find('=');
        const std::string name = pair.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);

        if (name == "id") {
            // Any short token: it only makes each request's URL unique. A browser's HTTP cache
            // lets one request at a time through for identical URLs, which would serialize them.
            const bool token = !value.empty() && value.size() <= 32 &&
                               std::all_of(value.begin(), value.end(), [](unsigned char c) {
                                   return std::isalnum(c) || c == '-' || c == '_' || c == '.';
                               });
            if (!token) {
                error = "id must be 1 to 32 letters, digits, '-', '_' or '.'";
                return false;
            }
            id = value;
            continue;
        }
        if (name == "fault") {
            if (fault != Fault::none) {
                error = "fault is given more than once";
                return false;
            }
            if (!parse_fault_name(value, fault)) {
                error = "fault must be one of " + std::string(kFaultNames);
                return false;
            }
            continue;
        }
        Field* field = nullptr;
        for (Field& f : fields)
            if (name == f.name) field = &f;
        if (!field) {
            // The name is echoed back, so keep a hostile one from making the reply long.
            error = "unknown parameter '" + name.substr(0, 40) +
                    "' (use ms, bytes, status, jitter, fault, rate, fail, id)";
            return false;
        }
        if (field->seen) {
            // Refused rather than "last one wins", so a typo'd URL never silently means something else.
            error = name + " is given more than once";
            return false;
        }
        field->seen = true;
        long v = 0;
        if (!parse_bounded(value, field->max, v) || v < field->min) {
            error = name + " must be a whole number from " + std::to_string(field->min) + " to " +
                    std::to_string(field->max);
            return false;
        }
        field->value = v;
    }

    out.ms = static_cast<int>(fields[0].value);
    out.bytes = fields[1].value;
    out.status = static_cast<int>(fields[2].value);
    out.jitter_ms = static_cast<int>(fields[3].value);
    out.fail_percent = static_cast<int>(fields[4].value);
    out.rate = fields[5].value;
    out.fault = fault;
    out.id = id;
    return check_fault_params(fields[5].seen, out, error);
}

bool clean_request_path(const std::string& target_path, std::string& relative_out) {
    const std::string path = target_path.substr(0, target_path.find('?'));
    if (path.empty() || path[0] != '/') return false;

    // Split on the raw slashes first: a decoded %2F must never become a separator.
    std::string relative;
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string segment;
        for (std::size_t i = start; i < end; ++i) {
            char c = path[i];
            if (c == '%') {
                if (i + 2 >= end) return false;  // a '%' needs two hex digits
                const int hi = hex_value(path[i + 1]), lo = hex_value(path[i + 2]);
                if (hi < 0 || lo < 0) return false;
                c = static_cast<char>(hi * 16 + lo);
                i += 2;
            }
            if (c == '\0' || c == '\\' || c == '/') return false;
            segment += c;
        }
        start = end + 1;

        if (segment.empty() || segment == ".") continue;
        if (segment == "..") return false;
        if (!relative.empty()) relative += '/';
        relative += segment;
    }
    relative_out = relative;
    return true;
}

const char* mime_type_for(const std::string& path) {
    static const std::pair<const char*, const char*> types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript"},
        {".mjs", "text/javascript"},           {".css", "text/css"},
        {".wasm", "application/wasm"},         {".json", "application/json"},
        {".png", "image/png"},                 {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},              {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
    };
    const std::size_t dot = path.rfind('.');
    const std::size_t slash = path.rfind('/');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
        std::string ext = path.substr(dot);
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        for (const auto& [suffix, type] : types)
            if (ext == suffix) return type;
    }
    return "application/octet-stream";
}

// ---------------------------------------------------------------------------------------------
// The server: one io_context, one Session per connection, a timer per waiting request.

namespace {

using Request = http::request<http::string_body>;
// Every body is a view: into the shared filler or into the session's own string. That keeps a
// 16 MiB answer as cheap to hold as an empty one. Static files are the exception: file_body.
using Response = http::response<http::span_body<const char>>;

// The text every made-up body shows: letters in 64-byte lines.
std::string make_filler(std::size_t size) {
    std::string s(size, '\n');
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i % 64 != 63) s[i] = static_cast<char>('a' + i % 26);
    return s;
}

// One filler for every made-up body. Building the 16 MiB one takes tens of milliseconds, which
// would show up in the first request's time, so bodies up to 64 KiB (the seed's pages among
// them) use a small one and only a larger body pays for the large one, once.
const char* filler(std::size_t bytes) {
    static const std::string small = make_filler(64 * 1024);
    if (bytes <= small.size()) return small.data();
    static const std::string large = make_filler(kMaxBodyBytes);
    return large.data();
}

bool is_lab_path(const std::string& path) {
    return path == "/delay" || path == "/health" || path == "/lab" || path.rfind("/seed/", 0) == 0;
}

const char* kHelpText =
    "fetchlab latency lab\n"
    "\n"
    "GET /delay?ms=&bytes=&status=&jitter=&id=  answers after ms (+ random 0..jitter) ms\n"
    "           &fault=reset|close|hang|trickle|garbage|truncate&rate=  spoils the answer (trickle: rate B/s)\n"
    "           &fail=P                     P% of answers are a 500, picked by id\n"
    "GET /seed/N                            N = 1..11, the seed experiment's pages\n"
    "GET /health                            ok\n"
    "GET /lab                               {\"ports\": [...], \"faults\": {...}}: the origins a page may\n"
    "                                       spread requests over, and the faults injected so far\n";

// Everything the server owns. Named at namespace scope so sessions can use it; LabServer::Impl,
// which the header keeps private, is just this.
struct Lab {
    // Declared before the io_context, so they outlive the sessions its handlers still own.
    std::atomic<std::size_t> connections{0};  // sessions open
    std::size_t turning_away = 0;             // io thread only: connections over the cap, being answered
    // Declared first so it is destroyed last: its pending handlers own sessions, and their sockets.
    asio::io_context ioc{1};
    LabServerOptions options;
    fs::path root;  // canonical; empty when no web root
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    std::vector<std::unique_ptr<asio::steady_timer>> retry_timers;
    std::vector<std::uint16_t> ports;
    std::atomic<std::size_t> in_flight{0};
    FaultCounters faults;
    std::uint64_t fail_counter = 0;                 // io thread only: fail=P's pick without an id
    std::minstd_rand rng{std::random_device{}()};  // io thread only
    std::array<char, 4096> discard;                 // io thread only: bytes read to be dropped
    std::size_t max_connections = 0;
    std::string busy_answer;                        // what connections over the cap are told
    std::vector<std::string> endpoints;             // as bound
    bool accept_error_logged = false;               // io thread only
    std::thread thread;

    void listen(std::uint16_t port);
    void accept(std::size_t i);
};

// Reads and drops until the client closes or the stream's deadline passes. Closing with the
// client's bytes unread would reset the connection, and a reset can destroy an answer the client
// has not read yet.
template <class Owner>
void drain(std::shared_ptr<Owner> owner, beast::tcp_stream& stream, std::array<char, 4096>& scratch) {
    stream.async_read_some(asio::buffer(scratch), [owner, &stream, &scratch](beast::error_code ec, std::size_t) {
        if (!ec) drain(owner, stream, scratch);
    });
}

// A connection over the cap: a fast 503 and a close. Far more of them than the margin under
// the descriptor limit are closed at once, unanswered.
class Turnaway : public std::enable_shared_from_this<Turnaway> {
public:
    Turnaway(tcp::socket socket, Lab& lab) : stream_(std::move(socket)), lab_(lab) { ++lab_.turning_away; }
    ~Turnaway() { --lab_.turning_away; }

    void start() {
        stream_.expires_after(std::chrono::seconds(1));
        asio::async_write(stream_, asio::buffer(lab_.busy_answer), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
            drain(self, self->stream_, self->lab_.discard);
        });
    }

private:
    beast::tcp_stream stream_;
    Lab& lab_;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, Lab& server)
        // The buffer may hold more than a header, so the parser's header limit is met first.
        : stream_(std::move(socket)), buffer_(2 * kMaxHeaderBytes), delay_(stream_.get_executor()), server_(server) {
        ++server_.connections;
    }
    ~Session() { --server_.connections; }

    void read() {
        parser_.emplace();
        parser_->header_limit(kMaxHeaderBytes);
        parser_->body_limit(kMaxRequestBody);
        stream_.expires_after(std::chrono::seconds(30));  // idle keep-alive connections go away
        // The header first, so its framing is checked before any body is read.
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

private:
    void on_header(beast::error_code ec) {
        if (ec) return on_read_error(ec);
        const Refusal refusal = refuse_header(parser_->get());
        if (refusal.status) return refuse(refusal);
        if (parser_->is_done()) return on_read({});
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read_error(beast::error_code ec) {
        if (ec == http::error::end_of_stream) return shut_down();
        const auto unread = buffer_.data();
        const Refusal refusal =
            refuse_read_error(ec, parser_->get(), {static_cast<const char*>(unread.data()), unread.size()});
        if (refusal.status) return refuse(refusal);
        // A timeout or a reset: there is nobody to answer, and dropping the connection is the answer.
    }

    // Answers a request that cannot be framed with its one-line reason, then closes.
    void refuse(const Refusal& refusal) {
        stream_.expires_never();
        ++server_.in_flight;
        started_ = Clock::now();
        const auto& req = parser_->get();
        method_ = std::string(req.method_string());
        target_ = std::string(req.target().substr(0, 200));  // for the log; it may be huge
        res_.version(11);
        res_.keep_alive(false);
        res_.set(http::field::server, "fetchlab-lab");
        res_.set(http::field::access_control_allow_origin, "*");  // a page can read why
        text(static_cast<http::status>(refusal.status), refusal.reason);
        parser_.reset();
        refused_ = true;
        finish(false);
        write();
    }

    void on_read(beast::error_code ec) {
        if (ec) return on_read_error(ec);
        stream_.expires_never();
        ++server_.in_flight;
        started_ = Clock::now();
        const Request req = parser_->release();
        parser_.reset();
        if (buffer_.size() == 0) buffer_.shrink_to_fit();  // waiting requests hold no read buffer
        method_ = std::string(req.method_string());
        target_ = std::string(req.target());

        const auto wait = answer(req);
        if (wait.count() == 0) return write();
        delay_.expires_after(wait);
        waiting_ = true;
        delay_.async_wait([self = shared_from_this()](beast::error_code ec) {
            // A client that left in the loop turn the delay ended has been let go already: the
            // cancel came too late to stop this handler, so it must not answer (or count) again.
            if (ec || !self->waiting_) return;
            self->stop_watching();
            self->write();
        });
        watch();
    }

    // While its answer waits, a request watches its socket: a client that has gone (closed or
    // reset) frees the socket and the timer now, not when the delay ends. Else one client could
    // open and drop thousands of long delays and leave the lab without descriptors meanwhile.
    void watch() {
        stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
            if (self->waiting_) self->on_readable(ec);
        });
    }

    void on_readable(beast::error_code ec) {
        if (!ec) {
            // Bytes after the request do not mean the client has gone, only an end of stream or
            // an error does. A delayed answer closes its connection, so they are dropped; were it
            // to keep the connection, they are the next request, left to read after the answer.
            const bool keep = res_.keep_alive();
            stream_.socket().non_blocking(true, ec);
            if (!ec)
                stream_.socket().receive(asio::buffer(server_.discard), keep ? tcp::socket::message_peek : 0, ec);
            if (!ec && keep) return;
            if (!ec || ec == asio::error::would_block) return watch();
        }
        waiting_ = false;
        delay_.cancel();
        --server_.in_flight;
        if (server_.options.log)
            std::fprintf(stderr, "%s %s client gone after %lld ms\n", method_.c_str(), target_.c_str(),
                         static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count()));
        beast::error_code ignored;
        stream_.socket().close(ignored);
    }

    void stop_watching() {
        waiting_ = false;
        beast::error_code ignored;
        stream_.socket().cancel(ignored);
    }

    void write() {
        server_.faults.count(fault_);
        if (fault_.fault != Fault::none)
            return write_fault(fault_, stream_, res_,
                               [self = shared_from_this()] { self->on_write(asio::error::shut_down); });
        stream_.expires_after(std::chrono::seconds(60));
        auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); };
        if (!file_.is_open()) return http::async_write(stream_, res_, std::move(done));
        // A file goes out a few KiB at a time as the socket takes it, so a large one costs no
        // memory and other connections are served between its pieces.
        file_res_.emplace(res_.base(), std::move(file_));
        http::async_write(stream_, *file_res_, std::move(done));
    }

    void on_write(beast::error_code ec) {
        --server_.in_flight;
        if (server_.options.log) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
            std::fprintf(stderr, "%s %s %u %lld ms\n", method_.c_str(), target_.c_str(), res_.result_int(),
                         static_cast<long long>(ms));
        }
        if (ec) return;
        if (refused_) return linger();
        if (res_.need_eof()) return shut_down();
        res_ = {};
        file_res_.reset();
        body_.clear();
        body_.shrink_to_fit();
        read();
    }

    void shut_down() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    // After a refusal the client may still be sending (the rest of a large body). Closing with
    // its bytes unread would reset the connection, and a reset can destroy the answer before the
    // client reads it; so the lab stops sending, then reads and drops until the client closes,
    // for a second at most.
    void linger() {
        shut_down();
        stream_.expires_after(std::chrono::seconds(1));
        drain(shared_from_this(), stream_, server_.discard);
    }

    // Fills res_ and says how long to wait before sending it.
    std::chrono::milliseconds answer(const Request& req) {
        const std::string target(req.target());
        const std::size_t q = target.find('?');
        const std::string path = target.substr(0, q);
        const std::string query = q == std::string::npos ? "" : target.substr(q + 1);

        fault_ = {};
        res_.version(req.version());
        res_.keep_alive(req.keep_alive());
        res_.set(http::field::server, "fetchlab-lab");
        res_.set("Cross-Origin-Resource-Policy", "cross-origin");
        if (server_.options.isolation) {
            res_.set("Cross-Origin-Opener-Policy", "same-origin");
            res_.set("Cross-Origin-Embedder-Policy", "require-corp");
        }
        // A page on another origin (or port) must be able to read and time the lab's answers.
        if (is_lab_path(path)) {
            // Every lab answer closes its connection, as a different site would not share one:
            // no run inherits another's warm connections (a browser keeps them across runs, and
            // synchronous requests open more than its per-origin cap), so the comparison is fair.
            if (path != "/lab" && path != "/health") res_.keep_alive(false);
            res_.set(http::field::access_control_allow_origin, "*");
            res_.set("Timing-Allow-Origin", "*");
            res_.set(http::field::cache_control, "no-store");
        }

        std::chrono::milliseconds wait{0};
        const bool head = req.method() == http::verb::head;
        if (req.method() == http::verb::options) {
            res_.result(http::status::no_content);
            res_.set(http::field::access_control_allow_origin, "*");
            res_.set(http::field::access_control_allow_methods, "GET, HEAD, OPTIONS");
            res_.set(http::field::access_control_allow_headers, "*");
            res_.set(http::field::access_control_max_age, "600");
        } else if (req.method() != http::verb::get && !head) {
            res_.set(http::field::allow, "GET, HEAD, OPTIONS");
            text(http::status::method_not_allowed, "method not allowed (use GET, HEAD or OPTIONS)");
        } else if (path == "/health") {
            text(http::status::ok, "ok");
        } else if (path == "/lab") {
            // The page asks which ports it may spread requests over, one origin each.
            body_ = "{\"ports\": [";
            for (std::size_t i = 0; i < server_.ports.size(); ++i)
                body_ += (i ? ", " : "") + std::to_string(server_.ports[i]);
            body_ += "], \"faults\": " + fault_counts_json(server_.faults.snapshot()) + "}\n";
            res_.result(http::status::ok);
            res_.set(http::field::content_type, "application/json");
        } else if (path == "/delay") {
            DelayParams p;
            std::string error;
            if (!parse_delay_query(query, p, error)) {
                text(http::status::bad_request, error);
            } else {
                fault_ = plan_faults(p, server_.fail_counter);
                if (fault_.fail) {
                    text(http::status::internal_server_error,
                         "injected failure (fail=" + std::to_string(p.fail_percent) + ")");
                } else {
                    set_status(static_cast<unsigned>(p.status));
                    filler_body(p.bytes);
                }
                int ms = p.ms;
                if (p.jitter_ms > 0) ms += std::uniform_int_distribution<int>(0, p.jitter_ms)(server_.rng);
                wait = std::chrono::milliseconds(ms);
            }
        } else if (path.rfind("/seed/", 0) == 0) {
            long n = 0;
            const auto& delays = seed_delays_ms();
            if (parse_bounded(path.substr(6), static_cast<long>(delays.size()), n) && n >= 1) {
                res_.result(http::status::ok);
                filler_body(kSeedBodyBytes);
                wait = std::chrono::milliseconds(delays[static_cast<std::size_t>(n - 1)]);
            } else {
                text(http::status::not_found, "no such seed page (use /seed/1 to /seed/" +
                                                  std::to_string(delays.size()) + ")");
            }
        } else {
            serve_file(path, head);
        }
        finish(head);
        return wait;
    }

    void serve_file(const std::string& path, bool head) {
        std::string relative;
        if (server_.root.empty()) {
            if (path == "/") {
                body_ = kHelpText;
                res_.result(http::status::ok);
                res_.set(http::field::content_type, "text/plain; charset=utf-8");
            } else {
                text(http::status::not_found, "not found");
            }
            return;
        }
        if (!clean_request_path(path, relative)) return text(http::status::bad_request, "path refused");

        const StaticFile found = find_static_file(server_.root, relative);
        if (found.status == 403) return text(http::status::forbidden, "outside the web root");
        if (found.status != 200) return text(http::status::not_found, "not found");
        switch (open_static_file(server_.root, found.path, file_)) {
            case 200: break;
            case 403: return text(http::status::forbidden, "outside the web root");
            case 503: return text(http::status::service_unavailable, "the lab is out of file descriptors");
            default: return text(http::status::not_found, "not found");
        }
        res_.result(http::status::ok);
        res_.set(http::field::content_type, found.type);
        res_.set(http::field::cache_control, "no-cache");
        res_.content_length(file_.size());  // for HEAD too, which sends no body
        if (head) file_.close();
    }

    void text(http::status status, const std::string& line) {
        res_.result(status);
        res_.set(http::field::content_type, "text/plain; charset=utf-8");
        body_ = line + "\n";
    }

    void set_status(unsigned code) {
        res_.result(code);
        if (http::int_to_status(code) == http::status::unknown) res_.reason("Lab Status");
    }

    void filler_body(long bytes) {
        res_.set(http::field::content_type, "text/plain");
        if (bytes > 0) res_.body() = {filler(static_cast<std::size_t>(bytes)), static_cast<std::size_t>(bytes)};
    }

    // Points the body at body_ (unless it already shows the filler) and sets the length.
    void finish(bool head) {
        const unsigned code = res_.result_int();
        if (code == 204 || code == 304) {  // these must not carry a body
            res_.body() = {};
            return;
        }
        if (!body_.empty()) res_.body() = {body_.data(), body_.size()};
        if (!res_.has_content_length()) res_.content_length(res_.body().size());
        if (head) res_.body() = {};
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    asio::steady_timer delay_;
    Response res_;
    http::file_body::value_type file_;  // a static file waiting to be sent
    std::optional<http::response<http::file_body>> file_res_;
    FaultPlan fault_;
    std::string body_;
    std::string method_, target_;
    Clock::time_point started_;
    bool refused_ = false;
    bool waiting_ = false;  // for the delay, watching the socket
    Lab& server_;
};

void Lab::listen(std::uint16_t port) {
    const std::string where = options.host + ":" + std::to_string(port);
    beast::error_code ec;
    const auto address = asio::ip::make_address(options.host, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": not an IP address");

    auto acceptor = std::make_unique<tcp::acceptor>(ioc);
    const tcp::endpoint endpoint(address, port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());

    std::ostringstream bound;
    bound << acceptor->local_endpoint();
    endpoints.push_back(bound.str());
    ports.push_back(acceptor->local_endpoint().port());
    acceptors.push_back(std::move(acceptor));
    retry_timers.push_back(std::make_unique<asio::steady_timer>(ioc));
}

void Lab::accept(std::size_t i) {
    acceptors[i]->async_accept([this, i](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) {
            // Running out of descriptors (EMFILE) is temporary; the listener must outlive it.
            if (!accept_error_logged) {
                std::fprintf(stderr, "lab server: accept failed (%s); retrying\n", ec.message().c_str());
                accept_error_logged = true;
            }
            retry_timers[i]->expires_after(std::chrono::milliseconds(100));
            retry_timers[i]->async_wait([this, i](beast::error_code wait_ec) {
                if (!wait_ec) accept(i);
            });
            return;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // Nagle would add its own latency to the lab's
        if (connections.load() < max_connections)
            std::make_shared<Session>(std::move(socket), *this)->read();
        else if (turning_away < kMaxTurnaways)
            std::make_shared<Turnaway>(std::move(socket), *this)->start();
        accept(i);
    });
}

// The answer for connections over the cap, made once.
std::string make_busy_answer(std::size_t max_connections) {
    http::response<http::string_body> res{http::status::service_unavailable, 11};
    res.set(http::field::server, "fetchlab-lab");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::access_control_allow_origin, "*");
    res.set(http::field::retry_after, "1");
    res.keep_alive(false);
    res.body() = "the lab is at its limit of " + std::to_string(max_connections) + " connections; try again soon\n";
    res.prepare_payload();
    std::ostringstream out;
    out << res;
    return out.str();
}

}  // namespace

std::size_t default_max_connections() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return kConnectionsCeiling;
    const auto soft = static_cast<std::size_t>(limit.rlim_cur);
    return std::min(kConnectionsCeiling, soft > 2 * kDescriptorMargin ? soft - kDescriptorMargin : soft / 2);
}

bool is_loopback_address(const std::string& address) {
    beast::error_code ec;
    const auto a = asio::ip::make_address(address, ec);
    if (ec) return false;
    if (a.is_v4()) return a.to_v4().is_loopback();
    const auto v6 = a.to_v6();
    return v6.is_loopback() || (v6.is_v4_mapped() && asio::ip::make_address_v4(asio::ip::v4_mapped, v6).is_loopback());
}

struct LabServer::Impl : Lab {};

LabServer::LabServer(const LabServerOptions& options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    impl_->max_connections = options.max_connections ? options.max_connections : default_max_connections();
    impl_->busy_answer = make_busy_answer(impl_->max_connections);
    if (options.ports < 1) throw std::runtime_error("the lab needs at least one port");
    if (options.port != 0 && options.port + options.ports - 1 > 65535)
        throw std::runtime_error("ports " + std::to_string(options.port) + ".." +
                                 std::to_string(options.port + options.ports - 1) + " go past 65535");
    if (!options.web_root.empty()) {
        std::error_code ec;
        impl_->root = fs::canonical(options.web_root, ec);
        if (ec || !fs::is_directory(impl_->root))
            throw std::runtime_error("web root is not a folder: " + options.web_root);
    }
    for (int i = 0; i < options.ports; ++i)
        impl_->listen(options.port == 0 ? 0 : static_cast<std::uint16_t>(options.port + i));
    for (std::size_t i = 0; i < impl_->acceptors.size(); ++i) impl_->accept(i);
}

LabServer::~LabServer() {
    stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

const std::vector<std::uint16_t>& LabServer::ports() const { return impl_->ports; }

std::vector<std::string> LabServer::origins() const {
    // A wildcard bind is reached through loopback; an IPv6 literal needs brackets in a URL.
    std::string host = impl_->options.host;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    std::vector<std::string> out;
    for (auto port : impl_->ports) out.push_back("http://" + host + ":" + std::to_string(port));
    return out;
}

void LabServer::run() { impl_->ioc.run(); }

void LabServer::start() {
    if (impl_->thread.joinable()) return;
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

void LabServer::stop() { impl_->ioc.stop(); }

std::size_t LabServer::requests_in_flight() const { return impl_->in_flight.load(); }

std::size_t LabServer::connections() const { return impl_->connections.load(); }

std::size_t LabServer::max_connections() const { return impl_->max_connections; }

const std::vector<std::string>& LabServer::endpoints() const { return impl_->endpoints; }

// Every listener is bound to options.host, which the constructor checked is an IP address.
bool LabServer::loopback_only() const { return is_loopback_address(impl_->options.host); }

FaultCounts LabServer::faults() const { return impl_->faults.snapshot(); }

}  // namespace fetchlab
