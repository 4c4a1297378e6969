#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "recorder.h"

using namespace fetchlab;

TEST_CASE("recorder: each request is recorded once, with its lane and in-flight peak") {
    Recorder rec(3, 100.0);
    rec.begin(0, 0, 100.0);
    rec.begin(1, 1, 100.1);
    CHECK(rec.in_flight() == 2);
    Result ok;
    ok.status = 200;
    ok.started = 100.0;
    ok.done = 100.5;
    rec.finish(0, ok);
    rec.finish(0, ok);  // a second finish is ignored
    CHECK(rec.finished() == 1);
    CHECK(rec.in_flight() == 1);
    Timeline t = rec.snapshot();
    CHECK(t.peak_in_flight == 2);
    CHECK(t.requests[0].state == RequestState::done);
    CHECK(t.requests[1].state == RequestState::running);
    CHECK(t.requests[1].lane == 1);
    CHECK(t.requests[2].state == RequestState::waiting);
    CHECK(t.last_done == doctest::Approx(100.5));
}

TEST_CASE("recorder: finish_unfinished marks the rest, running or waiting, with the reason") {
    Recorder rec(3, 0.0);
    rec.begin(1, 0, 0.1);
    rec.finish_unfinished(ErrorKind::cancelled, "cancelled before it finished", 0.2);
    Timeline t = rec.snapshot();
    CHECK(t.finished == 3);
    CHECK(t.in_flight == 0);
    for (const auto& r : t.requests) {
        CHECK(r.state == RequestState::done);
        CHECK(r.result.error == ErrorKind::cancelled);
    }
    CHECK(t.requests[1].result.started == doctest::Approx(0.1));
}

TEST_CASE("recorder: many writers and a reader at once (run under tsan)") {
    constexpr std::size_t n = 400;
    constexpr int writers = 8;
    Recorder rec(n, 0.0);
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&rec, w] {
            for (std::size_t i = w; i < n; i += writers) {
                rec.begin(i, w, 0.0);
                Result r;
                r.status = 200;
                r.done = 1.0;
                rec.finish(i, r);
            }
        });
    }
    std::size_t seen = 0;
    while (seen < n) {
        Timeline t = rec.snapshot();
        CHECK(t.in_flight <= static_cast<std::size_t>(writers));
        seen = t.finished;
    }
    for (auto& t : threads) t.join();
    Timeline t = rec.snapshot();
    CHECK(t.finished == n);
    CHECK(t.in_flight == 0);
    CHECK(t.peak_in_flight <= static_cast<std::size_t>(writers));
}
