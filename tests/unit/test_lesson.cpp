// The lesson text and the wave count, over runs built by hand: every time is chosen, not measured.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "experiment.h"

using namespace fetchlab;

namespace {

const std::vector<double> seed_like = {0.62, 1.30, 0.85, 0.97, 0.74, 1.12, 0.58, 1.05, 0.91, 0.88, 1.23};

struct Span {
    double start, end;  // seconds since the run's start
    double wire = -1;   // when it began to connect, where the platform tells (a browser held it until then)
};

std::vector<std::string> origins(int count) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) out.push_back("http://127.0.0.1:" + std::to_string(8080 + i));
    return out;
}

// A finished run whose request i took spans[i]; the workload spreads over `origin_count` origins.
RunReport make_run(Mode mode, int workers, const std::vector<Span>& spans, const std::vector<double>& delays,
                   int origin_count = 1) {
    const double t0 = 500.0;
    RunReport rep;
    rep.workload.name = "hand-made";
    const auto urls = origins(origin_count);
    for (std::size_t i = 0; i < spans.size(); ++i)
        rep.workload.requests.push_back({urls[i % urls.size()] + "/delay?ms=" + std::to_string(int(delays[i] * 1000)),
                                         "request " + std::to_string(i + 1), delays[i]});
    rep.timeline.run_start = t0;
    double wall = 0;
    for (std::size_t i = 0; i < spans.size(); ++i) {
        RequestRecord r;
        r.state = RequestState::done;
        r.lane = mode == Mode::threads ? int(i) : 0;
        r.began = t0 + spans[i].start;
        r.result.started = t0 + spans[i].start;
        if (spans[i].wire >= 0) r.result.connect_start = t0 + spans[i].wire;
        r.result.connected = t0 + (spans[i].wire >= 0 ? spans[i].wire : spans[i].start) + 0.001;
        r.result.first_byte = t0 + spans[i].end;
        r.result.done = t0 + spans[i].end;
        r.result.status = 200;
        rep.timeline.requests.push_back(r);
        wall = std::max(wall, spans[i].end);
    }
    rep.timeline.finished = spans.size();
    Summary& s = rep.summary;
    s.mode = mode;
    s.workers = mode_uses_workers(mode) ? workers : 0;
    s.n = spans.size();
    s.wall_s = wall;
    s.ideal_s = ideal_wall(delays, mode_concurrency(mode, spans.size(), workers));
    s.ok = spans.size();
    s.peak_in_flight = mode_concurrency(mode, spans.size(), workers);
    return rep;
}

// n requests of `d` seconds through `lanes` at a time: ceil(n / lanes) waves.
std::vector<Span> in_waves(std::size_t n, double d, std::size_t lanes) {
    std::vector<Span> spans;
    for (std::size_t i = 0; i < n; ++i) {
        const double wave = double(i / lanes);
        spans.push_back({wave * d, (wave + 1) * d});
    }
    return spans;
}

std::vector<Span> one_after_another(const std::vector<double>& delays, double gap = 0.001) {
    std::vector<Span> spans;
    double t = 0;
    for (double d : delays) {
        spans.push_back({t, t + d});
        t += d + gap;
    }
    return spans;
}

// Every request starts after `startup` (the time it took to start them all).
std::vector<Span> all_at_once(const std::vector<double>& delays, double startup = 0.0) {
    std::vector<Span> spans;
    for (double d : delays) spans.push_back({startup, startup + d});
    return spans;
}

Environment browser(int lab_origins = 4) {
    Environment env;
    env.platform = "Emscripten 3.1.6, emscripten_fetch";
    env.lab_origins = origins(lab_origins);
    return env;
}

Environment native() {
    Environment env;
    env.platform = "libcurl 7.88.1";
    env.lab_origins = origins(1);
    return env;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t sentences(const std::string& text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '.' && (i + 1 == text.size() || text[i + 1] == ' ')) ++count;
    return count;
}

void fail(RunReport& rep, std::size_t i, ErrorKind kind) {
    RequestRecord& r = rep.timeline.requests.at(i);
    r.result.error = kind;
    r.result.status = 0;
    r.result.message = error_kind_name(kind);
    --rep.summary.ok;
    ++rep.summary.errors;
    ++(kind == ErrorKind::cancelled ? rep.summary.cancelled : rep.summary.failed);
}

}  // namespace

TEST_CASE("waves: 60 requests of 0.2 s through 6 connections end in 10 waves") {
    const RunReport rep = make_run(Mode::async, 0, in_waves(60, 0.2, 6), std::vector<double>(60, 0.2));
    CHECK(count_waves(rep) == 10);
}

// What an async run of n looks like from the page with the browser's cap: every request starts
// at 0, and the browser puts `lanes` at a time on the wire.
std::vector<Span> queued_in_browser(std::size_t n, double d, std::size_t lanes) {
    std::vector<Span> spans;
    for (std::size_t i = 0; i < n; ++i) {
        const double wave = double(i / lanes);
        spans.push_back({0.0, (wave + 1) * d, wave * d});
    }
    return spans;
}

TEST_CASE("waves: counted from the wire when every request is started at once and queues in the browser") {
    RunReport rep = make_run(Mode::async, 0, queued_in_browser(60, 0.2, 6), std::vector<double>(60, 0.2));
    CHECK(count_waves(rep) == 10);
    CHECK(waves_of(rep).most == 6);
    // Real sites state no delay: the wire alone tells.
    for (auto& r : rep.workload.requests) r.expected_s = -1;
    CHECK(count_waves(rep) == 10);
    // A few requests whose timing the browser did not give do not count as on the wire from 0.
    for (std::size_t i = 50; i < 55; ++i) rep.timeline.requests[i].result.connect_start = -1;
    for (std::size_t i = 50; i < 55; ++i) rep.timeline.requests[i].result.connected = -1;
    CHECK(waves_of(rep).most == 6);
    CHECK(count_waves(rep) == 10);
    // Where the platform tells nothing of the wire, all that is known is that they started together.
    for (auto& r : rep.timeline.requests) r.result.connect_start = r.result.connected = -1;
    CHECK(count_waves(rep) == 1);
}

TEST_CASE("waves: 20 requests through 6 connections are 4 waves of up to 6, not 4 of about 5") {
    const RunReport rep = make_run(Mode::async, 0, queued_in_browser(20, 0.2, 6), std::vector<double>(20, 0.2));
    const Waves w = waves_of(rep);
    CHECK(w.count == 4);
    CHECK(w.most == 6);
    CHECK(w.requests == 20);
    const std::string text = lesson_text({rep}, browser(4));
    CHECK(has(text, "20 requests to one origin ran in 4 waves of up to 6"));
    CHECK_FALSE(has(text, "about 5"));
}

TEST_CASE("waves: an end stamped a frame late does not overlap the next request on its connection") {
    // The page stamps the end when its event loop runs the callback, 40 ms after the browser's
    // own first byte; the next request on that connection went on the wire at the first byte.
    RunReport rep = make_run(Mode::async, 0, queued_in_browser(60, 0.2, 6), std::vector<double>(60, 0.2));
    for (RequestRecord& r : rep.timeline.requests) r.result.done += 0.04;
    CHECK(count_waves(rep) == 10);
    CHECK(waves_of(rep).most == 6);
}

TEST_CASE("waves: only the requests that succeeded count, so a run where most failed is not many waves") {
    // 10 of 50 succeeded, all at once; 40 failed at once, early.
    std::vector<double> delays(50, 0.2);
    RunReport rep = make_run(Mode::async, 0, all_at_once(delays), delays);
    for (std::size_t i = 10; i < 50; ++i) {
        fail(rep, i, ErrorKind::network);
        rep.timeline.requests[i].result.connected = -1;
        rep.timeline.requests[i].result.first_byte = -1;
        rep.timeline.requests[i].result.done = rep.timeline.run_start + 0.01;
    }
    const Waves w = waves_of(rep);
    CHECK(w.count == 1);
    CHECK(w.requests == 10);
    const std::string text = lesson_text({rep}, browser(1));
    CHECK_FALSE(has(text, "waves"));
    CHECK(has(text, "Async: 40 of 50 requests failed (40 network), so its time is no result to compare."));
}

TEST_CASE("waves: still 10 when 6 connections refill on their own and the waves blur into each other") {
    // Each connection takes its next request as soon as it is free, with a little set-up time, so
    // after a few rounds the end times no longer come in clusters.
    std::vector<Span> spans(60);
    for (int slot = 0; slot < 6; ++slot) {
        double t = 0.013 * slot;
        for (int k = slot; k < 60; k += 6) {
            spans[k] = {0.0, t + 0.2 + 0.004 * (k % 5), t};
            t = spans[k].end + 0.002 * (1 + slot);
        }
    }
    CHECK(count_waves(make_run(Mode::async, 0, spans, std::vector<double>(60, 0.2))) == 10);
}

TEST_CASE("waves: requests that all run at once end in one wave, despite jitter") {
    std::vector<double> jittered;
    for (int i = 0; i < 60; ++i) jittered.push_back(0.2 + 0.0005 * i);
    CHECK(count_waves(make_run(Mode::async, 0, all_at_once(jittered, 0.01), jittered)) == 1);
    CHECK(count_waves(make_run(Mode::threads, 0, all_at_once(seed_like, 0.01), seed_like)) == 1);
}

TEST_CASE("waves: one at a time, every request is a wave of its own") {
    CHECK(count_waves(make_run(Mode::sequential, 0, one_after_another(seed_like), seed_like)) == 11);
}

TEST_CASE("waves: none for an empty run, and cancelled requests do not count") {
    CHECK(count_waves(RunReport{}) == 0);
    RunReport rep = make_run(Mode::async, 0, in_waves(12, 0.2, 6), std::vector<double>(12, 0.2));
    for (std::size_t i = 6; i < 12; ++i) fail(rep, i, ErrorKind::cancelled);
    CHECK(count_waves(rep) == 1);
}

TEST_CASE("lesson: sequential is the sum of the delays, one at a time") {
    const RunReport rep = make_run(Mode::sequential, 0, one_after_another(seed_like), seed_like);
    const std::string text = lesson_text({rep}, native());
    CHECK(has(text, "one at a time"));
    CHECK(has(text, "10.26 s"));  // the wall: the sum plus the small gaps
    CHECK(has(text, "10.25 s"));  // the sum of the delays
    CHECK(sentences(text) >= 3);
    CHECK(sentences(text) <= 8);
}

TEST_CASE("lesson: threads and async are bound by the slowest, with the speedup and what their start measured") {
    std::vector<RunReport> runs = {
        make_run(Mode::sequential, 0, one_after_another(seed_like), seed_like),
        make_run(Mode::threads, 0, all_at_once(seed_like, 0.01), seed_like),
        make_run(Mode::async, 0, all_at_once(seed_like), seed_like),
    };
    const std::string text = lesson_text(runs, native());
    CHECK(has(text, "1.31 s"));  // threads' wall
    CHECK(has(text, "1.30 s"));  // the slowest request
    CHECK(has(text, "7.8x faster than sequential"));
    CHECK(has(text, "7.9x faster"));
    CHECK(has(text, "the last of them started 10 ms in, and the slowest took 1.30 s"));
    CHECK(has(text, "one thread"));
    CHECK(sentences(text) >= 3);
    CHECK(sentences(text) <= 8);
}

TEST_CASE("lesson: threads are credited with no start-up cost they did not measure") {
    // The last thread's request started 2 ms in; the slowest took 1.39 s against its stated 1.30 s.
    // wall - ideal is 92 ms, none of it starting threads.
    std::vector<Span> spans;
    for (std::size_t i = 0; i < seed_like.size(); ++i) {
        const double start = 0.0002 * double(i);
        spans.push_back({start, start + seed_like[i] + (seed_like[i] == 1.30 ? 0.09 : 0.0)});
    }
    const RunReport threads = make_run(Mode::threads, 0, spans, seed_like);
    REQUIRE(threads.summary.wall_s - threads.summary.ideal_s == doctest::Approx(0.0902).epsilon(0.01));
    const std::string text = lesson_text({threads}, native());
    CHECK_FALSE(has(text, "starting the threads cost"));
    CHECK_FALSE(has(text, "90 ms"));
    CHECK(has(text, "the last of them started 2 ms in, and the slowest took 1.39 s"));
}

TEST_CASE("lesson: pool and bounded run in ceil(n/K) waves") {
    const std::vector<double> delays(11, 1.0);
    std::vector<RunReport> runs = {make_run(Mode::pool, 4, in_waves(11, 1.0, 4), delays),
                                   make_run(Mode::bounded, 4, in_waves(11, 1.0, 4), delays)};
    const std::string text = lesson_text(runs, native());
    CHECK(has(text, "4 worker threads"));
    CHECK(has(text, "at most 4 in flight"));
    CHECK(has(text, "about 3 waves"));
    CHECK(has(text, "3.00 s"));
    CHECK_FALSE(has(text, "connections"));  // waves as planned: no cap to explain
}

TEST_CASE("lesson: a browser's cap of 6 connections per origin shows as waves") {
    const std::vector<double> delays(60, 0.2);
    const RunReport rep = make_run(Mode::async, 0, in_waves(60, 0.2, 6), delays);

    SUBCASE("one origin of several: name the cap and the Origins setting") {
        const std::string text = lesson_text({rep}, browser(4));
        CHECK(has(text, "60 requests to one origin ran in 10 waves of 6"));
        CHECK(has(text, "at most 6 connections per origin"));
        CHECK(has(text, "Origins setting"));
    }
    SUBCASE("where the platform tells how long requests waited for a connection, the longest is named") {
        RunReport timed = rep;
        for (RequestRecord& r : timed.timeline.requests) {  // all started at once, then held back
            r.result.started = timed.timeline.run_start;
            r.result.connect_start = r.result.first_byte - 0.2;
        }
        const std::string text = lesson_text({timed}, browser(4));
        CHECK(has(text, "per origin over HTTP/1.1, and the longest wait for a free one was 1.80 s."));
        CHECK_FALSE(has(lesson_text({rep}, browser(4)), "wait for a free one"));
    }
    SUBCASE("a lab of one origin: no advice to spread") {
        const std::string text = lesson_text({rep}, browser(1));
        CHECK(has(text, "10 waves"));
        CHECK_FALSE(has(text, "Origins setting"));
    }
    SUBCASE("natively, the waves are told without blaming a browser") {
        const std::string text = lesson_text({rep}, native());
        CHECK(has(text, "10 waves of 6"));
        CHECK_FALSE(has(text, "browser"));
    }
    SUBCASE("several modes: the sentence names those that were capped") {
        std::vector<RunReport> runs = {make_run(Mode::threads, 0, in_waves(60, 0.2, 6), delays), rep,
                                       make_run(Mode::bounded, 4, in_waves(60, 0.2, 4), delays)};
        const std::string text = lesson_text(runs, browser(4));
        CHECK(has(text, "In threads and async, the 60 requests"));
        CHECK(sentences(text) <= 8);
    }
}

TEST_CASE("lesson: requests of mixed lengths that end apart are not mistaken for waves") {
    // Real sites: no stated delays; seven fast ones and five slow ones, all started at once.
    std::vector<double> measured(7, 0.1);
    measured.resize(12, 1.0);
    RunReport rep = make_run(Mode::threads, 0, all_at_once(measured), measured);
    for (Request& r : rep.workload.requests) r.expected_s = -1;
    CHECK(count_waves(rep) == 1);  // their ends are apart, but they were on the wire together
    const std::string text = lesson_text({rep}, browser(1));
    CHECK_FALSE(has(text, "waves"));
    CHECK(has(text, "about the slowest"));
}

TEST_CASE("lesson: spread over enough origins, the same workload runs in one wave") {
    const std::vector<double> delays(60, 0.2);
    const RunReport rep = make_run(Mode::async, 0, all_at_once(delays, 0.005), delays, 10);
    const std::string text = lesson_text({rep}, browser(10));
    CHECK(has(text, "Spread over 10 origins (about 6 requests each)"));
    CHECK(has(text, "one wave"));
    CHECK(has(text, "per origin"));

    Workload sites = rep.workload;  // the same count of different web sites: nothing was spread
    for (std::size_t i = 0; i < sites.requests.size(); ++i)
        sites.requests[i].url = "https://site" + std::to_string(i % 10) + ".example/";
    RunReport real = rep;
    real.workload = sites;
    CHECK_FALSE(has(lesson_text({real}, browser(10)), "Spread over"));
}

TEST_CASE("lesson: waves over several origins blame the cap only when an origin had more than 6") {
    const std::vector<double> delays(60, 0.2);
    SUBCASE("12 per origin over 5 origins: over the cap") {
        const RunReport rep = make_run(Mode::async, 0, in_waves(60, 0.2, 30), delays, 5);
        const std::string text = lesson_text({rep}, browser(5));
        CHECK(has(text, "60 requests over 5 origins ran in 2 waves of 30"));
        CHECK(has(text, "about 12 requests per origin is more than the 6 connections"));
    }
    SUBCASE("uneven: 20 to one origin and 40 spread over 10 more is over the cap at that origin") {
        RunReport rep = make_run(Mode::async, 0, in_waves(60, 0.2, 30), delays, 10);
        for (std::size_t i = 0; i < 20; ++i) rep.workload.requests[i].url = "http://127.0.0.1:9999/delay?ms=200";
        const std::string text = lesson_text({rep}, browser(10));
        CHECK(has(text, "20 of them went to one origin, more than the 6 connections"));
    }
    SUBCASE("6 per origin over 10 origins: within the cap, so the cap is not the reason") {
        const RunReport rep = make_run(Mode::async, 0, in_waves(60, 0.2, 30), delays, 10);
        const std::string text = lesson_text({rep}, browser(10));
        CHECK(has(text, "60 requests over 10 origins ran in 2 waves of 30"));
        CHECK(has(text, "although at most 6 per origin is within the browser's 6 connections"));
        CHECK_FALSE(has(text, "is more than the 6"));
    }
}

TEST_CASE("lesson: failures are counted by kind") {
    const std::vector<double> delays(60, 0.2);
    RunReport rep = make_run(Mode::async, 0, all_at_once(delays), delays);
    fail(rep, 3, ErrorKind::timeout);
    fail(rep, 7, ErrorKind::connect_refused);
    fail(rep, 9, ErrorKind::timeout);
    CHECK(has(lesson_text({rep}, native()), "Async: 3 of 60 requests failed (2 timeout, 1 connect refused)"));

    RunReport other = make_run(Mode::sequential, 0, one_after_another(delays), delays);
    const std::string both = lesson_text({other, rep}, native());
    CHECK(has(both, "Sequential fetched them one at a time"));
    CHECK(has(both, "Async: 3 of 60 requests failed (2 timeout, 1 connect refused)"));
}

TEST_CASE("lesson: a run with failures is credited with no speed") {
    const std::vector<double> delays(60, 0.2);
    const RunReport sequential = make_run(Mode::sequential, 0, one_after_another(delays), delays);
    RunReport async = make_run(Mode::async, 0, all_at_once(delays), delays);
    CHECK(has(lesson_text({sequential, async}, native()), "faster than sequential"));
    fail(async, 3, ErrorKind::timeout);
    const std::string text = lesson_text({sequential, async}, native());
    CHECK_FALSE(has(text, "faster"));
    // What failed, instead of how fast it was.
    CHECK(has(text, "Async: 1 of 60 requests failed (1 timeout), so its time is no result to compare."));
    CHECK_FALSE(has(text, "Async started"));
    CHECK_FALSE(has(text, "about the slowest"));
}

TEST_CASE("lesson: a run capped into waves, but with failures, is not explained by the cap") {
    const std::vector<double> delays(60, 0.2);
    RunReport rep = make_run(Mode::async, 0, in_waves(60, 0.2, 6), delays);
    REQUIRE(has(lesson_text({rep}, browser(4)), "10 waves of 6"));
    fail(rep, 59, ErrorKind::http_status);
    const std::string text = lesson_text({rep}, browser(4));
    CHECK_FALSE(has(text, "waves"));
    CHECK(has(text, "1 of 60 requests failed (1 http status)"));
}

TEST_CASE("lesson: a cancelled run is said to be cancelled") {
    const std::vector<double> delays(60, 0.2);
    RunReport rep = make_run(Mode::bounded, 6, in_waves(60, 0.2, 6), delays);
    for (std::size_t i = 37; i < 60; ++i) fail(rep, i, ErrorKind::cancelled);
    const std::string text = lesson_text({rep}, native());
    CHECK(has(text, "Bounded was cancelled: 23 of 60 requests did not finish."));
    CHECK_FALSE(has(text, "failed"));
    fail(rep, 2, ErrorKind::timeout);
    CHECK(has(lesson_text({rep}, native()),
              "Bounded was cancelled: 23 of 60 requests did not finish, and 1 failed (1 timeout)."));
}

TEST_CASE("lesson: without cross-origin isolation, the thread modes are skipped and it says why") {
    Environment env = browser(4);
    env.cross_origin_isolated = false;
    env.threads_available = false;
    const RunReport rep = make_run(Mode::async, 0, all_at_once(seed_like), seed_like);
    const std::string text = lesson_text({rep}, env);
    CHECK(has(text, "Sequential, threads and pool were skipped"));
    CHECK(has(text, "threads need cross-origin isolation (SharedArrayBuffer); this page is not isolated"));
    CHECK(lesson_text({}, env).empty());  // before any run nothing was skipped (issue 8)
    CHECK(lesson_text({}, native()).empty());
}

TEST_CASE("lesson: every mode of a run-all in at most eight sentences") {
    std::vector<RunReport> runs = {
        make_run(Mode::sequential, 0, one_after_another(seed_like), seed_like),
        make_run(Mode::threads, 0, all_at_once(seed_like, 0.01), seed_like),
        make_run(Mode::async, 0, all_at_once(seed_like), seed_like),
        make_run(Mode::pool, 4, all_at_once(seed_like), seed_like),
        make_run(Mode::bounded, 4, all_at_once(seed_like), seed_like),
    };
    fail(runs[2], 0, ErrorKind::http_status);
    const std::string text = lesson_text(runs, browser(1));
    for (const char* m : {"Sequential", "Threads", "Async", "Pool", "Bounded"}) CHECK_MESSAGE(has(text, m), m);
    CHECK(sentences(text) >= 3);
    CHECK(sentences(text) <= 8);
}

TEST_CASE("lesson: runs that failed alike are told in one sentence, each by its mode") {
    const std::vector<double> delays(3, 0.2);
    std::vector<RunReport> runs;
    for (Mode m : {Mode::sequential, Mode::threads, Mode::async}) {
        runs.push_back(make_run(m, 0, all_at_once(delays), delays));
        fail(runs.back(), 1, ErrorKind::http_status);
        fail(runs.back(), 2, ErrorKind::network);
    }
    fail(runs[2], 0, ErrorKind::timeout);  // async failed another way
    const std::string text = lesson_text(runs, native());
    CHECK(has(text, "Sequential and threads: 2 of 3 requests failed in each (1 http status, 1 network), so their "
                    "times are no result to compare."));
    CHECK(has(text, "Async: 3 of 3 requests failed (1 http status, 1 timeout, 1 network)"));
    CHECK_FALSE(has(text, "Sequential fetched"));
}
