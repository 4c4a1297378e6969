// The results table: one row per run of the latest start (and the run in progress), then the
// history of every run since the page opened, collapsed.
#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "panel_parts.h"

namespace fetchlab::ui {

namespace {

const ImVec4 best_color(0.45f, 0.85f, 0.5f, 1);

void right_aligned(const char* text, const ImVec4* color = nullptr) {
    const float w = ImGui::CalcTextSize(text).x;
    const float avail = ImGui::GetContentRegionAvail().x;
    if (avail > w) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - w);
    if (color) ImGui::TextColored(*color, "%s", text);
    else ImGui::TextUnformatted(text);
}

void number(std::size_t n) { right_aligned(std::to_string(n).c_str()); }

// "1.02" for wall / ideal; "7.9x" for a speedup, written as the lesson writes it.
std::string ratio(double x, const char* format) {
    if (x <= 0) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, format, x);
    return buf;
}

// The errors of a run by kind, with the first message of each, for the errors cell's tooltip.
void errors_tooltip(const Timeline& timeline) {
    if (!ImGui::IsItemHovered()) return;  // every request is read, so only for a tooltip shown
    std::map<ErrorKind, std::pair<std::size_t, std::string>> kinds;
    for (const RequestRecord& r : timeline.requests) {
        if (r.state != RequestState::done || r.result.ok()) continue;
        auto& entry = kinds[r.result.error];
        if (entry.first++ == 0) entry.second = r.result.message;
    }
    if (kinds.empty()) return;
    ImGui::BeginTooltip();
    for (const auto& [kind, entry] : kinds)
        ImGui::Text("%zu %s  (%s)", entry.first, error_kind_name(kind), entry.second.c_str());
    ImGui::EndTooltip();
}

struct Column {
    const char* name;
    const char* help;
};

// Short headers, each explained by its tooltip. `speedup_help` is null for no speedup column.
std::vector<Column> columns(const char* speedup_help, bool with_workload) {
    std::vector<Column> c;
    if (with_workload) c.push_back({"workload", nullptr});
    c.push_back({"mode", nullptr});
    c.push_back({"K", "workers (pool) or requests in flight (bounded)"});
    c.push_back({"n", "requests"});
    c.push_back({"wall", "from the run's start to its last request's end"});
    c.push_back({"ideal", "the best the mode allows: the sum of the delays one at a time, the slowest of them "
                          "all at once, or the requests in order over K lanes"});
    c.push_back({"wall/ideal", "how close the run came to its ideal: 1.00 is as good as it gets"});
    if (speedup_help) c.push_back({"speedup", speedup_help});
    c.push_back({"ok", "requests that succeeded"});
    c.push_back({"errors", "requests that failed or were cancelled (hover a count for the reasons)"});
    c.push_back({"peak", "the most requests in flight at once"});
    return c;
}

bool begin_table(const char* id, const std::vector<Column>& cols) {
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_BordersOuterH | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable(id, static_cast<int>(cols.size()), flags)) return false;
    for (const Column& c : cols) ImGui::TableSetupColumn(c.name, ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (std::size_t i = 0; i < cols.size(); ++i) {
        ImGui::TableSetColumnIndex(static_cast<int>(i));
        ImGui::TableHeader(cols[i].name);
        if (cols[i].help && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", cols[i].help);
    }
    return true;
}

void mode_and_k(Mode mode, int workers, const ImVec4* color = nullptr, const char* suffix = "") {
    ImGui::TableNextColumn();
    if (color) ImGui::TextColored(*color, "%s%s", mode_name(mode), suffix);
    else ImGui::Text("%s%s", mode_name(mode), suffix);
    ImGui::TableNextColumn();
    right_aligned(mode_uses_workers(mode) ? std::to_string(workers).c_str() : "-");
}

void report_row(const RunReport& report, double baseline, bool with_speedup, bool with_workload, bool best) {
    const Summary& s = report.summary;
    ImGui::TableNextRow();
    if (with_workload) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(report.workload.name.c_str());
    }
    mode_and_k(s.mode, s.workers);
    ImGui::TableNextColumn();
    number(s.n);
    ImGui::TableNextColumn();
    right_aligned(format_seconds(s.wall_s).c_str(), best ? &best_color : nullptr);
    ImGui::TableNextColumn();
    right_aligned(format_seconds(s.ideal_s).c_str());
    ImGui::TableNextColumn();
    right_aligned(ratio(s.ideal_s > 0 ? s.wall_s / s.ideal_s : 0, "%.2f").c_str());
    if (with_speedup) {
        ImGui::TableNextColumn();
        right_aligned(ratio(speedup_of(s, baseline), "%.1fx").c_str());
    }
    ImGui::TableNextColumn();
    number(s.ok);
    ImGui::TableNextColumn();
    const ImVec4 red = ImGui::ColorConvertU32ToFloat4(error_color);
    right_aligned(std::to_string(s.errors).c_str(), s.errors > 0 ? &red : nullptr);
    errors_tooltip(report.timeline);
    ImGui::TableNextColumn();
    number(s.peak_in_flight);
}

// The run in progress: what is known so far, dimmed.
void live_row(const Run& run, const Timeline& live, double elapsed) {
    std::size_t ok = 0, errors = 0;
    for (const RequestRecord& r : live.requests) {
        if (r.state != RequestState::done) continue;
        if (r.result.ok()) ++ok;
        else ++errors;
    }
    const ImVec4 dim = dim_text_color();
    ImGui::TableNextRow();
    mode_and_k(run.mode(), run.workers(), &dim, " (running)");
    ImGui::TableNextColumn();
    number(live.requests.size());
    ImGui::TableNextColumn();
    right_aligned(format_seconds(elapsed).c_str(), &dim);
    for (int i = 0; i < 3; ++i) {  // ideal, wall/ideal, speedup: known at the end
        ImGui::TableNextColumn();
        right_aligned("-", &dim);
    }
    ImGui::TableNextColumn();
    number(ok);
    ImGui::TableNextColumn();
    number(errors);
    errors_tooltip(live);
    ImGui::TableNextColumn();
    number(live.peak_in_flight);
}

}  // namespace

void draw_results_table(const Experiment& experiment, PanelState& state, const Timeline* live, double live_elapsed) {
    const std::vector<RunReport>& latest = experiment.latest();
    bool measured = false;
    const double baseline = speedup_baseline(latest, &measured);
    const char* speedup_help = measured ? "how many times faster than the sequential run"
                                        : "how many times faster than the requests one after another would be";

    const Run* run = experiment.current();
    if (latest.empty() && !(live && run)) {
        ImGui::TextDisabled("The results of each run will be listed here.");
    } else if (begin_table("results", columns(speedup_help, false))) {
        double best = 0;
        for (const RunReport& r : latest)
            if (comparable(r.summary) && (best == 0 || r.summary.wall_s < best)) best = r.summary.wall_s;
        for (const RunReport& r : latest)
            report_row(r, baseline, true, false, latest.size() > 1 && r.summary.wall_s == best);
        if (live && run) live_row(*run, *live, live_elapsed);
        ImGui::EndTable();
    }

    // Every run since the page opened, newest first.
    const std::vector<RunReport>& history = experiment.history();
    const std::string title = "History: " + std::to_string(history.size()) + (history.size() == 1 ? " run" : " runs") +
                              "###history";
    ImGui::SetNextItemOpen(state.history_open, ImGuiCond_Always);
    state.history_open = ImGui::CollapsingHeader(title.c_str());
    if (state.history_open && !history.empty() && begin_table("history", columns(nullptr, true))) {
        for (auto it = history.rbegin(); it != history.rend(); ++it) report_row(*it, 0, false, true, false);
        ImGui::EndTable();
    }
}

}  // namespace fetchlab::ui
