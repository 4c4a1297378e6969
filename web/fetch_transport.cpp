#include "fetch_transport.h"

#include <emscripten/emscripten.h>
#include <emscripten/fetch.h>
#include <emscripten/threading.h>

#include <algorithm>
#include <cstring>

namespace fetchlab {

struct FetchTransport::Pending {
    FetchTransport* owner = nullptr;  // null once aborted: the browser's late callback is ignored
    Done done;
    Result result;
    double timeout_s = 0;
    std::string url;        // to find the browser's timing of it
    int timing_waits = 0;   // pumps that found no timing yet
};

namespace {

double now_seconds() { return emscripten_get_now() / 1000.0; }

// XMLHttpRequest.open() throws on a URL it cannot parse, which would abort the module: check
// first, the same way the browser will (relative to the page; http and https only).
EM_JS(int, url_is_fetchable, (const char* url), {
    try {
        var u = new URL(UTF8ToString(url), self.location.href);
        return (u.protocol === 'http:' || u.protocol === 'https:') ? 1 : 0;
    } catch (e) {
        return 0;
    }
});

const char* bad_url_message = "not an http or https URL the browser can parse";
// emscripten_fetch returns no fetch only when it cannot allocate one (its malloc or strdup of the
// URL failed): the request never reached the browser, and no callback will come for it.
const char* not_started_message = "emscripten_fetch could not start the request (out of memory in the module)";

// The browser's own timing of a request that just finished (PerformanceResourceTiming), in the
// calling thread's timeline: of the entries for that URL that began no earlier than the request
// did, the first not already given to another request. Its phases go into `out` as seconds before
// now: [connect start, connected, first byte, new connection (1 or 0)]. Until connect start the
// browser held the request back, waiting for a free connection (its cap per origin); -1 there when
// that cannot be told apart (a redirect came first). On a reused connection connecting takes no
// time. Returns 1 with the phases, 0 when there is no entry (yet), -1 when the entry has nothing
// to share: a cross-origin answer without Timing-Allow-Origin reports zeros. `clear`: forget this
// thread's entries afterwards (a worker fetches one request at a time).
EM_JS(int, browser_timing, (const char* url, double started_ago_s, double* out, int clear), {
    var now = performance.now();
    var since = now - started_ago_s * 1000 - 2;  // 2 ms: the clocks are read a moment apart
    var href = new URL(UTF8ToString(url), self.location.href).href;
    var used = self.fetchlabUsedTimings || (self.fetchlabUsedTimings = new WeakSet());
    var entry = performance.getEntriesByName(href, 'resource').find(function (e) {
        return e.startTime >= since && !used.has(e);
    });
    if (clear) performance.clearResourceTimings();
    if (!entry) return 0;
    if (!entry.requestStart || !entry.responseStart) return -1;
    used.add(entry);
    // New when connecting took time, or began after the fetch did (clocks may be too coarse for
    // a loopback connect to take any).
    var fresh = entry.connectEnd > entry.connectStart || entry.connectStart > entry.fetchStart;
    // A name lookup, when there was one, is where the connection attempt began.
    var attempt = entry.domainLookupStart > entry.fetchStart ? entry.domainLookupStart : entry.connectStart;
    var ago = function (t) { return (now - t) / 1000; };
    HEAPF64[out >> 3] = entry.redirectEnd > 0 ? -1 : ago(fresh ? attempt : entry.requestStart);
    HEAPF64[(out >> 3) + 1] = ago(fresh ? entry.connectEnd : entry.requestStart);
    HEAPF64[(out >> 3) + 2] = ago(entry.responseStart);
    HEAPF64[(out >> 3) + 3] = fresh ? 1 : 0;
    return 1;
});

// A run's requests all fit in the main thread's timing buffer (250 entries by default), and no
// earlier run's entries are in the way.
EM_JS(void, reset_browser_timing, (int capacity), {
    performance.clearResourceTimings();
    performance.setResourceTimingBufferSize(capacity);
});

// The browser's phases into `r`; false when it has no entry for the request (yet).
bool add_browser_timing(const char* url, Result& r, bool clear) {
    double ago[4];
    const double now = now_seconds();
    const int found = browser_timing(url, now - r.started, ago, clear ? 1 : 0);
    if (found <= 0) return found < 0;
    // Clamped into the request's own span: the two clocks agree only to a millisecond or so.
    auto at = [&](double seconds_ago) { return std::clamp(now - seconds_ago, r.started, r.done); };
    if (ago[0] >= 0) r.connect_start = at(ago[0]);
    r.connected = at(ago[1]);
    r.first_byte = at(ago[2]);
    r.new_connection = ago[3] != 0;
    return true;
}

emscripten_fetch_attr_t base_attributes(const TransportOptions& options) {
    emscripten_fetch_attr_t attr;
    emscripten_fetch_attr_init(&attr);
    std::strcpy(attr.requestMethod, "GET");
    // To memory only: no IndexedDB, no cache between runs.
    attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY | EMSCRIPTEN_FETCH_REPLACE;
    attr.timeoutMSecs = static_cast<unsigned long>(options.timeout_ms);
    return attr;
}

// What a finished emscripten_fetch says, as a Result. The browser reports a refused connection,
// an unreachable host and a CORS refusal alike: status 0 and no detail, by design.
void read_outcome(const emscripten_fetch_t* f, Result& r, double timeout_s, std::uint64_t max_bytes) {
    r.done = now_seconds();
    r.status = f->status;
    r.bytes = f->numBytes ? f->numBytes : f->totalBytes;
    if (r.status == 0) {
        if (timeout_s > 0 && r.done - r.started >= timeout_s * 0.99) {
            r.error = ErrorKind::timeout;
            r.message = "no answer within " + std::to_string(static_cast<int>(timeout_s * 1000)) + " ms";
        } else {
            r.error = ErrorKind::network;
            r.message = "network error or CORS refusal (the browser gives status 0 and no detail)";
        }
        return;
    }
    if (r.first_byte < 0) r.first_byte = r.done;
    if (r.bytes > max_bytes) {
        r.error = ErrorKind::too_large;
        r.message = "body larger than the cap of " + std::to_string(max_bytes) + " bytes";
        return;
    }
    classify_http_status(r);
}

}  // namespace

FetchTransport::FetchTransport(TransportOptions options) : options_(options) {
    // Async requests are timed on the main thread; a worker clears its own after each request.
    if (emscripten_is_main_browser_thread()) reset_browser_timing(20000);
}

FetchTransport::~FetchTransport() {
    // Fetches still in the browser's hands keep their Pending alive; they will find no owner.
    for (auto& p : started_) p->owner = nullptr;
}

double FetchTransport::now() const { return now_seconds(); }

Result FetchTransport::fetch(const Request& request, const std::atomic<bool>& stop) {
    Result r;
    r.started = now();
    if (stop.load()) return failed_before_start(ErrorKind::cancelled, "cancelled before it started", r.started);
    if (!url_is_fetchable(request.url.c_str())) return failed_before_start(ErrorKind::bad_url, bad_url_message, now());
    emscripten_fetch_attr_t attr = base_attributes(options_);
    attr.attributes |= EMSCRIPTEN_FETCH_SYNCHRONOUS;
    // A synchronous request gives no events along the way: only its start and its end are known.
    emscripten_fetch_t* f = emscripten_fetch(&attr, request.url.c_str());
    if (!f) return failed_before_start(ErrorKind::network, not_started_message, now());
    read_outcome(f, r, 0, options_.max_bytes);
    emscripten_fetch_close(f);
    // Best effort: the browser may add a request's timing entry only in a later task, and this
    // thread does not return to its event loop before its next request.
    if (r.status != 0) add_browser_timing(request.url.c_str(), r, true);
    return r;
}

void FetchTransport::start(const Request& request, Done done) {
    auto pending = std::make_shared<Pending>();
    pending->owner = this;
    pending->done = std::move(done);
    pending->result.started = now();
    pending->timeout_s = options_.timeout_ms / 1000.0;
    pending->url = request.url;
    if (!url_is_fetchable(request.url.c_str())) {
        // Delivered by the next pump, like every other completion.
        pending->result = failed_before_start(ErrorKind::bad_url, bad_url_message, now());
        pending->result.started = pending->result.done;
        finished_.push_back(pending);
        return;
    }

    emscripten_fetch_attr_t attr = base_attributes(options_);
    // The callbacks hold the Pending through this raw pointer plus the reference in started_
    // (or, once aborted, the one the callbacks themselves release).
    attr.userData = new std::shared_ptr<Pending>(pending);
    auto finish = [](emscripten_fetch_t* f) {
        auto* holder = static_cast<std::shared_ptr<Pending>*>(f->userData);
        std::shared_ptr<Pending> p = *holder;
        if (FetchTransport* owner = p->owner) {
            read_outcome(f, p->result, p->timeout_s, owner->options_.max_bytes);
            auto& s = owner->started_;
            s.erase(std::remove(s.begin(), s.end(), p), s.end());
            owner->finished_.push_back(p);
        }
        delete holder;
        emscripten_fetch_close(f);
    };
    attr.onsuccess = finish;
    attr.onerror = finish;
    attr.onreadystatechange = [](emscripten_fetch_t* f) {
        // HEADERS_RECEIVED: the first byte of the answer is here.
        auto* p = static_cast<std::shared_ptr<Pending>*>(f->userData)->get();
        if (f->readyState >= 2 && p->result.first_byte < 0) p->result.first_byte = now_seconds();
    };
    if (!emscripten_fetch(&attr, request.url.c_str())) {
        delete static_cast<std::shared_ptr<Pending>*>(attr.userData);
        const double started = pending->result.started;
        pending->result = failed_before_start(ErrorKind::network, not_started_message, now());
        pending->result.started = started;
        finished_.push_back(pending);
        return;
    }
    started_.push_back(pending);
}

int FetchTransport::pump(int) {
    // The browser's event loop already ran the callbacks between frames; hand over their results,
    // with the phases from the browser's timing. Its entry for a request is added in a task of
    // its own, which may come after the request's callback: a result whose entry is not there yet
    // waits a pump or two for it. Its times were stamped in the callback, so waiting moves none.
    std::vector<std::shared_ptr<Pending>> ready, later;
    ready.swap(finished_);
    int delivered = 0;
    for (auto& p : ready) {
        const bool timed = p->result.status == 0 || p->url.empty() ||
                           add_browser_timing(p->url.c_str(), p->result, false);
        if (!timed && ++p->timing_waits <= 2) {
            later.push_back(std::move(p));
            continue;
        }
        p->done(std::move(p->result));
        ++delivered;
    }
    finished_.insert(finished_.end(), later.begin(), later.end());
    return delivered;
}

void FetchTransport::abort_started() {
    // Emscripten 3.1.6 cannot abort an XHR in flight: the request runs on, and its callback,
    // finding no owner, only frees what it holds.
    const double t = now();
    for (auto& p : started_) {
        p->owner = nullptr;
        auto r = std::make_shared<Pending>();
        r->done = std::move(p->done);
        r->result = failed_before_start(ErrorKind::cancelled, "cancelled before it finished", t);
        r->result.started = p->result.started;
        finished_.push_back(r);
    }
    started_.clear();
}

}  // namespace fetchlab
