#pragma once
// The pieces of the panel, one file each, and what they share. Internal to src/ui/.
#include <string>
#include <vector>

#include <imgui.h>

#include "../experiment.h"
#include "panel.h"

namespace fetchlab::ui {

// "1.31 s", "12 ms": how every duration on the panel is written.
std::string format_seconds(double s);

// A little darker or lighter text for secondary lines.
ImVec4 dim_text_color();
constexpr ImU32 error_color = IM_COL32(235, 70, 70, 255);

// Lays items out left to right, starting a new line when the next one would not fit.
class Flow {
public:
    Flow();
    // Call before each item (or group of items) `width` pixels wide.
    void next(float width, float spacing = -1);

private:
    float right_;
    bool first_ = true;
};

// controls.cpp: mode, preset, N, latency, K, origins, Run / Cancel / Clear.
void draw_controls(Experiment& experiment, PanelState& state);

// One run as the waterfall shows it: finished (a RunReport) or in progress (a fresh snapshot).
struct WaterfallRun {
    Mode mode = Mode::sequential;
    int workers = 0;
    const Workload* workload = nullptr;
    const Timeline* timeline = nullptr;
    bool live = false;
    double now = 0;        // live runs: the transport clock's "now"
    double extent = 0;     // seconds since the run's start that the run spans so far
    std::string title;     // "threads: 11 requests in 1.31 s (ideal 1.30 s)"
    const ConnectionWaits* waits = nullptr;  // which requests waited for a free connection
};

// waterfall.cpp: a row per request, coloured by phase, with a shared time axis. Fills `size`.
void draw_waterfall(const std::vector<WaterfallRun>& runs, PanelState& state, ImVec2 size);

// results_table.cpp: the latest runs (and the one in progress), then a collapsed history.
void draw_results_table(const Experiment& experiment, PanelState& state, const Timeline* live, double live_elapsed);
// About as wide as that table draws itself, so the lesson beside it can have the rest.
float results_table_width();

// history.cpp: every run since the page opened with the settings it ran with, newest first; a
// click on a row shows that run in the waterfall (state.history_shown).
void draw_history(const Experiment& experiment, PanelState& state);

}  // namespace fetchlab::ui
