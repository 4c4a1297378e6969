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
#include <vector>

#include "../experiment.h"
#include "../timeline_model.h"

namespace fetchlab::ui {

// The clock of the run in progress, as seen from the UI: its timeline only holds times at which
// something happened, so "now" is the latest of them, carried forward with ImGui's own time.
struct LiveClock {
    const void* run = nullptr;  // which run it follows (with run_start, as a pointer can be reused)
    double run_start = 0;
    double seen = 0;            // the latest time seen in the run's timeline (transport clock)
    double seen_at = 0;         // ImGui::GetTime() when `seen` was last moved forward
};

// What the waterfall showed in the last frame, for the page's hooks and for tests.
struct WaterfallView {
    int first_row = -1;         // the first row in view (each run's header counts as rows); -1: none
    int rows = 0;               // rows in all
    float row_h = 0;            // pixels
    int label_every = 1;        // a label on every k-th request row (rows thinner than text)
    bool all_fit = false;       // every row in view without scrolling
};

// Which requests of a run waited for a connection, computed once per timeline it was shown for.
struct WaitsCache {
    const Timeline* timeline = nullptr;
    double run_start = 0;
    std::size_t finished = 0;
    ConnectionWaits waits;
};

struct PanelState {
    std::string start_error;    // why the last start() refused; shown in red until the next change
    std::vector<std::string> notices;  // settings refused or changed (the page's query): shown until
                                       // the next run or change of a setting
    bool start_when_warm = false;      // Run pressed while the threads warm up: starts once they are
    int history_shown = -1;     // a run of history() shown in the waterfall (clicked); -1: the latest
    int shown_run = -1;         // which run the waterfall shows: -1 every run stacked, else its index
                                // in latest() (the run in progress comes last); set it to switch tabs
    int tab_drawn = -1;         // (internal) the tab shown last frame
    bool fit_rows = true;       // shrink rows (down to 2 px) so every request fits the view
    bool same_scale = true;     // one time scale for every run, so slow and fast modes compare
    bool history_open = false;  // the history under the results table
    LiveClock clock;
    WaterfallView waterfall;    // (output) what the waterfall showed last frame
    std::string status;         // (output) the status line and the notices under it, last frame
    std::vector<WaitsCache> waits;  // (internal)
    struct {
        std::string text, wrapped;
        float width = 0;
    } lesson;                   // (internal) the lesson as last wrapped, wrapped again only when it changes
};

// Draws the panel over ImGui::GetMainViewport()'s work area. Reads the experiment, edits its
// settings, and calls start() / cancel() / clear() when their buttons are pressed.
void draw_panel(Experiment& experiment, PanelState& state);

// What the Run and Cancel buttons do, for front ends that offer the same outside the panel (the
// page's window.fetchlab.run() and cancel()). After press_run, state.start_error says why it refused.
void press_run(Experiment& experiment, PanelState& state);
void press_cancel(Experiment& experiment, PanelState& state);

}  // namespace fetchlab::ui
