#include "curl_transport.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "fd_budget.h"
#include "report.h"

namespace fetchlab {

struct CurlTransport::Transfer {
    CURL* easy = nullptr;
    char errbuf[CURL_ERROR_SIZE] = {};
    std::uint64_t bytes = 0;
    std::uint64_t max_bytes = 0;
    bool over_size_cap = false;
    bool out_of_fds = false;  // its socket could not be opened: the process is at its descriptor limit
    const std::atomic<bool>* stop = nullptr;  // blocking fetches only
    double started = 0;
    double deadline = 0;                      // async fetches: started + the timeout
    Done done;                                // async fetches only
    Result result;                            // filled when it finishes

    ~Transfer() {
        if (easy) curl_easy_cleanup(easy);
    }
};

namespace {

double steady_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// The body is counted, not kept: the lesson is about time, and a cap keeps a huge page harmless.
size_t count_body(char*, size_t size, size_t nmemb, void* user) {
    auto* t = static_cast<CurlTransport::Transfer*>(user);
    t->bytes += size * nmemb;
    if (t->bytes > t->max_bytes) {
        t->over_size_cap = true;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    return size * nmemb;
}

// Called by curl at least about once a second while a blocking transfer runs.
int check_stop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<CurlTransport::Transfer*>(user);
    return (t->stop && t->stop->load(std::memory_order_relaxed)) ? 1 : 0;
}

// curl 7.88 reports a socket it could not open as "Couldn't connect to server", errno lost: the
// socket is opened here so that running out of descriptors is named as such.
curl_socket_t open_socket(void* user, curlsocktype, curl_sockaddr* address) {
    const curl_socket_t fd = socket(address->family, address->socktype, address->protocol);
    if (fd == CURL_SOCKET_BAD && errno == EMFILE)
        static_cast<CurlTransport::Transfer*>(user)->out_of_fds = true;
    return fd;
}

std::unique_ptr<CurlTransport::Transfer> make_transfer(const Request& request, const TransportOptions& options) {
    auto t = std::make_unique<CurlTransport::Transfer>();
    t->easy = curl_easy_init();
    t->max_bytes = options.max_bytes;
    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  // signals and threads do not mix
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, count_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    // A new connection per request, closed after it, as the original experiment's requests.get()
    // did (no session). It also spares curl looking through every open connection to the host for
    // a free one, which with 1,000 transfers at once costs more than the connections themselves.
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    static const std::string user_agent = std::string("fetchlab/") + fetchlab_version();
    curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    return t;
}

double info_seconds(CURL* e, CURLINFO what) {
    curl_off_t us = 0;
    if (curl_easy_getinfo(e, what, &us) != CURLE_OK) return 0;
    return static_cast<double>(us) / 1e6;
}

// curl's timings count from the start of the transfer; the result's phases are on our clock.
void finish_transfer(CurlTransport::Transfer& t, CURLcode code, double done) {
    Result& r = t.result;
    CURL* e = t.easy;
    long status = 0, connects = 0, os_errno = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
    const double connect = info_seconds(e, CURLINFO_CONNECT_TIME_T);
    const double first_byte = info_seconds(e, CURLINFO_STARTTRANSFER_TIME_T);
    // curl's clock starts when it first works on the transfer, which for async fetches can be
    // later than start(): anchor its times at the end, which both clocks agree on.
    const double curl_start = std::max(t.started, done - info_seconds(e, CURLINFO_TOTAL_TIME_T));

    r.status = static_cast<int>(status);
    r.bytes = std::min(t.bytes, t.max_bytes);
    r.started = t.started;
    r.new_connection = connects > 0;
    r.connected = (connect > 0 || status > 0) ? curl_start + connect : -1;
    r.first_byte = first_byte > 0 ? curl_start + first_byte : -1;
    r.done = done;
    r.error = error_kind_for(code, os_errno, t.over_size_cap, r.connected >= 0);
    const std::string curl_says = t.errbuf[0] ? t.errbuf : curl_easy_strerror(code);
    if (r.error == ErrorKind::too_large) {
        r.message = "body larger than the cap of " + std::to_string(t.max_bytes) + " bytes";
    } else if (r.error == ErrorKind::cancelled) {
        r.message = "cancelled before it finished";
    } else if (r.error != ErrorKind::none && (t.out_of_fds || os_errno == EMFILE)) {
        r.message = "out of file descriptors (limit " + std::to_string(open_fd_limit()) + ")";
    } else if (r.error == ErrorKind::protocol) {
        r.message = code == CURLE_OUT_OF_MEMORY ? "response header too large (" + curl_says + ")"
                                                : "not an HTTP answer (" + curl_says + ")";
    } else if (code == CURLE_PARTIAL_FILE) {
        curl_off_t expected = -1;
        curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
        r.message = "body shorter than Content-Length (" + std::to_string(t.bytes) + " of " +
                    (expected >= 0 ? std::to_string(expected) : std::string("more")) + " bytes): the server closed early";
    } else if (os_errno == ECONNRESET) {
        r.message = "connection reset by the server (" + curl_says + ")";
    } else if (r.error != ErrorKind::none) {
        r.message = curl_says;
        // curl 7.88 says "Couldn't connect to server"; the system's reason says why.
        if (os_errno != 0) {
            const std::string why = std::strerror(static_cast<int>(os_errno));
            if (r.message.find(why) == std::string::npos) r.message += " (" + why + ")";
        }
    }
    classify_http_status(r);
}

}  // namespace

ErrorKind error_kind_for(CURLcode code, long os_errno, bool over_size_cap, bool connected) {
    switch (code) {
    case CURLE_OK: return ErrorKind::none;
    case CURLE_UNSUPPORTED_PROTOCOL: return connected ? ErrorKind::protocol : ErrorKind::bad_url;
    case CURLE_OUT_OF_MEMORY: return connected ? ErrorKind::protocol : ErrorKind::network;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING: return ErrorKind::protocol;
    case CURLE_URL_MALFORMAT: return ErrorKind::bad_url;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return ErrorKind::dns;
    case CURLE_COULDNT_CONNECT: return os_errno == ECONNREFUSED ? ErrorKind::connect_refused : ErrorKind::network;
    case CURLE_OPERATION_TIMEDOUT: return ErrorKind::timeout;
    case CURLE_FILESIZE_EXCEEDED: return ErrorKind::too_large;
    case CURLE_WRITE_ERROR: return over_size_cap ? ErrorKind::too_large : ErrorKind::network;
    case CURLE_ABORTED_BY_CALLBACK: return ErrorKind::cancelled;
    default: return ErrorKind::network;
    }
}

CurlTransport::CurlTransport(TransportOptions options) : options_(options) {
    static std::once_flag global_init;
    std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    multi_ = curl_multi_init();
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlTransport::~CurlTransport() {
    for (auto& [key, t] : active_) curl_multi_remove_handle(multi_, t->easy);
    active_.clear();
    curl_multi_cleanup(multi_);
    close(epoll_fd_);
}

double CurlTransport::now() const { return steady_seconds(); }

Result CurlTransport::fetch(const Request& request, const std::atomic<bool>& stop) {
    auto t = make_transfer(request, options_);
    t->stop = &stop;
    curl_easy_setopt(t->easy, CURLOPT_XFERINFOFUNCTION, check_stop);
    curl_easy_setopt(t->easy, CURLOPT_XFERINFODATA, t.get());
    curl_easy_setopt(t->easy, CURLOPT_NOPROGRESS, 0L);
    t->started = now();
    CURLcode code = curl_easy_perform(t->easy);
    finish_transfer(*t, code, now());
    return std::move(t->result);
}

void CurlTransport::start(const Request& request, Done done) {
    auto t = make_transfer(request, options_);
    t->done = std::move(done);
    t->started = now();
    CURLMcode added = curl_multi_add_handle(multi_, t->easy);
    if (added != CURLM_OK) {
        // Delivered by the next pump, like every other completion.
        t->result = failed_before_start(ErrorKind::network, curl_multi_strerror(added), now());
        undelivered_.push_back(std::move(t));
        return;
    }
    Transfer* key = t.get();
    key->deadline = key->started + options_.timeout_ms / 1000.0;
    deadlines_.emplace_back(key->deadline, key);
    active_.emplace(key, std::move(t));
    // Set going now: curl opens this connection, and sends the requests of connections that are
    // up, while the rest are still being started. Left to the next pump, 1,000 connections would
    // all be opened before the first request left.
    drive(0);
}

// curl tells us which sockets to watch and when its next timeout is due; epoll waits on exactly
// those, so each wake-up costs in proportion to what happened, not to how many are in flight.
int CurlTransport::on_socket(CURL*, curl_socket_t fd, int what, void* self_ptr, void* watched) {
    auto* self = static_cast<CurlTransport*>(self_ptr);
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(self->epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        return 0;
    }
    epoll_event ev{};
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    // curl keeps a pointer per socket for us: non-null once the socket is in the epoll set.
    epoll_ctl(self->epoll_fd_, watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    if (!watched) curl_multi_assign(self->multi_, fd, self);
    return 0;
}

int CurlTransport::on_timer(CURLM*, long timeout_ms, void* self_ptr) {
    auto* self = static_cast<CurlTransport*>(self_ptr);
    self->timer_due_ = timeout_ms < 0 ? -1 : self->now() + timeout_ms / 1000.0;
    return 0;
}

void CurlTransport::collect_finished() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* raw = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
        const CURLcode code = msg->data.result;  // read before the handle is removed
        curl_multi_remove_handle(multi_, raw->easy);
        finish_transfer(*raw, code, now());
        auto it = active_.find(raw);
        undelivered_.push_back(std::move(it->second));
        active_.erase(it);
    }
}

int CurlTransport::pump(int max_wait_ms) {
    // No waiting while something has already ended; callbacks run here only, never in start().
    drive(undelivered_.empty() && !active_.empty() ? std::max(0, max_wait_ms) : 0);
    std::vector<std::unique_ptr<Transfer>> finished;
    finished.swap(undelivered_);
    return deliver(finished);
}

void CurlTransport::drive(int wait_ms) {
    if (timer_due_ >= 0) wait_ms = std::min(wait_ms, static_cast<int>(std::ceil((timer_due_ - now()) * 1000)));
    if (!deadlines_.empty())
        wait_ms = std::min(wait_ms, static_cast<int>(std::ceil((deadlines_.front().first - now()) * 1000)));
    wait_ms = std::max(0, wait_ms);

    epoll_event events[256];
    const int ready = epoll_wait(epoll_fd_, events, 256, wait_ms);
    int running = 0;
    for (int i = 0; i < ready; ++i) {
        int flags = 0;
        if (events[i].events & EPOLLIN) flags |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(multi_, events[i].data.fd, flags, &running);
    }
    if (timer_due_ >= 0 && now() >= timer_due_) {
        timer_due_ = -1;  // curl sets a new one from inside the call if it needs one
        curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    collect_finished();  // stamped done now, when curl finished them
    end_overdue();
}

// curl 7.88's multi interface can drop a transfer's timeout: when its timer falls due while the
// transfer's socket is being handled, curl discards the timer without ending the transfer (its
// own check truncates to whole milliseconds), and waits for the next one, 200 ms later or never.
// Measured: --timeout 1 in async mode ended at 200 ms in half the runs. The transport keeps the
// deadlines itself, as curl_easy_perform's loop effectively does for the blocking modes.
void CurlTransport::end_overdue() {
    const double t_now = now();
    while (!deadlines_.empty()) {
        auto [deadline, raw] = deadlines_.front();
        auto it = active_.find(raw);
        if (it != active_.end() && it->second->deadline == deadline) {
            if (deadline > t_now) break;
            Transfer& t = *it->second;
            std::snprintf(t.errbuf, sizeof t.errbuf, "Operation timed out after %d milliseconds with %llu bytes received",
                          static_cast<int>(std::lround((t_now - t.started) * 1000)),
                          static_cast<unsigned long long>(t.bytes));
            curl_multi_remove_handle(multi_, t.easy);
            finish_transfer(t, CURLE_OPERATION_TIMEDOUT, t_now);
            undelivered_.push_back(std::move(it->second));
            active_.erase(it);
        }
        deadlines_.pop_front();
    }
}

int CurlTransport::deliver(std::vector<std::unique_ptr<Transfer>>& finished) {
    // Callbacks run after curl is done with the handles, so they may start new transfers.
    for (auto& t : finished) t->done(std::move(t->result));
    return static_cast<int>(finished.size());
}

void CurlTransport::abort_started() {
    const double t_now = now();
    for (auto& [key, t] : active_) {
        curl_multi_remove_handle(multi_, t->easy);
        t->result = failed_before_start(ErrorKind::cancelled, "cancelled before it finished", t_now);
        t->result.started = t->started;
        undelivered_.push_back(std::move(t));
    }
    active_.clear();
    deadlines_.clear();
}

}  // namespace fetchlab
