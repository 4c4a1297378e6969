#include "lab_faults.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

namespace fetchlab {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Named {
    const char* name;
    Fault fault;
};
const Named kFaults[] = {
    {"reset", Fault::reset},     {"close", Fault::close},     {"hang", Fault::hang},
    {"trickle", Fault::trickle}, {"garbage", Fault::garbage}, {"truncate", Fault::truncate},
};

constexpr long kDefaultFaultBytes = 4096;
// Long enough for the client to read the headers before the reset, so it sees an answer break
// off rather than a connection refused after the fact.
constexpr auto kPauseBeforeReset = std::chrono::milliseconds(50);
// Trickle's tick: small chunks, few enough wakeups that thousands of trickles stay cheap.
constexpr auto kTrickleTick = std::chrono::milliseconds(20);

// FNV-1a: a fixed hash, unlike std::hash, so a non-numeric id fails on every machine alike.
std::uint64_t hash_id(const std::string& id) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
    return h;
}

std::uint64_t id_number(const std::string& id, std::uint64_t& counter) {
    if (id.empty()) return counter++;
    if (id.size() > 18 || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return hash_id(id);
    return std::stoull(id);
}

// One spoiled answer on one connection. Its handlers keep it alive; `done_` keeps the session
// (and so the stream and the response) alive while it works.
class FaultWriter : public std::enable_shared_from_this<FaultWriter> {
public:
    FaultWriter(const FaultPlan& plan, beast::tcp_stream& stream, LabResponse& res, std::function<void()> done)
        : plan_(plan), stream_(stream), res_(res), timer_(stream.get_executor()), done_(std::move(done)) {}

    void start() {
        stream_.expires_never();  // a fault lasts as long as it takes, or until the client goes
        const std::size_t size = res_.body().size();
        switch (plan_.fault) {
        case Fault::none: return finish();
        case Fault::reset:
            return write_headers([this] {
                timer_.expires_after(kPauseBeforeReset);
                timer_.async_wait([self = shared_from_this()](beast::error_code) { self->reset(); });
            });
        case Fault::close: return write_headers([this, size] { write_body(0, size / 2, [this] { close(); }); });
        case Fault::truncate:
            res_.content_length(2 * static_cast<std::uint64_t>(plan_.bytes));
            return write_headers([this, size] { write_body(0, size, [this] { close(); }); });
        case Fault::trickle:
            return write_headers([this] {
                trickle_start_ = Clock::now();
                trickle();
            });
        case Fault::hang: return wait_for_client();
        case Fault::garbage: {
            static const char kGarbage[] = "\x16\x03\x01 this is not HTTP \xff\xfe\r\n\r\n";
            return write_raw(kGarbage, sizeof kGarbage - 1, [this] { close(); });
        }
        }
    }

private:
    template <class Next>
    void write_headers(Next next) {
        serializer_ = std::make_unique<http::response_serializer<http::span_body<const char>>>(res_);
        http::async_write_header(stream_, *serializer_,
                                 [self = shared_from_this(), next](beast::error_code ec, std::size_t) {
                                     if (ec) return self->finish();
                                     next();
                                 });
    }

    template <class Next>
    void write_body(std::size_t from, std::size_t to, Next next) {
        write_raw(res_.body().data() + from, to - from, next);
    }

    template <class Next>
    void write_raw(const char* data, std::size_t size, Next next) {
        asio::async_write(stream_, asio::buffer(data, size),
                          [self = shared_from_this(), next](beast::error_code ec, std::size_t) {
                              if (ec) return self->finish();
                              next();
                          });
    }

    // Sends what the rate allows by now, then sleeps until the next byte is due (a tick at least).
    void trickle() {
        const std::size_t size = res_.body().size();
        const double elapsed = std::chrono::duration<double>(Clock::now() - trickle_start_).count();
        const auto due = std::min(size, static_cast<std::size_t>(elapsed * static_cast<double>(plan_.rate)));
        if (due > sent_) {
            const std::size_t from = sent_;
            sent_ = due;
            return write_body(from, due, [this] { trickle(); });
        }
        if (sent_ == size) return close();
        const auto next_byte = trickle_start_ + std::chrono::duration_cast<Clock::duration>(
                                                    std::chrono::duration<double>((sent_ + 1.0) / plan_.rate));
        timer_.expires_at(std::max(next_byte, Clock::now() + kTrickleTick));
        timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec) return self->finish();
            self->trickle();
        });
    }

    // Reads and drops whatever the client sends, until it closes or resets.
    void wait_for_client() {
        stream_.async_read_some(asio::buffer(sink_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (ec) return self->finish();
                                    self->wait_for_client();
                                });
    }

    void reset() {
        beast::error_code ignored;
        stream_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
        stream_.socket().close(ignored);
        finish();
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        finish();
    }

    void finish() {
        if (done_) std::exchange(done_, nullptr)();
    }

    FaultPlan plan_;
    beast::tcp_stream& stream_;
    LabResponse& res_;
    asio::steady_timer timer_;
    std::function<void()> done_;
    std::unique_ptr<http::response_serializer<http::span_body<const char>>> serializer_;
    Clock::time_point trickle_start_;
    std::size_t sent_ = 0;
    char sink_[512];
};

}  // namespace

const char* const kFaultNames = "reset, close, hang, trickle, garbage, truncate";

bool parse_fault_name(const std::string& name, Fault& out) {
    for (const Named& f : kFaults)
        if (name == f.name) {
            out = f.fault;
            return true;
        }
    return false;
}

bool check_fault_params(bool rate_given, DelayParams& params, std::string& error) {
    if (rate_given && params.fault != Fault::trickle) {
        error = "rate needs fault=trickle";
        return false;
    }
    // A reset after the headers of an empty body would come after a complete answer, unseen.
    const bool spoils_body = params.fault == Fault::reset || params.fault == Fault::close ||
                             params.fault == Fault::trickle || params.fault == Fault::truncate;
    if (spoils_body && params.bytes == 0) params.bytes = kDefaultFaultBytes;
    return true;
}

FaultPlan plan_faults(const DelayParams& params, std::uint64_t& counter) {
    FaultPlan plan;
    plan.bytes = params.bytes;
    plan.rate = params.rate;
    if (params.fail_percent > 0) {
        // Multiplying by 37 (prime to 100) permutes each hundred ids: exactly P fail, not the first P.
        const std::uint64_t score = id_number(params.id, counter) % 100 * 37 % 100;
        plan.fail = score < static_cast<std::uint64_t>(params.fail_percent);
    }
    if (!plan.fail) plan.fault = params.fault;
    return plan;
}

void FaultCounters::count(const FaultPlan& plan) {
    if (plan.fail) ++fail_;
    if (plan.fault != Fault::none) ++by_fault_[static_cast<int>(plan.fault)];
}

FaultCounts FaultCounters::snapshot() const {
    FaultCounts c;
    c.reset = by_fault_[static_cast<int>(Fault::reset)];
    c.close = by_fault_[static_cast<int>(Fault::close)];
    c.hang = by_fault_[static_cast<int>(Fault::hang)];
    c.trickle = by_fault_[static_cast<int>(Fault::trickle)];
    c.garbage = by_fault_[static_cast<int>(Fault::garbage)];
    c.truncate = by_fault_[static_cast<int>(Fault::truncate)];
    c.fail = fail_;
    return c;
}

std::string fault_counts_json(const FaultCounts& c) {
    const std::pair<const char*, std::uint64_t> fields[] = {
        {"reset", c.reset},     {"close", c.close},       {"hang", c.hang}, {"trickle", c.trickle},
        {"garbage", c.garbage}, {"truncate", c.truncate}, {"fail", c.fail},
    };
    std::string out = "{";
    for (const auto& [name, n] : fields)
        out += std::string(out.size() > 1 ? ", " : "") + "\"" + name + "\": " + std::to_string(n);
    return out + "}";
}

void write_fault(const FaultPlan& plan, beast::tcp_stream& stream, LabResponse& res, std::function<void()> done) {
    std::make_shared<FaultWriter>(plan, stream, res, std::move(done))->start();
}

}  // namespace fetchlab
