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
