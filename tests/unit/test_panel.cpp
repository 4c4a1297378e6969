// The panel, headless: a real ImGui context with no backend, frames rendered to draw data only.
// ImGui's own checks (IM_ASSERT: unbalanced Begin/End, bad IDs) abort the test if they fail.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>

#include <imgui.h>

#include "experiment.h"
#include "fake_transport.h"
#include "query_settings.h"
#include "timeline_model.h"
#include "ui/panel.h"
#include "ui/text_layout.h"

using namespace fetchlab;
using fetchlab::testing::FakeTransport;

namespace {

// One ImGui context for one test, with a built font atlas and a 1280 x 800 display.
struct Gui {
    Gui() {
        IMGUI_CHECKVERSION();
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        io.DeltaTime = 1.0f / 60;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    ~Gui() { ImGui::DestroyContext(); }

    // One frame of the panel; returns its draw data.
    const ImDrawData& frame(Experiment& experiment, ui::PanelState& state) {
        ImGui::NewFrame();
        ui::draw_panel(experiment, state);
        ImGui::Render();
        return *ImGui::GetDrawData();
    }
};

Environment fake_environment() {
    Environment env;
    env.platform = "fake transport";
    env.hardware_concurrency = 2;
    env.lab_origins = {"fake://lab-a", "fake://lab-b"};
    return env;
}

// Every run gets a fresh fake transport, told how many blocking fetches its mode runs at once
// (runs come in the order of all_modes(), skipping the modes that cannot run).
Experiment::TransportFactory fake_factory(const Experiment* const* experiment, std::size_t* runs_made) {
    return [experiment, runs_made](const TransportOptions&) -> std::unique_ptr<Transport> {
        auto fake = std::make_unique<FakeTransport>();
        const Experiment& e = **experiment;
        const Settings& s = e.settings;
        std::vector<Mode> modes;
        for (Mode m : all_modes())
            if (e.unavailable_reason(m).empty()) modes.push_back(m);
        const Mode mode = s.all_modes ? modes.at(*runs_made % modes.size()) : s.mode;
        const std::size_t n = s.preset == Preset::seed ? seed_delays_ms().size() : static_cast<std::size_t>(s.n);
        fake->expect_blocking(mode_concurrency(mode, n, s.workers), n);
        ++*runs_made;
        return fake;
    };
}

struct Setup {
    const Experiment* self = nullptr;
    std::size_t runs_made = 0;
    Experiment experiment;

    explicit Setup(Environment env = fake_environment())
        : experiment(fake_factory(&self, &runs_made), std::move(env)) {
        self = &experiment;
    }
};

// Drives the experiment as a main loop would, a frame after each update; returns the frames drawn.
int run_to_end(Gui& gui, Experiment& experiment, ui::PanelState& state) {
    int frames = 0;
    while (experiment.running() && frames < 100000) {
        experiment.update();
        gui.frame(experiment, state);
        ++frames;
    }
    return frames;
}

double frame_ms(Gui& gui, Experiment& experiment, ui::PanelState& state) {
    const auto t0 = std::chrono::steady_clock::now();
    const int n = 20;
    for (int i = 0; i < n; ++i) gui.frame(experiment, state);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / n;
}

}  // namespace

TEST_CASE("panel: draws a lab run of 20 requests while it runs and once it has finished") {
    Gui gui;
    Setup setup;
    Experiment& experiment = setup.experiment;
    ui::PanelState state;
    CHECK(gui.frame(experiment, state).TotalVtxCount > 500);  // the idle panel, before any run

    experiment.settings.preset = Preset::lab;
    experiment.settings.n = 20;
    experiment.settings.latency_ms = 200;
    SUBCASE("async") { experiment.settings.mode = Mode::async; }
    SUBCASE("bounded over two origins") {
        experiment.settings.mode = Mode::bounded;
        experiment.settings.workers = 4;
        experiment.settings.origins = 2;
    }
    SUBCASE("threads") { experiment.settings.mode = Mode::threads; }
    REQUIRE(experiment.start() == "");
    REQUIRE(experiment.running());
    CHECK(gui.frame(experiment, state).TotalVtxCount > 1000);  // the live waterfall, nothing done yet
    CHECK(run_to_end(gui, experiment, state) >= 1);
    REQUIRE_FALSE(experiment.running());
    REQUIRE(experiment.latest().size() == 1);
    CHECK(experiment.latest()[0].summary.ok == 20);

    const ImDrawData& data = gui.frame(experiment, state);
    CHECK(data.Valid);
    CHECK(data.TotalVtxCount > 2000);
}

TEST_CASE("panel: a run of every mode shows them all, on one time scale or each alone") {
    Gui gui;
    Setup setup;
    Experiment& experiment = setup.experiment;
    ui::PanelState state;
    experiment.settings.all_modes = true;
    experiment.settings.preset = Preset::seed;
    experiment.settings.workers = 4;
    REQUIRE(experiment.start() == "");
    run_to_end(gui, experiment, state);
    REQUIRE(experiment.latest().size() == all_modes().size());
    CHECK(experiment.latest()[0].summary.wall_s == doctest::Approx(10.25));

    CHECK(gui.frame(experiment, state).TotalVtxCount > 2000);
    CHECK(state.shown_run == -1);  // every run stacked

    SUBCASE("one run alone, on its own time scale, with the history open") {
        state.shown_run = 1;
        state.same_scale = false;
        state.fit_rows = false;
        state.history_open = true;
        for (int i = 0; i < 3; ++i) CHECK(gui.frame(experiment, state).TotalVtxCount > 2000);
        CHECK(state.shown_run == 1);  // the tab bar took the choice and kept it
        CHECK(state.history_open);
    }
    SUBCASE("a new start with fewer runs falls back to showing them all") {
        state.shown_run = 4;
        gui.frame(experiment, state);
        experiment.settings.all_modes = false;
        REQUIRE(experiment.start() == "");
        run_to_end(gui, experiment, state);
        gui.frame(experiment, state);
        CHECK(state.shown_run == -1);
    }
    CHECK(experiment.history().size() >= all_modes().size());
}

TEST_CASE("panel: 2,000 finished requests draw only the visible rows") {
    Gui gui;
    Setup setup;
    Experiment& experiment = setup.experiment;
    ui::PanelState state;
    experiment.settings.mode = Mode::async;
    experiment.settings.preset = Preset::lab;
    experiment.settings.n = 2000;
    REQUIRE(experiment.start() == "");
    run_to_end(gui, experiment, state);
    REQUIRE(experiment.latest().size() == 1);
    REQUIRE(experiment.latest()[0].timeline.requests.size() == 2000);

    // A mouse over the waterfall: its row is highlighted and its tooltip drawn.
    ImGui::GetIO().MousePos = ImVec2(600, 400);
    SUBCASE("rows of full height: a screenful of them") {
        state.fit_rows = false;
        gui.frame(experiment, state);
        const int vertices = gui.frame(experiment, state).TotalVtxCount;
        CHECK(vertices > 1000);
        CHECK(vertices < 60000);  // 2,000 rows of bars and labels would be far more
        MESSAGE("2,000 requests, full rows: " << frame_ms(gui, experiment, state) << " ms a frame, " << vertices
                                              << " vertices");
    }
    SUBCASE("fitted rows: thin but all there") {
        state.fit_rows = true;
        gui.frame(experiment, state);
        const int vertices = gui.frame(experiment, state).TotalVtxCount;
        CHECK(vertices > 1000);
        MESSAGE("2,000 requests, fitted rows: " << frame_ms(gui, experiment, state) << " ms a frame, " << vertices
                                                << " vertices");
    }
}

TEST_CASE("panel: a cancelled run and a page without threads still draw") {
    Gui gui;
    Environment env = fake_environment();
    env.cross_origin_isolated = false;
    env.threads_available = false;
    Setup setup(env);
    Experiment& experiment = setup.experiment;
    ui::PanelState state;
    CHECK_FALSE(experiment.unavailable_reason(Mode::threads).empty());
    experiment.settings.all_modes = true;
    experiment.settings.preset = Preset::lab;
    experiment.settings.n = 30;
    REQUIRE(experiment.start() == "");
    experiment.update();
    gui.frame(experiment, state);
    experiment.cancel();
    run_to_end(gui, experiment, state);
    REQUIRE_FALSE(experiment.latest().empty());
    CHECK(experiment.latest().back().summary.cancelled > 0);
    CHECK(lesson_text(experiment.latest(), experiment.environment()).find("cancelled") != std::string::npos);
    CHECK(gui.frame(experiment, state).TotalVtxCount > 1000);

    experiment.settings.all_modes = false;
    experiment.settings.preset = Preset::urls;
    experiment.settings.urls_text = "";
    state.start_error = experiment.start();
    CHECK_FALSE(state.start_error.empty());
    CHECK(gui.frame(experiment, state).TotalVtxCount > 1000);
    experiment.clear();
    CHECK(gui.frame(experiment, state).TotalVtxCount > 500);
}

// ---- The timeline model: a request's phases, computed once, no ImGui -----------------------------

namespace {

RequestRecord done_record(double began, double started, double done, ErrorKind error = ErrorKind::none,
                          int status = 200) {
    RequestRecord r;
    r.state = RequestState::done;
    r.lane = 0;
    r.began = began;
    r.result.started = started;
    r.result.done = done;
    r.result.error = error;
    r.result.status = status;
    return r;
}

std::vector<Phase> phases(const RequestPhases& p) {
    std::vector<Phase> out;
    for (const PhaseSpan& s : p.spans) out.push_back(s.phase);
    return out;
}

}  // namespace

TEST_CASE("timeline model: a failed request is a failure from its start to when it failed") {
    SUBCASE("status 0 after 2 s, no phases reported") {
        RequestRecord r = done_record(100.0, 100.0, 102.0, ErrorKind::network, 0);
        const RequestPhases p = phases_of(r, 100.0, 0, false);
        REQUIRE(phases(p) == std::vector<Phase>{Phase::failed});
        CHECK(p.spans[0].from == doctest::Approx(0));
        CHECK(p.spans[0].to == doctest::Approx(2));
    }
    SUBCASE("a 500 with a first byte is still drawn as a failure, not as waiting and downloading") {
        RequestRecord r = done_record(100.0, 100.1, 100.6, ErrorKind::http_status, 500);
        r.result.first_byte = 100.5;
        const RequestPhases p = phases_of(r, 100.0, 0, false);
        // Queued for the 0.1 s before its transport began it, then a failure: no waiting, no downloading.
        CHECK(phases(p) == std::vector<Phase>{Phase::queued, Phase::failed});
        CHECK(p.start == doctest::Approx(0.1));
        CHECK(p.end == doctest::Approx(0.6));
    }
}

TEST_CASE("timeline model: phases only where the platform reported them") {
    SUBCASE("a synchronous request that told only its ends (first byte stamped at the end)") {
        RequestRecord r = done_record(10.0, 10.0, 13.0);
        r.result.first_byte = 13.0;
        const RequestPhases p = phases_of(r, 10.0, 0, false);
        CHECK(phases(p) == std::vector<Phase>{Phase::unreported});
        CHECK_FALSE(p.phases_reported);
    }
    SUBCASE("an async request with every phase") {
        RequestRecord r = done_record(10.0, 10.0, 10.5);
        r.result.connect_start = 10.0;
        r.result.connected = 10.05;
        r.result.first_byte = 10.4;
        const RequestPhases p = phases_of(r, 10.0, 0, false);
        REQUIRE(phases(p) == std::vector<Phase>{Phase::connecting, Phase::waiting, Phase::downloading});
        CHECK(p.spans[1].to == doctest::Approx(0.4));
        CHECK(p.spans[2].to == doctest::Approx(0.5));
    }
    SUBCASE("a gap before connecting is a stall only when the request waited for a connection") {
        RequestRecord r = done_record(10.0, 10.0, 10.5);
        r.result.connect_start = 10.2;
        r.result.connected = 10.25;
        r.result.first_byte = 10.45;
        CHECK(phases(phases_of(r, 10.0, 0, true)).front() == Phase::stalled);
        CHECK(phases_of(r, 10.0, 0, true).stalled_s == doctest::Approx(0.2));
        CHECK(phases(phases_of(r, 10.0, 0, false)).front() == Phase::connecting);
        CHECK(phases_of(r, 10.0, 0, false).stalled_s == 0);
    }
    SUBCASE("a request still in flight runs to now, a request not begun is queued to now") {
        RequestRecord running;
        running.state = RequestState::running;
        running.began = 10.0;
        running.result.started = 10.0;
        CHECK(phases(phases_of(running, 10.0, 10.3, false)) == std::vector<Phase>{Phase::unreported});
        CHECK(phases_of(running, 10.0, 10.3, false).end == doctest::Approx(0.3));
        RequestRecord waiting;
        CHECK(phases(phases_of(waiting, 10.0, 10.3, false)) == std::vector<Phase>{Phase::queued});
    }
}

TEST_CASE("timeline model: only a request that got its connection as another ended waited for one") {
    Workload w;
    Timeline t;
    t.run_start = 0;
    // Seven requests of 200 ms to one origin, six connections: the seventh connects as the first ends.
    for (int i = 0; i < 7; ++i) {
        w.requests.push_back({"http://127.0.0.1:8001/delay?ms=200&id=" + std::to_string(i + 1), "r", 0.2});
        RequestRecord r = done_record(0, 0, i < 6 ? 0.2 + 0.001 * i : 0.41);
        r.result.connect_start = i < 6 ? 0.0 : 0.205;
        t.requests.push_back(r);
    }
    // An eighth on another origin starts connecting late with nothing ending there: a worker's start-up.
    w.requests.push_back({"http://127.0.0.1:8002/delay?ms=200&id=8", "r", 0.2});
    RequestRecord late = done_record(0, 0, 0.25);
    late.result.connect_start = 0.04;
    t.requests.push_back(late);

    const ConnectionWaits waits(t, w);
    for (int i = 0; i < 6; ++i) CHECK_FALSE(waits.waited(static_cast<std::size_t>(i)));
    CHECK(waits.waited(6));
    CHECK_FALSE(waits.waited(7));
    CHECK(origin_of("http://127.0.0.1:8001/delay?ms=1") == "http://127.0.0.1:8001");
}

// ---- Text laid out by width -------------------------------------------------------------------------

TEST_CASE("text layout: the lesson wraps at spaces only, never inside a number") {
    const ui::Measure seven_px = [](std::string_view t) { return 7.0f * static_cast<float>(t.size()); };
    const std::string text = "Sequential took 10.25 s (10.25 s ideal), threads 1.31 s: 7.8x faster than one at a time.";
    for (float width : {70.f, 91.f, 120.f, 150.f, 200.f, 333.f}) {
        CAPTURE(width);
        const std::vector<std::string> lines = ui::wrap_at_spaces(text, width, seven_px);
        std::string joined;
        for (const std::string& line : lines) {
            CHECK((seven_px(line) <= width || line.find(' ') == std::string::npos));
            CHECK_FALSE((line.size() >= 3 && line.compare(line.size() - 3, 3, "10.") == 0));  // no "(10." / "25 s)"
            joined += (joined.empty() ? "" : " ") + line;
        }
        CHECK(joined == text);  // broken only where there was a space
    }
    CHECK(ui::wrap_at_spaces("one\ntwo", 1000, seven_px) == std::vector<std::string>{"one", "two"});
}

TEST_CASE("text layout: a URL label that does not fit keeps its path and query") {
    const ui::Measure seven_px = [](std::string_view t) { return 7.0f * static_cast<float>(t.size()); };
    CHECK(ui::fit_label("request 12", 200, seven_px) == "request 12");
    const std::string a = ui::fit_label("127.0.0.1:8001/delay?ms=50", 150, seven_px);
    CHECK(a == "/delay?ms=50");
    const std::string b = ui::fit_label("127.0.0.1:8001/delay?ms=50&bytes=100000&id=17", 150, seven_px);
    const std::string c = ui::fit_label("127.0.0.1:8001/delay?ms=50&bytes=100000&id=18", 150, seven_px);
    CHECK(seven_px(b) <= 150);
    CHECK(b != c);
    CHECK(b.find("id=17") != std::string::npos);
}

// ---- The panel's behaviour ------------------------------------------------------------------------

TEST_CASE("panel: every run of five modes fits with Fit rows at N=60, labelled, in 1280 x 800") {
    Gui gui;
    Setup setup;
    Experiment& experiment = setup.experiment;
    ui::PanelState state;
    experiment.settings.all_modes = true;
    experiment.settings.preset = Preset::lab;
    experiment.settings.n = 60;
    REQUIRE(experiment.start() == "");
    run_to_end(gui, experiment, state);
    REQUIRE(experiment.latest().size() == all_modes().size());
    gui.frame(experiment, state);
    gui.frame(experiment, state);
    CHECK(state.shown_run == -1);
    CHECK(state.waterfall.rows >= 5 * 60);
    CHECK(state.waterfall.all_fit);  // the fifth run is not cut off
    CHECK(state.waterfall.label_every >= 1);
    CHECK(state.waterfall.label_every * state.waterfall.row_h >= ImGui::GetTextLineHeight() - 0.01f);
}

TEST_CASE("panel: the timeout and body-size caps reach the transport, and history keeps every setting") {
    Gui gui;
    Setup setup;
    Experiment& experiment = setup.experiment;
    ui::PanelState state;
    Settings& s = experiment.settings;
    CHECK(apply_query_argument(s, "max_kb=3").problem.empty());
    CHECK(s.max_body_kb == 3);
    CHECK_FALSE(apply_query_argument(s, "max_kb=0").problem.empty());
    CHECK(s.max_body_kb == SettingBounds::body_kb_min);
    s.preset = Preset::lab;
    s.n = 4;
    s.origins = 2;
    s.timeout_ms = 1234;
    s.max_body_kb = 5;
    s.mode = Mode::async;
    REQUIRE(experiment.start() == "");
    run_to_end(gui, experiment, state);
    REQUIRE(experiment.history_settings().size() == 1);
    const Settings& ran = experiment.history_settings()[0];
    CHECK(ran.origins == 2);
    CHECK(ran.timeout_ms == 1234);
    CHECK(ran.max_body_kb == 5);
    CHECK(ran.mode == Mode::async);

    // A history run shown in the waterfall instead of the latest, and gone with a clear.
    s.n = 9;
    REQUIRE(experiment.start() == "");
    run_to_end(gui, experiment, state);
    state.history_open = true;
    state.history_shown = 0;
    gui.frame(experiment, state);
    CHECK(state.waterfall.rows >= 4);  // the 4-request run (with its header rows), not the latest of 9
    CHECK(state.waterfall.rows < 9);
    experiment.clear();
    gui.frame(experiment, state);
    CHECK(state.history_shown == -1);
}

TEST_CASE("panel: Run pressed while the threads warm up starts once they are warm") {
    Gui gui;
    Environment env = fake_environment();
    env.thread_pool = 8;
    env.threads_ready = 3;
    Setup setup(env);
    Experiment& experiment = setup.experiment;
    ui::PanelState state;
    experiment.settings.mode = Mode::threads;
    experiment.settings.preset = Preset::lab;
    experiment.settings.n = 4;
    // What the Run button does while warming: the start waits (the e2e test presses the button itself).
    state.start_when_warm = true;
    gui.frame(experiment, state);
    CHECK_FALSE(experiment.running());
    CHECK(state.start_when_warm);
    CHECK(state.start_error.empty());
    experiment.set_threads_ready(8);
    gui.frame(experiment, state);
    CHECK_FALSE(state.start_when_warm);
    CHECK(state.start_error == "");
    CHECK(experiment.running());
    run_to_end(gui, experiment, state);
    REQUIRE(experiment.latest().size() == 1);
    CHECK(experiment.latest()[0].summary.ok == 4);
}

TEST_CASE("panel: the page's refused settings stay on the panel until a setting changes") {
    Gui gui;
    Setup setup;
    Experiment& experiment = setup.experiment;
    ui::PanelState state;
    for (const char* a : {"mode=thread", "latency=-5"}) {
        const QueryArgument r = apply_query_argument(experiment.settings, a);
        REQUIRE_FALSE(r.problem.empty());
        state.notices.push_back(r.problem);
    }
    for (int i = 0; i < 3; ++i) gui.frame(experiment, state);
    CHECK(state.notices.size() == 2);  // drawing does not clear them
    experiment.settings.preset = Preset::lab;  // a change made outside the controls is not theirs to clear
    gui.frame(experiment, state);
    CHECK(state.notices.size() == 2);
}
