#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fake_transport.h"
#include "report.h"
#include "run.h"

using namespace fetchlab;
using fetchlab::testing::FakeTransport;
using fetchlab::testing::fake_workload;

TEST_CASE("JSON report: the documented shape, times relative to the run's start") {
    Workload w = fake_workload({0.5, 1.0});
    w.requests[1].url += "?status=500";
    std::vector<RunReport> reports;
    for (Mode mode : {Mode::sequential, Mode::async}) {
        FakeTransport fake;
        fake.expect_blocking(1, 2);
        Run run(fake, w, mode, 1);
        run.wait();
        reports.push_back(report_of(run));
    }
    auto doc = nlohmann::json::parse(report_json(reports));
    CHECK(doc["fetchlab"].get<std::string>() == fetchlab_version());
    REQUIRE(doc["runs"].size() == 2);
    const auto& seq = doc["runs"][0];
    for (const char* key : {"mode", "n", "wall_s", "ideal_s", "cpu_s", "ok", "errors", "failed", "cancelled",
                            "comparable", "requests", "speedup", "peak_started", "peak_on_wire"})
        CHECK_MESSAGE(seq.contains(key), key);
    CHECK(seq["mode"] == "sequential");
    CHECK(seq["n"] == 2);
    CHECK(seq["wall_s"].get<double>() == doctest::Approx(1.5));
    CHECK(seq["ok"] == 1);
    CHECK(seq["errors"] == 1);
    REQUIRE(seq["requests"].size() == 2);
    const auto& r0 = seq["requests"][0];
    for (const char* key : {"url", "lane", "start_s", "connect_s", "first_byte_s", "end_s", "status", "bytes", "error"})
        CHECK_MESSAGE(r0.contains(key), key);
    CHECK(r0["start_s"].get<double>() == doctest::Approx(0.0));
    CHECK(r0["end_s"].get<double>() == doctest::Approx(0.5));
    CHECK(r0["error"].is_null());
    CHECK(r0["lane"] == "thread");
    const auto& r1 = seq["requests"][1];
    CHECK(r1["start_s"].get<double>() == doctest::Approx(0.5));
    CHECK(r1["status"] == 500);
    CHECK(r1["error"] == "http status");
    CHECK(r1["message"] == "HTTP 500 Internal Server Error");
    const auto& as = doc["runs"][1];
    CHECK(as["wall_s"].get<double>() == doctest::Approx(1.0));
    CHECK(as["speedup"].is_null());  // a run with a failed request is not comparable
    CHECK(as["requests"][0]["lane"] == "event loop");
}

TEST_CASE("JSON report: credentials left out, and any bytes in URLs or messages come out as valid UTF-8") {
    Workload w = fake_workload({0.1, 0.1});
    w.requests[0].url = "http://user:secret@127.0.0.1/\xff";
    w.requests[1].url += "?status=500";
    FakeTransport fake;
    Run run(fake, w, Mode::async, 1);
    run.wait();
    RunReport rep = report_of(run);
    rep.timeline.requests[1].result.message = "junk \xff\xfe\x01 from a server";
    std::string text;
    REQUIRE_NOTHROW(text = report_json({rep}));
    CHECK(text.find("secret") == std::string::npos);
    auto doc = nlohmann::json::parse(text);
    CHECK(doc["runs"][0]["requests"][0]["url"] == "http://***@127.0.0.1/%FF");
    CHECK(doc["runs"][0]["requests"][1]["message"].get<std::string>().rfind("junk \xef\xbf\xbd", 0) == 0);
}

TEST_CASE("speedup baseline: the sequential run, else the ideal sequential time") {
    FakeTransport fake;
    Run run(fake, fake_workload({1.0, 2.0}), Mode::async, 1);
    run.wait();
    bool measured = true;
    CHECK(speedup_baseline({report_of(run)}, &measured) == doctest::Approx(3.0));
    CHECK_FALSE(measured);
}

TEST_CASE("error kinds have readable names") {
    CHECK(std::string(error_kind_name(ErrorKind::connect_refused)) == "connect refused");
    CHECK(std::string(error_kind_name(ErrorKind::too_large)) == "too large");
    CHECK(std::string(error_kind_name(ErrorKind::protocol)) == "protocol");
    Result r;
    r.status = 404;
    classify_http_status(r);
    CHECK(r.error == ErrorKind::http_status);
    CHECK(r.message == "HTTP 404 Not Found");
    Result fine;
    fine.status = 302;
    classify_http_status(fine);
    CHECK(fine.ok());
}

TEST_CASE("speedup: a run with a failed request gets none, and a failed sequential run is no baseline") {
    Workload ok_w = fake_workload({0.5, 1.0});
    Workload failing_w = ok_w;
    failing_w.requests[1].url += "?status=500";
    auto report = [](const Workload& w, Mode mode) {
        FakeTransport fake;
        fake.expect_blocking(1, 2);
        Run run(fake, w, mode, 1);
        run.wait();
        return report_of(run);
    };
    // A clean sequential run is the baseline; the async run that failed a request gets no speedup.
    std::vector<RunReport> reports{report(ok_w, Mode::sequential), report(failing_w, Mode::async)};
    bool measured = false;
    CHECK(speedup_baseline(reports, &measured) == doctest::Approx(1.5));
    CHECK(measured);
    CHECK_FALSE(comparable(reports[1].summary));
    CHECK(speedup_of(reports[1].summary, 1.5) == 0);
    auto doc = nlohmann::json::parse(report_json(reports));
    CHECK(doc["runs"][0]["speedup"].get<double>() == doctest::Approx(1.0));
    CHECK(doc["runs"][1]["speedup"].is_null());

    // A sequential run that failed a request took less than the work: the ideal stands in.
    reports = {report(failing_w, Mode::sequential), report(ok_w, Mode::async)};
    CHECK(speedup_baseline(reports, &measured) == doctest::Approx(1.5));
    CHECK_FALSE(measured);
    CHECK(comparable(reports[1].summary));
    CHECK(speedup_of(reports[1].summary, 1.5) == doctest::Approx(1.5));
}

TEST_CASE("JSON report: failed and cancelled apart, ok + errors == n, and both peaks named for what they count") {
    // Five requests handed to the transport at once; the platform put two at a time on the wire.
    // The first failed, the last was cancelled.
    RunReport rep;
    rep.workload = fake_workload({0.2, 0.2, 0.2, 0.2, 0.2});
    rep.timeline.run_start = 10;
    rep.timeline.requests.resize(5);
    for (std::size_t i = 0; i < 5; ++i) {
        RequestRecord& r = rep.timeline.requests[i];
        r.state = RequestState::done;
        r.lane = 0;
        r.began = r.result.started = 10;
        r.result.connect_start = 10 + 0.2 * double(i / 2);
        r.result.first_byte = r.result.done = 10 + 0.2 * double(i / 2 + 1);
        r.result.status = 200;
    }
    rep.timeline.requests[0].result.error = ErrorKind::http_status;
    rep.timeline.requests[4].result = failed_before_start(ErrorKind::cancelled, "cancelled", 10.5);
    rep.timeline.peak_in_flight = 5;
    rep.summary = summarize(Mode::async, 0, rep.workload, rep.timeline, 0.6, 0);

    const auto run = nlohmann::json::parse(report_json({rep}))["runs"][0];
    CHECK(run["ok"] == 3);
    CHECK(run["failed"] == 1);
    CHECK(run["cancelled"] == 1);
    CHECK(run["errors"] == 2);
    CHECK(run["ok"].get<int>() + run["errors"].get<int>() == run["n"].get<int>());
    CHECK(run["comparable"] == false);
    CHECK(run["speedup"].is_null());
    CHECK(run["peak_started"] == 5);
    CHECK(run["peak_on_wire"] == 2);
    CHECK_FALSE(run.contains("peak_in_flight"));  // it counted started requests under a name that said more

    for (RequestRecord& r : rep.timeline.requests) r.result.connect_start = r.result.connected = -1;
    rep.summary = summarize(Mode::async, 0, rep.workload, rep.timeline, 0.6, 0);
    CHECK(nlohmann::json::parse(report_json({rep}))["runs"][0]["peak_on_wire"].is_null());  // not told
}
