// The panel's one window, top to bottom: title and environment, controls, progress, the
// waterfall (whatever height is left), then the results table beside the lesson.
#include "panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panel_parts.h"
#include "text_layout.h"

namespace fetchlab::ui {

std::string format_seconds(double s) {
    char buf[32];
    if (s >= 0.0995 || s <= 0) std::snprintf(buf, sizeof buf, "%.2f s", std::max(s, 0.0));
    else std::snprintf(buf, sizeof buf, "%.0f ms", s * 1000);
    return buf;
}

ImVec4 dim_text_color() { return ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled); }

Flow::Flow() : right_(ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x) {}

void Flow::next(float width, float spacing) {
    if (spacing < 0) spacing = ImGui::GetStyle().ItemSpacing.x;
    if (!first_ && ImGui::GetItemRectMax().x + spacing + width <= right_) ImGui::SameLine(0, spacing);
    first_ = false;
}

namespace {

const char* yes_no(bool b) { return b ? "yes" : "no"; }

void environment_line(const Environment& env) {
    std::string threads = env.threads_available ? "yes" : "no";
    if (env.threads_available && env.thread_pool > 0) {
        threads += ", a pool of " + std::to_string(env.thread_pool);
        if (env.threads_ready >= 0 && env.threads_ready < env.thread_pool)
            threads += " (warming up: " + std::to_string(env.threads_ready) + " ready)";
    }
    if (env.threads_available && env.max_threads > 0) threads += ", at most " + std::to_string(env.max_threads) + " a run";
    ImGui::TextDisabled("%s   |   cross-origin isolated: %s   |   threads: %s   |   hardwareConcurrency: %d   |   "
                        "lab origins: %zu",
                        env.platform.empty() ? "platform unknown" : env.platform.c_str(),
                        yes_no(env.cross_origin_isolated), threads.c_str(), env.hardware_concurrency,
                        env.lab_origins.size());
}

// "Now" on the transport's clock: the latest time in the timeline, carried forward with ImGui's
// clock between the moments the timeline moves (a blocking fetch reports its phases at its end).
double live_now(LiveClock& clock, const Run* run, const Timeline& t) {
    double seen = t.run_start;
    for (const RequestRecord& r : t.requests) {
        const Result& x = r.result;
        seen = std::max({seen, r.began, x.started, x.connected, x.first_byte, x.done});
    }
    const double gui = ImGui::GetTime();
    if (clock.run != run || clock.run_start != t.run_start) clock = {run, t.run_start, seen, gui};
    else if (seen > clock.seen + (gui - clock.seen_at)) {
        clock.seen = seen;
        clock.seen_at = gui;
    }
    return clock.seen + (gui - clock.seen_at);
}

std::string mode_title(Mode mode, int workers) {
    std::string s = mode_name(mode);
    if (mode_uses_workers(mode)) s += ", K = " + std::to_string(workers);
    return s;
}

// "async: 37/60 done, 23 in flight, 1.20 s"
std::string progress_text(const Experiment& experiment, const Timeline& live, double elapsed) {
    const Run* run = experiment.current();
    std::string s = mode_title(run->mode(), run->workers()) + ": " + std::to_string(live.finished) + "/" +
                    std::to_string(live.requests.size()) + " done, " + std::to_string(live.in_flight) +
                    " in flight, " + format_seconds(elapsed);
    if (experiment.queued_modes() > 0)
        s += "   (then " + std::to_string(experiment.queued_modes()) + " more " +
             (experiment.queued_modes() == 1 ? "mode)" : "modes)");
    return s;
}

std::string report_title(const RunReport& r) {
    const Summary& s = r.summary;
    std::string t = mode_title(s.mode, s.workers) + ":  " + std::to_string(s.n) + " requests in " +
                    format_seconds(s.wall_s) + "  (ideal " + format_seconds(s.ideal_s) + ")";
    if (s.cancelled > 0) t += ", cancelled";
    else if (s.errors > 0) t += ", " + std::to_string(s.errors) + (s.errors == 1 ? " error" : " errors");
    return t;
}

// The status line: what is running, waiting or refused, else what finished; then the notices.
std::string status_text(const Experiment& experiment, const PanelState& state, const Timeline* live, double elapsed) {
    const Environment& env = experiment.environment();
    if (state.start_when_warm)
        return "Starting as soon as the threads are warm: " + std::to_string(std::max(env.threads_ready, 0)) + " of " +
               std::to_string(env.thread_pool) + " ready.";
    if (live && experiment.current()->cancelling()) return "Cancelling...";
    if (live) return progress_text(experiment, *live, elapsed);
    if (!state.start_error.empty()) return "Cannot start: " + state.start_error;
    if (!experiment.latest().empty()) {
        const RunReport& first = experiment.latest().front();
        const std::size_t runs = experiment.latest().size();
        return "Finished: " + std::to_string(runs) + (runs == 1 ? " run" : " runs") + " of " + first.workload.name +
               " (" + std::to_string(first.workload.size()) + " requests).";
    }
    return "Ready.";
}

void status_line(const Experiment& experiment, PanelState& state, const Timeline* live, double elapsed) {
    const std::string text = status_text(experiment, state, live, elapsed);
    const ImVec4 color = state.start_when_warm || live ? ImVec4(1.0f, 0.9f, 0.5f, 1)
                         : !state.start_error.empty()  ? ImGui::ColorConvertU32ToFloat4(error_color)
                         : experiment.latest().empty() ? dim_text_color()
                                                       : ImGui::GetStyleColorVec4(ImGuiCol_Text);
    ImGui::TextColored(color, "%s", text.c_str());
    state.status = text;
    // What the page's query asked for and did not get, until the next run or change.
    for (const std::string& notice : state.notices) {
        const std::string line = "Setting not applied as given: " + notice;
        ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.35f, 1), "%s", line.c_str());
        state.status += "\n" + line;
    }
}

// Which requests waited for a free connection, per run shown, computed again only when its
// timeline has changed.
void attach_waits(std::vector<WaterfallRun>& runs, PanelState& state) {
    std::vector<WaitsCache> kept;
    for (const WaterfallRun& r : runs) {
        const auto same = [&r](const WaitsCache& c) {
            return c.timeline == r.timeline && c.run_start == r.timeline->run_start && c.finished == r.timeline->finished;
        };
        const auto found = std::find_if(state.waits.begin(), state.waits.end(), same);
        if (found != state.waits.end()) kept.push_back(std::move(*found));
        else kept.push_back({r.timeline, r.timeline->run_start, r.timeline->finished, ConnectionWaits(*r.timeline, *r.workload)});
    }
    state.waits = std::move(kept);
    for (std::size_t i = 0; i < runs.size(); ++i) runs[i].waits = &state.waits[i].waits;
}

// One history run in the waterfall instead of the latest, with the way back.
void history_banner(const Experiment& experiment, PanelState& state) {
    const RunReport& r = experiment.history()[static_cast<std::size_t>(state.history_shown)];
    ImGui::TextColored(ImVec4(0.55f, 0.8f, 1.0f, 1), "History, run %d of %zu: %s", state.history_shown + 1,
                       experiment.history().size(), r.workload.name.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Back to the latest runs")) state.history_shown = -1;
}

const char* const welcome =
    "Fetch the pages one after another, with a thread each, or all at once from one thread, and see where the "
    "time goes. Choose a mode (or All modes) and a workload, then press Run.";

// The lesson as lines that break at spaces only, so no number is split across two lines.
std::string wrapped(const std::string& text, float width) {
    const Measure measure = [](std::string_view t) { return ImGui::CalcTextSize(t.data(), t.data() + t.size()).x; };
    std::string out;
    for (const std::string& line : wrap_at_spaces(text, width, measure)) out += (out.empty() ? "" : "\n") + line;
    return out;
}

void lesson_box(const std::string& wrapped_text, float height) {
    ImGui::BeginChild("lesson", ImVec2(0, height), true);
    ImGui::TextColored(ImVec4(0.55f, 0.8f, 1.0f, 1), "What happened");
    ImGui::TextUnformatted(wrapped_text.c_str());
    ImGui::EndChild();
}

}  // namespace

void draw_panel(Experiment& experiment, PanelState& state) {
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("fetchlab", nullptr, flags);
    ImGui::PopStyleVar(2);

    // Title and environment.
    ImGui::TextColored(ImVec4(0.55f, 0.8f, 1.0f, 1), "fetchlab");
    ImGui::SameLine();
    ImGui::TextUnformatted("- fetch the pages one after another, one thread each, or all at once with async I/O");
    environment_line(experiment.environment());
    ImGui::Separator();

    // Controls (they may start, cancel or clear runs, so everything below reads the state after them).
    draw_controls(experiment, state);
    ImGui::Separator();

    // The run in progress: one snapshot this frame, shared by the progress line, waterfall and table.
    Timeline live;
    const Run* run = experiment.current();
    double now = 0;
    if (run) {
        live = run->timeline();
        now = live_now(state.clock, run, live);
    }
    const double elapsed = run ? std::max(0.0, now - live.run_start) : 0;
    status_line(experiment, state, run ? &live : nullptr, elapsed);

    if (state.history_shown >= static_cast<int>(experiment.history().size())) state.history_shown = -1;
    const bool from_history = state.history_shown >= 0;
    if (from_history) history_banner(experiment, state);
    std::vector<WaterfallRun> runs;
    auto add_report = [&runs](const RunReport& r) {
        const double extent = std::max(r.summary.wall_s, r.timeline.last_done - r.timeline.run_start);
        runs.push_back({r.summary.mode, r.summary.workers, &r.workload, &r.timeline, false, 0, extent, report_title(r)});
    };
    if (from_history) add_report(experiment.history()[static_cast<std::size_t>(state.history_shown)]);
    else
        for (const RunReport& r : experiment.latest()) add_report(r);
    if (run && !from_history) {
        runs.push_back({run->mode(), run->workers(), &run->workload(), &live, true, now, elapsed,
                        mode_title(run->mode(), run->workers()) + ":  running, " + std::to_string(live.finished) +
                            "/" + std::to_string(live.requests.size()) + " done"});
    }

    // The bottom area is as tall as the lesson (or the table) needs, so the lesson shows whole.
    const ImGuiStyle& style = ImGui::GetStyle();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float table_w = std::floor(std::clamp(results_table_width(), avail.x * 0.35f, avail.x * 0.6f));
    const float lesson_w = avail.x - table_w - style.ItemSpacing.x;
    std::string lesson = experiment.lesson();
    if (lesson.empty()) lesson = run ? "The lesson appears when the run finishes." : welcome;
    const float line = ImGui::GetTextLineHeightWithSpacing();
    const float wrap_w = lesson_w - style.WindowPadding.x * 2 - style.ScrollbarSize;
    if (lesson != state.lesson.text || wrap_w != state.lesson.width)
        state.lesson = {lesson, wrapped(lesson, wrap_w), wrap_w};
    lesson = state.lesson.wrapped;
    const float lesson_h = ImGui::CalcTextSize(lesson.c_str()).y +
                           line + style.WindowPadding.y * 2 + style.ItemSpacing.y;
    // An open history shows its newest runs (up to 6) without scrolling; the rest scroll.
    const std::size_t history_rows = state.history_open ? std::min<std::size_t>(experiment.history().size(), 6) + 1 : 0;
    const std::size_t rows = std::max<std::size_t>(experiment.latest().size() + (run ? 1 : 0), 1) + history_rows;
    const float table_h = static_cast<float>(rows + 1) * (ImGui::GetTextLineHeight() + style.CellPadding.y * 2) +
                          ImGui::GetFrameHeightWithSpacing() + style.ItemSpacing.y * 2;
    // The lesson comes first; the waterfall keeps at least a dozen lines (and scrolls).
    const float bottom_h = std::clamp(std::max(lesson_h, table_h), line * 6, std::max(line * 6, avail.y - line * 12));
    const float waterfall_h = std::max(avail.y - bottom_h - style.ItemSpacing.y, line * 8);

    attach_waits(runs, state);
    draw_waterfall(runs, state, ImVec2(avail.x, waterfall_h));

    ImGui::BeginChild("results", ImVec2(table_w, bottom_h), false);
    draw_results_table(experiment, state, run ? &live : nullptr, elapsed);
    ImGui::EndChild();
    ImGui::SameLine();
    lesson_box(lesson, bottom_h);

    ImGui::End();
}

}  // namespace fetchlab::ui
