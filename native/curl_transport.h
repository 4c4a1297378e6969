#pragma once
// libcurl behind the core's Transport: an easy handle per blocking fetch, one multi handle
// for every async fetch, driven by curl_multi_socket_action over epoll.
#include <curl/curl.h>

#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "transport.h"

namespace fetchlab {

class CurlTransport final : public Transport {
public:
    // Initialises libcurl globally on first use: construct the transport before any thread starts.
    explicit CurlTransport(TransportOptions options = {});
    ~CurlTransport() override;
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    Result fetch(const Request& request, const std::atomic<bool>& stop) override;
    void start(const Request& request, Done done) override;
    int pump(int max_wait_ms) override;
    void abort_started() override;
    double now() const override;

    std::size_t started_in_flight() const { return active_.size(); }

    struct Transfer;  // one request's easy handle and what its callbacks count

private:
    static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
    static int on_timer(CURLM* multi, long timeout_ms, void* self);
    // Hands curl what epoll saw within wait_ms and any due timeout, then collects what finished.
    void drive(int wait_ms);
    void collect_finished();  // curl's finished transfers, into undelivered_
    void end_overdue();       // transfers past their timeout, ended as timeouts, into undelivered_
    int deliver(std::vector<std::unique_ptr<Transfer>>& finished);

    TransportOptions options_;
    CURLM* multi_ = nullptr;
    int epoll_fd_ = -1;
    double timer_due_ = -1;  // when curl wants CURL_SOCKET_TIMEOUT, on now()'s clock; -1: no timer
    std::unordered_map<Transfer*, std::unique_ptr<Transfer>> active_;  // added to multi_, not finished
    // Each started transfer's deadline, in start order and so in deadline order (one timeout for
    // all); an entry whose transfer has ended is skipped when it comes up.
    std::deque<std::pair<double, Transfer*>> deadlines_;
    // Ended and waiting for pump() to deliver them: finished (also while start() drove curl),
    // failed to start, or taken out by abort_started().
    std::vector<std::unique_ptr<Transfer>> undelivered_;
};

// How a finished transfer's CURLcode (and the errno behind a failed connect) reads as an error.
// `connected`: a server was reached, so a refused protocol or a failed allocation is its answer's
// fault (curl 7.88 reads a non-HTTP answer as HTTP/0.9 and refuses that protocol, and runs out
// of its header buffer on a giant header), not the URL's or the machine's.
ErrorKind error_kind_for(CURLcode code, long os_errno, bool over_size_cap, bool connected = false);

}  // namespace fetchlab
