// The panel, headless: a real ImGui context with no backend, frames rendered to draw data only.
// ImGui's own checks (IM_ASSERT: unbalanced Begin/End, bad IDs) abort the test if they fail.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>

#include <imgui.h>

#include "experiment.h"
#include "fake_transport.h"
#include "ui/panel.h"

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
