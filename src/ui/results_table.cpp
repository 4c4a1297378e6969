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

// The failures of a run by kind, with the first message of each, for the failed cell's tooltip.
// Cancelled requests have a column of their own.
void failures_tooltip(const Timeline& timeline) {
    if (!ImGui::IsItemHovered()) return;  // every request is read, so only for a tooltip shown
    std::map<ErrorKind, std::pair<std::size_t, std::string>> kinds;
    for (const RequestRecord& r : timeline.requests) {
        if (r.state != RequestState::done || r.result.ok() || r.result.error == ErrorKind::cancelled) continue;
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
    c.push_back({"wall/ideal", "how close the run came to its ideal: 1.00 is as good as it gets; "
                               "none for a run with failed or cancelled requests, which did less"});
    if (speedup_help) c.push_back({"speedup", speedup_help});
    c.push_back({"ok", "requests that succeeded"});
    c.push_back({"failed", "requests that ended in an error (hover a count for the reasons)"});
    c.push_back({"cancelled", "requests cut short by Cancel"});
    c.push_back({"peak started", "the most requests started and not yet done at once"});
    c.push_back({"peak on wire", "the most requests on the wire at once, from when each began to connect to its "
                                 "end; a browser may hold started requests back for a free connection. "
                                 "'?' where the platform does not tell"});
    return c;
}

// The widest text of each column of the latest runs' table, for the panel's layout.
const char* const widest_cells[] = {"bounded (running)", "100", "2000", "cancelled", "10.25 s", "wall/ideal",
                                    "speedup", "2000", "failed", "cancelled", "peak started", "peak on wire"};

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
    const ImVec4 dim = dim_text_color();
    ImGui::TableNextRow();
    if (with_workload) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(report.workload.name.c_str());
    }
    mode_and_k(s.mode, s.workers);
    ImGui::TableNextColumn();
    number(s.n);
    // A cancelled run's wall is when it was stopped, not a result.
    ImGui::TableNextColumn();
    if (s.cancelled > 0) right_aligned("cancelled", &dim);
    else right_aligned(format_seconds(s.wall_s).c_str(), best ? &best_color : nullptr);
    ImGui::TableNextColumn();
    right_aligned(format_seconds(s.ideal_s).c_str());
    ImGui::TableNextColumn();
    right_aligned(ratio_text(comparable(s) && s.ideal_s > 0 ? s.wall_s / s.ideal_s : 0).c_str());
    if (with_speedup) {
        ImGui::TableNextColumn();
        right_aligned(speedup_text(speedup_of(s, baseline)).c_str());
    }
    ImGui::TableNextColumn();
    number(s.ok);
    ImGui::TableNextColumn();
    const ImVec4 red = ImGui::ColorConvertU32ToFloat4(error_color);
    right_aligned(std::to_string(s.failed).c_str(), s.failed > 0 ? &red : nullptr);
    failures_tooltip(report.timeline);
    ImGui::TableNextColumn();
    right_aligned(std::to_string(s.cancelled).c_str(), s.cancelled > 0 ? &dim : nullptr);
    ImGui::TableNextColumn();
    number(s.peak_in_flight);
    ImGui::TableNextColumn();
    right_aligned(s.peak_on_wire >= 0 ? std::to_string(s.peak_on_wire).c_str() : "?");
}

// The run in progress: what is known so far, dimmed.
void live_row(const Run& run, const Timeline& live, double elapsed) {
    std::size_t ok = 0, failed = 0, cancelled = 0;
    for (const RequestRecord& r : live.requests) {
        if (r.state != RequestState::done) continue;
        if (r.result.ok()) ++ok;
        else if (r.result.error == ErrorKind::cancelled) ++cancelled;
        else ++failed;
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
    number(failed);
    failures_tooltip(live);
    ImGui::TableNextColumn();
    number(cancelled);
    ImGui::TableNextColumn();
    number(live.peak_in_flight);
    ImGui::TableNextColumn();
    right_aligned("-", &dim);  // on the wire: known once the requests have ended
}

}  // namespace

float results_table_width() {
    const ImGuiStyle& style = ImGui::GetStyle();
    float w = 0;
    for (const char* widest : widest_cells) w += ImGui::CalcTextSize(widest).x + style.CellPadding.x * 2 + 1;
    return w + style.ScrollbarSize;
}

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
            report_row(r, baseline, true, false,
                       latest.size() > 1 && comparable(r.summary) && r.summary.wall_s == best);
        if (live && run) live_row(*run, *live, live_elapsed);
        ImGui::EndTable();
    }

    draw_history(experiment, state);
}

}  // namespace fetchlab::ui
