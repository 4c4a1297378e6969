// The panel's one window, top to bottom: title and environment, controls, progress, the
// waterfall (whatever height is left), then the results table beside the lesson.
#include "panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panel_parts.h"

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

void status_line(const Experiment& experiment, const PanelState& state, const Timeline* live, double elapsed) {
    if (live) {
        ImGui::TextColored(ImVec4(1.0f, 0.9f, 0.5f, 1), "%s", progress_text(experiment, *live, elapsed).c_str());
    } else if (!state.start_error.empty()) {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(error_color), "Cannot start: %s", state.start_error.c_str());
    } else if (!experiment.latest().empty()) {
        const RunReport& first = experiment.latest().front();
        ImGui::Text("Finished: %zu %s of %s (%zu requests).", experiment.latest().size(),
                    experiment.latest().size() == 1 ? "run" : "runs", first.workload.name.c_str(),
                    first.workload.size());
    } else {
        ImGui::TextDisabled("Ready.");
    }
}

// About as wide as the results table draws itself, so the lesson can have the rest.
float results_width() {
    const ImGuiStyle& style = ImGui::GetStyle();
    float w = 0;
    for (const char* widest : {"bounded (running)", "100", "2000", "10.25 s", "10.25 s", "wall/ideal", "speedup",
                               "2000", "errors", "peak"})
        w += ImGui::CalcTextSize(widest).x + style.CellPadding.x * 2 + 1;
    return w + style.ScrollbarSize;
}

const char* const welcome =
    "Fetch the pages one after another, with a thread each, or all at once from one thread, and see where the "
    "time goes. Choose a mode (or All modes) and a workload, then press Run.";

void lesson_box(const std::string& text, float height) {
    ImGui::BeginChild("lesson", ImVec2(0, height), true);
    ImGui::TextColored(ImVec4(0.55f, 0.8f, 1.0f, 1), "What happened");
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
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

    std::vector<WaterfallRun> runs;
    for (const RunReport& r : experiment.latest()) {
        const double extent = std::max(r.summary.wall_s, r.timeline.last_done - r.timeline.run_start);
        runs.push_back(
            {r.summary.mode, r.summary.workers, &r.workload, &r.timeline, false, 0, extent, report_title(r)});
    }
    if (run) {
        runs.push_back({run->mode(), run->workers(), &run->workload(), &live, true, now, elapsed,
                        mode_title(run->mode(), run->workers()) + ":  running, " + std::to_string(live.finished) +
                            "/" + std::to_string(live.requests.size()) + " done"});
    }

    // The bottom area is as tall as the lesson (or the table) needs, so the lesson shows whole.
    const ImGuiStyle& style = ImGui::GetStyle();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float table_w = std::floor(std::clamp(results_width(), avail.x * 0.35f, avail.x * 0.6f));
    const float lesson_w = avail.x - table_w - style.ItemSpacing.x;
    std::string lesson = experiment.lesson();
    if (lesson.empty()) lesson = run ? "The lesson appears when the run finishes." : welcome;
    const float line = ImGui::GetTextLineHeightWithSpacing();
    const float lesson_h = ImGui::CalcTextSize(lesson.c_str(), nullptr, false, lesson_w - style.WindowPadding.x * 2).y +
                           line + style.WindowPadding.y * 2 + style.ItemSpacing.y;
    const std::size_t rows = std::max<std::size_t>(experiment.latest().size() + (run ? 1 : 0), 1);
    const float table_h = static_cast<float>(rows + 1) * (ImGui::GetTextLineHeight() + style.CellPadding.y * 2) +
                          ImGui::GetFrameHeightWithSpacing() + style.ItemSpacing.y * 2;
    // The lesson comes first; the waterfall keeps at least a dozen lines (and scrolls).
    const float bottom_h = std::clamp(std::max(lesson_h, table_h), line * 6, std::max(line * 6, avail.y - line * 12));
    const float waterfall_h = std::max(avail.y - bottom_h - style.ItemSpacing.y, line * 8);

    draw_waterfall(runs, state, ImVec2(avail.x, waterfall_h));

    ImGui::BeginChild("results", ImVec2(table_w, bottom_h), false);
    draw_results_table(experiment, state, run ? &live : nullptr, elapsed);
    ImGui::EndChild();
    ImGui::SameLine();
    lesson_box(lesson, bottom_h);

    ImGui::End();
}

}  // namespace fetchlab::ui
