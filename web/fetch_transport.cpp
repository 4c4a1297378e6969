#include "fetch_transport.h"

#include <emscripten/emscripten.h>
#include <emscripten/fetch.h>
#include <emscripten/threading.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace fetchlab {

namespace {
// What naming a failed request takes besides its result.
struct FailureContext {
    int timeout_ms = 0;
    std::uint64_t max_bytes = 0;
    bool lab = false;            // the URL is on one of the lab's origins
    std::size_t in_flight = 0;   // the page's requests in flight when this one started, itself included
};
}  // namespace

struct FetchTransport::Pending {
    FetchTransport* owner = nullptr;  // null once aborted: the browser's late callback is ignored
    Done done;
    Result result;
    FailureContext context;
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

// A synchronous GET on this worker, with the timeout that Emscripten's fetch never sets on a
// synchronous request (its Fetch.js sets xhr.timeout only on asynchronous ones: a page's main
// thread refuses a timeout on a synchronous XHR, but a worker's takes one, and send() then throws
// a TimeoutError at the deadline). Returns the status; 0 for a network error, -1 past the timeout.
// *bytes gets the body's size.
EM_JS(int, sync_request, (const char* url, int timeout_ms, double* bytes), {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', UTF8ToString(url), false);
    xhr.timeout = timeout_ms;
    xhr.responseType = 'arraybuffer';
    try {
        xhr.send();
    } catch (e) {
        return e.name === 'TimeoutError' ? -1 : 0;
    }
    HEAPF64[bytes >> 3] = xhr.response ? xhr.response.byteLength : 0;
    return xhr.status;
});
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

std::string timeout_message(int timeout_ms) { return "no answer within the timeout of " + std::to_string(timeout_ms) + " ms"; }

bool from_lab(const std::string& url, const std::vector<std::string>& lab_origins) {
    for (const std::string& origin : lab_origins)
        if (url.compare(0, origin.size(), origin) == 0 &&
            (url.size() == origin.size() || std::strchr("/?#", url[origin.size()])))
            return true;
    return false;
}

FailureContext failure_context(const TransportOptions& o, const std::string& url, std::size_t in_flight) {
    FailureContext c;
    c.timeout_ms = o.timeout_ms;
    c.max_bytes = o.max_bytes;
    c.lab = from_lab(url, o.lab_origins);
    c.in_flight = in_flight;
    return c;
}

// A request that ended with status 0 and no other detail: the browser reports a refused
// connection, a reset, an answer that is not HTTP and a CORS refusal alike, by design. What the
// page knows narrows it down: an answer that had begun broke off; the lab's origins allow
// cross-origin reads, so there it was no CORS refusal; past the browser's own limit on requests
// in flight it refuses to start more.
void name_status_zero(Result& r, const FailureContext& c) {
    r.error = ErrorKind::network;
    if (c.in_flight >= browser_in_flight_limit) {
        r.message = "the browser refused to start it: " + std::to_string(c.in_flight) +
                    " requests were in flight, and Chromium fails those past about " +
                    std::to_string(browser_in_flight_limit) + " (net::ERR_INSUFFICIENT_RESOURCES)";
    } else if (r.first_byte >= 0) {
        r.message = "the connection broke off after the answer began (a reset, or a body cut short)";
    } else if (c.lab) {
        r.message = "could not connect to the lab's origin, or its answer was not HTTP (the browser tells the two "
                    "apart no further)";
    } else {
        r.message = "network error or the site refused cross-origin reads (the browser gives status 0 and no detail)";
    }
}

// A finished request's status and size, as a Result.
void read_outcome(Result& r, int status, std::uint64_t bytes, const FailureContext& c) {
    r.done = now_seconds();
    r.status = status;
    r.bytes = bytes;
    if (r.status == 0) {
        // The browser gives no sign of a timeout in an asynchronous fetch's status: it is one when
        // the request took the whole of its time.
        if (c.timeout_ms > 0 && r.done - r.started >= c.timeout_ms / 1000.0 * 0.99) {
            r.error = ErrorKind::timeout;
            r.message = timeout_message(c.timeout_ms);
        } else {
            name_status_zero(r, c);
        }
        return;
    }
    if (r.first_byte < 0) r.first_byte = r.done;
    if (r.bytes > c.max_bytes) {
        r.error = ErrorKind::too_large;
        r.message = "body larger than the cap of " + std::to_string(c.max_bytes) + " bytes";
        return;
    }
    classify_http_status(r);
}

}  // namespace

FetchTransport::FetchTransport(TransportOptions options) : options_(options) {
    // Async requests are timed on the main thread; a worker clears its own after each request.
    if (emscripten_is_main_browser_thread()) reset_browser_timing(20000);
}

double FetchTransport::cpu_now() const { return -1; }  // a page has no CPU clock: std::clock() is the wall clock

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
    FailureContext context = failure_context(options_, request.url, 1);
    // Synchronous, so the browser cannot be asked to stop it: a cancelled run leaves this thread
    // to finish it in the background, holding the transport. It gives no events along the way:
    // only its start and its end are known.
    double bytes = 0;
    const int status = sync_request(request.url.c_str(), std::max(options_.timeout_ms, 1), &bytes);
    if (status < 0) {
        r.done = now();
        r.error = ErrorKind::timeout;
        r.message = timeout_message(context.timeout_ms);
        return r;
    }
    // Best effort: the browser may add a request's timing entry only in a later task, and this
    // thread does not return to its event loop before its next request. A failed request's entry,
    // when there is one, says whether its answer had begun.
    r.done = now();
    add_browser_timing(request.url.c_str(), r, true);
    context.timeout_ms = 0;  // a timeout was reported above
    read_outcome(r, status, static_cast<std::uint64_t>(bytes), context);
    return r;
}

void FetchTransport::start(const Request& request, Done done) {
    auto pending = std::make_shared<Pending>();
    pending->owner = this;
    pending->done = std::move(done);
    pending->result.started = now();
    pending->context = failure_context(options_, request.url, started_.size() + 1);
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
            read_outcome(p->result, f->status, f->numBytes ? f->numBytes : f->totalBytes, p->context);
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
        // HEADERS_RECEIVED or LOADING: the answer has begun. (A failure goes straight to DONE.)
        auto* p = static_cast<std::shared_ptr<Pending>*>(f->userData)->get();
        if ((f->readyState == 2 || f->readyState == 3) && p->result.first_byte < 0) p->result.first_byte = now_seconds();
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
