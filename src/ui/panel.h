#pragma once
// The fetchlab panel: one full-viewport Dear ImGui window with the controls, the environment,
// a live waterfall of every request, the results table and the lesson. Pure ImGui (imgui.h
// only): the same file builds for the desktop window and the browser page.
//
// The main loop owns one Experiment and one PanelState and, once a frame:
//     experiment.update();                 // drives the run; never blocks
//     ImGui::NewFrame();
//     fetchlab::ui::draw_panel(experiment, state);
//     ImGui::Render();
#include <string>

#include "../experiment.h"

namespace fetchlab::ui {

// The clock of the run in progress, as seen from the UI: its timeline only holds times at which
// something happened, so "now" is the latest of them, carried forward with ImGui's own time.
struct LiveClock {
    const void* run = nullptr;  // which run it follows (with run_start, as a pointer can be reused)
    double run_start = 0;
    double seen = 0;            // the latest time seen in the run's timeline (transport clock)
    double seen_at = 0;         // ImGui::GetTime() when `seen` was last moved forward
};

struct PanelState {
    std::string start_error;    // why the last start() refused; shown in red until the next change
    int shown_run = -1;         // which run the waterfall shows: -1 every run stacked, else its index
                                // in latest() (the run in progress comes last); set it to switch tabs
    int tab_drawn = -1;         // (internal) the tab shown last frame
    bool fit_rows = true;       // shrink rows (down to 2 px) so every request fits the view
    bool same_scale = true;     // one time scale for every run, so slow and fast modes compare
    bool history_open = false;  // the history under the results table
    LiveClock clock;
};

// Draws the panel over ImGui::GetMainViewport()'s work area. Reads the experiment, edits its
// settings, and calls start() / cancel() / clear() when their buttons are pressed.
void draw_panel(Experiment& experiment, PanelState& state);

// What the Run and Cancel buttons do, for front ends that offer the same outside the panel (the
// page's window.fetchlab.run() and cancel()). After press_run, state.start_error says why it refused.
void press_run(Experiment& experiment, PanelState& state);
void press_cancel(Experiment& experiment, PanelState& state);

}  // namespace fetchlab::ui
