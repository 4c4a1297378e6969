// A system out of threads or memory: what started finishes and is recorded, the rest ends as
// `no thread` with the system's reason, nothing is called cancelled, and nothing aborts.
#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <new>
#include <system_error>

#include "fake_transport.h"
#include "run.h"

using namespace fetchlab;
using fetchlab::testing::FakeTransport;
using fetchlab::testing::fake_workload;

// Every allocation on a thread that sets this fails, as it does on a system out of memory. The
// operators below replace the global ones for the whole test binary and otherwise just allocate.
static thread_local bool allocations_fail = false;

static void* allocate(std::size_t size) {
    if (allocations_fail) throw std::bad_alloc();
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return allocations_fail ? nullptr : std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return allocations_fail ? nullptr : std::malloc(size ? size : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

// A thread starter that starts k threads and then fails as pthread_create does at the limit.
ThreadStarter failing_after(int k) {
    auto started = std::make_shared<std::atomic<int>>(0);
    return [started, k](std::function<void()> body) {
        if (started->fetch_add(1) >= k)
            throw std::system_error(EAGAIN, std::generic_category(), "test thread limit");
        return std::thread(std::move(body));
    };
}

// Drives the run to its end, or fails the test after 10 s of wall time instead of hanging.
void finish_within_10s(Run& run) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!run.poll(10) && std::chrono::steady_clock::now() < deadline) {
    }
    REQUIRE_MESSAGE(run.finished(), "the run did not finish within 10 s");
}

struct Outcome {
    std::size_t ok = 0, no_thread = 0, cancelled = 0, other = 0;
    std::string no_thread_message;  // the first one
};

Outcome outcome_of(const Run& run) {
    Outcome o;
    for (const RequestRecord& r : run.timeline().requests) {
        REQUIRE(r.state == RequestState::done);
        switch (r.result.error) {
        case ErrorKind::none: ++o.ok; break;
        case ErrorKind::no_thread:
            if (o.no_thread++ == 0) o.no_thread_message = r.result.message;
            break;
        case ErrorKind::cancelled: ++o.cancelled; break;
        default: ++o.other; break;
        }
    }
    return o;
}

}  // namespace

TEST_CASE("no thread: threads mode runs what started, the rest fail with the system's reason") {
    FakeTransport fake;
    fake.expect_blocking(4, 4);  // only the 4 threads that start ever wait on the transport
    Run run(fake, fake_workload(std::vector<double>(10, 1.0)), Mode::threads, 1);
    run.set_thread_starter(failing_after(4));  // the runner thread cannot start either
    finish_within_10s(run);
    const Outcome o = outcome_of(run);
    CHECK(o.ok == 4);
    CHECK(o.no_thread == 6);
    CHECK(o.cancelled == 0);
    CHECK(o.no_thread_message.find("could not start a thread") != std::string::npos);
    CHECK(o.no_thread_message.find(std::generic_category().message(EAGAIN)) != std::string::npos);
    CHECK(run.summary().wall_s == doctest::Approx(1.0));
}

TEST_CASE("no thread: a runner that cannot start cancels nothing already in flight") {
    SUBCASE("threads") {
        FakeTransport fake;
        fake.expect_blocking(10, 10);
        Run run(fake, fake_workload(std::vector<double>(10, 0.5)), Mode::threads, 1);
        run.set_thread_starter(failing_after(10));  // every request's thread, then no runner
        finish_within_10s(run);
        const Outcome o = outcome_of(run);
        CHECK(o.ok == 10);
        CHECK(o.cancelled == 0);
    }
    SUBCASE("pool: the workers that started drain the queue") {
        FakeTransport fake;
        fake.expect_blocking(2, 10);
        Run run(fake, fake_workload(std::vector<double>(10, 1.0)), Mode::pool, 4);
        run.set_thread_starter(failing_after(2));  // 2 of 4 workers, no runner
        finish_within_10s(run);
        const Outcome o = outcome_of(run);
        CHECK(o.ok == 10);
        CHECK(o.cancelled == 0);
        CHECK(run.summary().wall_s == doctest::Approx(5.0));
    }
}

TEST_CASE("no thread: with no thread at all every request says why") {
    for (Mode mode : {Mode::sequential, Mode::threads, Mode::pool}) {
        CAPTURE(std::string(mode_name(mode)));
        FakeTransport fake;
        Run run(fake, fake_workload(std::vector<double>(5, 1.0)), mode, 4);
        run.set_thread_starter(failing_after(0));
        finish_within_10s(run);
        const Outcome o = outcome_of(run);
        CHECK(o.no_thread == 5);
        CHECK(o.no_thread_message.find(std::generic_category().message(EAGAIN)) != std::string::npos);
    }
}

TEST_CASE("no thread: the async modes start no thread, so a system out of them does not touch them") {
    for (Mode mode : {Mode::async, Mode::bounded}) {
        CAPTURE(std::string(mode_name(mode)));
        FakeTransport fake;
        Run run(fake, fake_workload(std::vector<double>(6, 1.0)), mode, 2);
        run.set_thread_starter(failing_after(0));
        finish_within_10s(run);
        CHECK(outcome_of(run).ok == 6);
    }
}

TEST_CASE("no thread: 100,000 requests with no thread to run them are all recorded") {
    FakeTransport fake;
    Run run(fake, fake_workload(std::vector<double>(100000, 1.0)), Mode::threads, 1);
    run.set_thread_starter(failing_after(0));
    finish_within_10s(run);
    CHECK(outcome_of(run).no_thread == 100000);
}

TEST_CASE("no thread: out of memory as well, the run still ends and records every request") {
    for (Mode mode : {Mode::sequential, Mode::threads, Mode::pool}) {
        CAPTURE(std::string(mode_name(mode)));
        FakeTransport fake;
        Run run(fake, fake_workload(std::vector<double>(1000, 1.0)), mode, 4);
        bool threw = false;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        allocations_fail = true;  // std::thread itself cannot start: its state needs memory
        try {
            run.begin();
            while (!run.poll(10) && std::chrono::steady_clock::now() < deadline) {
            }
        } catch (...) {
            threw = true;
        }
        allocations_fail = false;
        REQUIRE_FALSE(threw);
        REQUIRE(run.finished());
        const Outcome o = outcome_of(run);
        CHECK(o.no_thread == 1000);
        CHECK_FALSE(o.no_thread_message.empty());
    }
}
