// Each mode against the fake transport and its manual clock: exact, deterministic wall times.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <thread>

#include "experiment.h"
#include "fake_transport.h"
#include "run.h"

using namespace fetchlab;
using fetchlab::testing::FakeTransport;
using fetchlab::testing::fake_workload;

namespace {

using Clock = std::chrono::steady_clock;

// Waits for the run with a deadline in real time, so a mode that never finishes fails the test
// (after a cancel) instead of hanging it; a mode that ran fewer fetches at once than it should
// fails with the fake's stall and the wall time it really took.
void finish(Run& run, const FakeTransport& fake, double limit_s = 10) {
    const auto t0 = Clock::now();
    while (!run.poll(100)) {
        const double waited = std::chrono::duration<double>(Clock::now() - t0).count();
        if (waited > limit_s) {
            run.cancel();
            run.wait();
            FAIL_CHECK("the run had not finished after " << waited << " s of real time");
            break;
        }
    }
    CHECK_MESSAGE(fake.stall().empty(), fake.stall() << "; wall time " << run.summary().wall_s << " s");
}

Summary run_fake(Mode mode, const std::vector<double>& delays, int workers = 4) {
    FakeTransport fake;
    fake.expect_blocking(mode_concurrency(mode, delays.size(), workers), delays.size());
    Run run(fake, fake_workload(delays), mode, workers);
    finish(run, fake);
    REQUIRE(run.finished());
    return run.summary();
}

// Waits up to 5 s of real time for `done`; false when it never came.
bool within_5s(const std::function<bool()>& done) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!done()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

const std::vector<double> seed_like = {0.62, 1.30, 0.85, 0.97, 0.74, 1.12, 0.58, 1.05, 0.91, 0.88, 1.23};

}  // namespace

TEST_CASE("sequential: wall time is the sum of latencies") {
    Summary s = run_fake(Mode::sequential, seed_like);
    CHECK(s.wall_s == doctest::Approx(10.25));
    CHECK(s.ideal_s == doctest::Approx(10.25));
    CHECK(s.ok == 11);
    CHECK(s.errors == 0);
    CHECK(s.peak_in_flight == 1);
}

TEST_CASE("threads: wall time is the slowest request and all run at once") {
    Summary s = run_fake(Mode::threads, seed_like);
    CHECK(s.wall_s == doctest::Approx(1.30));
    CHECK(s.ideal_s == doctest::Approx(1.30));
    CHECK(s.ok == 11);
    CHECK(s.peak_in_flight == 11);
}

TEST_CASE("async: wall time is the slowest request and all are in flight at once") {
    Summary s = run_fake(Mode::async, seed_like);
    CHECK(s.wall_s == doctest::Approx(1.30));
    CHECK(s.ok == 11);
    CHECK(s.peak_in_flight == 11);
}

TEST_CASE("pool: K workers finish in ceil(n/K) waves of equal requests") {
    SUBCASE("10 x 1 s over 4 workers takes 3 s") {
        Summary s = run_fake(Mode::pool, std::vector<double>(10, 1.0), 4);
        CHECK(s.wall_s == doctest::Approx(3.0));
        CHECK(s.ideal_s == doctest::Approx(3.0));
        CHECK(s.peak_in_flight == 4);
        CHECK(s.ok == 10);
    }
    SUBCASE("a long first request does not hold up the other lane") {
        Summary s = run_fake(Mode::pool, {3, 1, 1, 1}, 2);
        CHECK(s.wall_s == doctest::Approx(3.0));
        CHECK(s.ok == 4);
    }
    SUBCASE("more workers than requests run them all at once") {
        Summary s = run_fake(Mode::pool, {1, 2}, 8);
        CHECK(s.wall_s == doctest::Approx(2.0));
        CHECK(s.peak_in_flight == 2);
    }
}

TEST_CASE("bounded: never more than K in flight, refilled as each completes") {
    for (int k : {1, 3, 5}) {
        CAPTURE(k);
        FakeTransport fake;
        Run run(fake, fake_workload(std::vector<double>(12, 0.5)), Mode::bounded, k);
        finish(run, fake);
        Summary s = run.summary();
        CHECK(fake.max_async_in_flight() == static_cast<std::size_t>(k));
        CHECK(s.peak_in_flight == static_cast<std::size_t>(k));
        CHECK(s.wall_s == doctest::Approx(0.5 * ((12 + k - 1) / k)));
        CHECK(s.ok == 12);
    }
}

TEST_CASE("every mode accounts for every request when some fail") {
    Workload w = fake_workload({0.1, 0.2, 0.3, 0.4});
    w.requests[1].url += "?status=500";
    w.requests[3].url += "?status=500";
    for (Mode mode : all_modes()) {
        CAPTURE(mode_name(mode));
        FakeTransport fake;
        fake.expect_blocking(mode_concurrency(mode, w.size(), 2), w.size());
        Run run(fake, w, mode, 2);
        finish(run, fake);
        Summary s = run.summary();
        CHECK(s.ok == 2);
        CHECK(s.errors == 2);
        Timeline t = run.timeline();
        CHECK(t.requests[1].result.error == ErrorKind::http_status);
        CHECK(t.requests[1].result.message == "HTTP 500 Internal Server Error");
        for (const RequestRecord& r : t.requests) CHECK(r.state == RequestState::done);
    }
}

TEST_CASE("every mode ends a URL that fails the check as bad url, without asking the transport") {
    Workload w = url_workload({"example.com/x", "http://fake/1", "http//x", ":::", "ftp://h/"});
    w.requests[1].expected_s = 0.5;
    for (Mode mode : all_modes()) {
        CAPTURE(mode_name(mode));
        FakeTransport fake;
        fake.expect_blocking(1, 1);  // only the one good URL reaches the transport
        Run run(fake, w, mode, 1);   // bounded with K = 1: each refused URL leaves its slot to the next
        finish(run, fake);
        const Timeline t = run.timeline();
        CHECK(run.summary().ok == 1);
        CHECK(t.requests[1].result.ok());
        for (std::size_t i : {0, 2, 3, 4}) {
            CAPTURE(i);
            CHECK(t.requests[i].result.error == ErrorKind::bad_url);
            CHECK(t.requests[i].result.message == w.requests[i].url_problem);
        }
        CHECK(fake.max_async_in_flight() <= 1);
    }
}

TEST_CASE("lanes: which thread or loop ran each request") {
    FakeTransport fake;
    fake.expect_blocking(3, 6);
    Run run(fake, fake_workload(std::vector<double>(6, 1.0)), Mode::pool, 3);
    finish(run, fake);
    for (const RequestRecord& r : run.timeline().requests) {
        CHECK(r.lane >= 0);
        CHECK(r.lane < 3);
    }
    CHECK(lane_label(Mode::pool, 0) == "worker 1");
    CHECK(lane_label(Mode::threads, 4) == "thread 5");
    CHECK(lane_label(Mode::async, 0) == "event loop");
}

TEST_CASE("cancel: a blocking run records what it did not fetch as cancelled") {
    FakeTransport fake;
    fake.expect_blocking(1, 5);
    Run run(fake, fake_workload(std::vector<double>(5, 1.0)), Mode::sequential, 1);
    // The third fetch is held: the first two are recorded, the third has no result yet.
    fake.after_blocking_fetch = [&fake](std::size_t completed) {
        if (completed == 2) fake.hold();
    };
    struct Release {  // before the run's destructor waits for its runner, whatever happens
        FakeTransport& fake;
        ~Release() { fake.release(); }
    } release{fake};
    run.begin();
    REQUIRE(within_5s([&] { return fake.held() == 1; }));
    run.cancel();
    finish(run, fake);
    Summary s = run.summary();
    CHECK(s.ok == 2);
    CHECK(s.cancelled == 3);
    CHECK(s.ok + s.errors == 5);
    CHECK(run.timeline().requests[4].result.error == ErrorKind::cancelled);
}

TEST_CASE("cancel: an async run aborts what is in flight and skips what was never started") {
    FakeTransport fake;
    Run run(fake, fake_workload(std::vector<double>(6, 1.0)), Mode::bounded, 2);
    run.begin();
    CHECK_FALSE(run.poll(0));  // the first two complete and two more start
    run.cancel();
    finish(run, fake);
    Summary s = run.summary();
    CHECK(s.ok == 2);
    CHECK(s.cancelled == 4);
    CHECK(s.ok + s.errors == 6);
}

TEST_CASE("cancel: a run blocked in requests that ignore the cancel ends at once; the threads finish alone") {
    // A browser's synchronous request cannot be interrupted: the run must not wait for it.
    for (Mode mode : {Mode::sequential, Mode::threads, Mode::pool}) {
        CAPTURE(std::string(mode_name(mode)));
        const std::size_t lanes = mode_concurrency(mode, 6, 2);
        auto fake = std::make_shared<FakeTransport>();
        fake->expect_blocking(lanes, 6);
        fake->ignores_stop = true;
        fake->hold();
        struct Release {  // lets the threads go on whatever happens, so none is left blocked
            FakeTransport& fake;
            ~Release() { fake.release(); }
        } release{*fake};
        auto run = std::make_unique<Run>(fake, fake_workload(std::vector<double>(6, 1.0)), mode, 2);
        run->begin();
        REQUIRE(within_5s([&] { return fake->held() == lanes; }));
        CHECK_FALSE(run->cancelling());
        run->cancel();
        CHECK(run->cancelling());
        CHECK(run->poll(0));  // at once, with every request blocked still
        CHECK_FALSE(run->cancelling());
        const Summary s = run->summary();
        CHECK(s.cancelled == 6);
        CHECK(s.ok + s.errors == 6);
        for (const RequestRecord& r : run->timeline().requests) {
            CHECK(r.state == RequestState::done);
            CHECK(r.result.error == ErrorKind::cancelled);
        }
        CHECK(run->timeline().in_flight == 0);

        run.reset();  // gone while its threads are blocked: they hold what they touch
        fake->release();
        // The blocked fetches return into no Run, record nothing anywhere, and start no other
        // request; then the last thread lets go of the transport.
        CHECK(within_5s([&] { return fake.use_count() == 1; }));
        CHECK(fake->returned() == lanes);
    }
}

TEST_CASE("cancel: a late result from a blocked request is dropped, each request counted once") {
    auto fake = std::make_shared<FakeTransport>();
    fake->expect_blocking(3, 3);
    fake->ignores_stop = true;
    fake->hold();
    Run run(fake, fake_workload({1.0, 1.0, 1.0}), Mode::threads, 1);
    std::atomic<int> ended{0};  // thread bodies (the 3 requests' and the runner's) that returned
    run.set_thread_starter([&ended](std::function<void()> body) {
        return std::thread([&ended, body = std::move(body)] {
            body();
            ++ended;
        });
    });
    run.begin();
    REQUIRE(within_5s([&] { return fake->held() == 3; }));
    run.cancel();
    REQUIRE(run.poll(0));
    const Timeline cancelled = run.timeline();
    fake->release();
    // Each thread offers its (ok) answer to the recorder after its fetch returns, then ends.
    REQUIRE(within_5s([&] { return ended.load() == 4; }));
    CHECK(fake->returned() == 3);
    const Timeline later = run.timeline();
    CHECK(later.finished == 3);
    CHECK(later.in_flight == 0);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(later.requests[i].result.error == ErrorKind::cancelled);
        CHECK(later.requests[i].result.done == cancelled.requests[i].result.done);
    }
    CHECK(run.summary().cancelled == 3);
}

TEST_CASE("cancel: an async run is cancelling until the next poll delivers the aborted requests") {
    FakeTransport fake;
    Run run(fake, fake_workload(std::vector<double>(4, 1.0)), Mode::async, 1);
    run.begin();
    run.cancel();
    CHECK(run.cancelling());
    finish(run, fake);
    CHECK_FALSE(run.cancelling());
    CHECK(run.summary().cancelled == 4);
}

TEST_CASE("experiment: a cancel during a blocked request ends the run at the next update; the experiment can go") {
    FakeTransport* made = nullptr;
    Environment env;
    env.lab_origins = {"fake://lab"};
    auto experiment = std::make_unique<Experiment>(
        [&made](const TransportOptions&) {
            auto fake = std::make_unique<FakeTransport>();
            fake->expect_blocking(1, 3);
            fake->ignores_stop = true;
            fake->hold();
            made = fake.get();
            return fake;
        },
        env);
    experiment->settings.mode = Mode::sequential;
    experiment->settings.preset = Preset::lab;
    experiment->settings.n = 3;
    REQUIRE(experiment->start() == "");
    REQUIRE(within_5s([&] { return made->held() == 1; }));
    experiment->cancel();
    REQUIRE(experiment->current()->cancelling());
    CHECK(experiment->update());  // the next frame's update: finished, with every request accounted for
    CHECK_FALSE(experiment->running());
    REQUIRE(experiment->latest().size() == 1);
    CHECK(experiment->latest()[0].summary.cancelled == 3);
    FakeTransport* transport = made;
    experiment.reset();   // the thread still blocked holds its transport
    transport->release(); // and frees it once its request returns
}

TEST_CASE("experiment: async above the platform's limit on requests in flight is refused with the reason") {
    Environment env;
    env.lab_origins = {"fake://lab"};
    env.max_in_flight = 100;
    Experiment experiment([](const TransportOptions&) { return std::make_unique<FakeTransport>(); }, env);
    experiment.settings.preset = Preset::lab;
    experiment.settings.n = 101;
    CHECK(experiment.unavailable_reason(Mode::async) ==
          "all at once: at most 100 requests in flight here (the browser fails what it cannot hold), and N is 101; "
          "bounded runs any N");
    CHECK(experiment.unavailable_reason(Mode::bounded).empty());
    CHECK(experiment.start().find("async: all at once: at most 100") == 0);
    experiment.settings.n = 100;
    CHECK(experiment.unavailable_reason(Mode::async).empty());
    experiment.settings.workers = 101;
    CHECK(experiment.unavailable_reason(Mode::bounded) == "at most 100 requests in flight here");
}

TEST_CASE("an empty workload finishes at once with nothing to report") {
    for (Mode mode : all_modes()) {
        FakeTransport fake;
        fake.expect_blocking(1, 0);
        Run run(fake, fake_workload({}), mode, 2);
        finish(run, fake);
        CHECK(run.summary().n == 0);
        CHECK(run.summary().wall_s == doctest::Approx(0));
    }
}

TEST_CASE("fake transport: fetches that come one at a time where three were expected stall, and finish") {
    FakeTransport fake;
    fake.patience = std::chrono::milliseconds(200);
    fake.expect_blocking(3, 3);
    const std::atomic<bool> stop{false};
    const auto t0 = Clock::now();
    std::vector<double> ends;
    for (const Request& r : fake_workload({1.0, 1.0, 1.0}).requests) ends.push_back(fake.fetch(r, stop).done);
    CHECK(std::chrono::duration<double>(Clock::now() - t0).count() < 2.0);
    CHECK(fake.stall().find("expected 3 blocking fetches at once") == 0);
    CHECK(fake.stall().find("only 1 were waiting") != std::string::npos);
    // One at a time, as they came: the wall time the test then checks shows the mode's mistake.
    CHECK(ends == std::vector<double>{1001.0, 1002.0, 1003.0});
}
