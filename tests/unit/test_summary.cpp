#include <doctest/doctest.h>

#include "summary.h"

using namespace fetchlab;

TEST_CASE("ideal wall: one lane is the sum, a lane per request is the slowest") {
    const std::vector<double> d = {0.5, 1.5, 1.0};
    CHECK(ideal_wall(d, 1) == doctest::Approx(3.0));
    CHECK(ideal_wall(d, 3) == doctest::Approx(1.5));
    CHECK(ideal_wall(d, 100) == doctest::Approx(1.5));
}

TEST_CASE("ideal wall: K lanes take the requests in order, each as soon as a lane is free") {
    CHECK(ideal_wall(std::vector<double>(10, 1.0), 4) == doctest::Approx(3.0));
    CHECK(ideal_wall({3, 1, 1, 1}, 2) == doctest::Approx(3.0));
    CHECK(ideal_wall({1, 1, 1, 3}, 2) == doctest::Approx(4.0));
    CHECK(ideal_wall({}, 4) == 0);
    CHECK(ideal_wall({1.0}, 0) == 0);
}

TEST_CASE("request durations: the stated delay, else what was measured") {
    Workload w;
    w.requests = {{"a", "a", 0.25}, {"b", "b", -1}, {"c", "c", -1}};
    Timeline t;
    t.requests.resize(3);
    t.requests[1].result.started = 10.0;
    t.requests[1].result.done = 10.75;
    auto d = request_durations(w, t);
    REQUIRE(d.size() == 3);
    CHECK(d[0] == doctest::Approx(0.25));
    CHECK(d[1] == doctest::Approx(0.75));
    CHECK(d[2] == 0);  // never started: no duration known
}

TEST_CASE("summary: counts ok, errors and cancels, and the ideal for the mode") {
    Workload w;
    for (int i = 0; i < 4; ++i) w.requests.push_back({"u", "l", 1.0});
    Timeline t;
    t.requests.resize(4);
    for (auto& r : t.requests) r.state = RequestState::done;
    t.requests[2].result.error = ErrorKind::timeout;
    t.requests[3].result.error = ErrorKind::cancelled;
    t.peak_in_flight = 2;
    Summary s = summarize(Mode::pool, 2, w, t, 2.5, 0.01);
    CHECK(s.n == 4);
    CHECK(s.ok == 2);
    CHECK(s.errors == 2);
    CHECK(s.failed == 1);
    CHECK(s.cancelled == 1);
    CHECK(s.workers == 2);
    CHECK(s.ideal_s == doctest::Approx(2.0));
    CHECK(s.wall_s == doctest::Approx(2.5));
    CHECK(summarize(Mode::sequential, 2, w, t, 4, 0).workers == 0);
    CHECK(summarize(Mode::sequential, 2, w, t, 4, 0).ideal_s == doctest::Approx(4.0));
}

TEST_CASE("speedup: baseline over wall, zero when unknown") {
    CHECK(speedup(10.25, 1.3) == doctest::Approx(7.8846).epsilon(0.001));
    CHECK(speedup(0, 1) == 0);
    CHECK(speedup(1, 0) == 0);
}

TEST_CASE("summary: failed and cancelled are counted apart, and errors is both") {
    Workload w;
    for (int i = 0; i < 5; ++i) w.requests.push_back({"u", "l", 1.0});
    Timeline t;
    t.requests.resize(5);
    for (auto& r : t.requests) r.state = RequestState::done;
    t.requests[1].result.error = ErrorKind::timeout;
    t.requests[2].result.error = ErrorKind::connect_refused;
    t.requests[3].result.error = ErrorKind::cancelled;
    const Summary s = summarize(Mode::async, 0, w, t, 1.0, 0);
    CHECK(s.ok == 2);
    CHECK(s.failed == 2);
    CHECK(s.cancelled == 1);
    CHECK(s.errors == 3);
    CHECK(s.ok + s.errors == s.n);
    CHECK_FALSE(comparable(s));
}

namespace {

// n requests all started at `t0`; the browser put `lanes` at a time on the wire, each for `d`.
Timeline queued(std::size_t n, std::size_t lanes, double d, double t0 = 100) {
    Timeline t;
    t.run_start = t0;
    t.requests.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        RequestRecord& r = t.requests[i];
        const double wave = double(i / lanes);
        r.state = RequestState::done;
        r.began = r.result.started = t0;
        r.result.connect_start = t0 + wave * d;
        r.result.connected = r.result.connect_start + 0.001;
        r.result.first_byte = r.result.done = t0 + (wave + 1) * d;  // exactly when the next one begins
        r.result.status = 200;
    }
    t.finished = n;
    t.peak_in_flight = n;  // the recorder saw them all started at once
    return t;
}

}  // namespace

TEST_CASE("peak: started counts what was handed to the transport, on the wire what was being fetched") {
    const Timeline t = queued(20, 6, 0.2);
    Workload w;
    for (int i = 0; i < 20; ++i) w.requests.push_back({"u", "l", 0.2});
    const Summary s = summarize(Mode::async, 0, w, t, 0.8, 0);
    CHECK(s.peak_in_flight == 20);
    CHECK(s.peak_on_wire == 6);
}

TEST_CASE("peak on the wire: from the connection's start, else from when it was ready; unknown without either") {
    Timeline t = queued(12, 4, 0.2);
    CHECK(peak_on_wire(t) == 4);
    for (RequestRecord& r : t.requests) r.result.connect_start = -1;  // curl tells only when it connected
    CHECK(peak_on_wire(t) == 4);
    for (RequestRecord& r : t.requests) r.result.connected = -1;  // a browser without timing tells neither
    CHECK(peak_on_wire(t) == -1);
    CHECK(peak_on_wire(Timeline{}) == -1);
}

TEST_CASE("peak on the wire: an end stamped late does not count the next request on that connection twice") {
    Timeline t = queued(18, 6, 0.2);
    for (RequestRecord& r : t.requests) r.result.done += 0.05;  // a busy frame before the callback ran
    CHECK(peak_on_wire(t) == 6);
    // A body still downloading more than 100 ms past its first byte is still on the wire.
    Timeline downloading = queued(2, 1, 0.2);
    downloading.requests[0].result.first_byte -= 0.15;     // the first byte came 150 ms before the end...
    downloading.requests[1].result.connect_start -= 0.12;  // ...and the next began 120 ms before it
    CHECK(peak_on_wire(downloading) == 2);
}

TEST_CASE("most at once: touching spans do not overlap") {
    CHECK(most_at_once({}) == 0);
    CHECK(most_at_once({{0, 1}, {1, 2}, {2, 3}}) == 1);
    CHECK(most_at_once({{0, 2}, {1, 3}, {1.5, 1.6}}) == 3);
}

TEST_CASE("figures are written one way: seconds, ratios and speedups") {
    CHECK(seconds_text(1.3049) == "1.30 s");
    CHECK(seconds_text(0.2) == "0.20 s");
    CHECK(seconds_text(0.012) == "12 ms");
    CHECK(seconds_text(0.0004) == "0.4 ms");
    CHECK(seconds_text(-1) == "-");
    CHECK(ratio_text(1.0234) == "1.02");
    CHECK(ratio_text(0) == "-");
    CHECK(speedup_text(7.884) == "7.9x");
    CHECK(speedup_text(139.4) == "139x");
    CHECK(speedup_text(0) == "-");
}
