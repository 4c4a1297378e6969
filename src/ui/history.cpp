// The history: every run since the page opened, newest first, with the settings it ran with, so a
// run can be told apart from the next and opened again in the waterfall with a click.
#include <string>

#include "panel_parts.h"

namespace fetchlab::ui {

namespace {

const char* preset_name(Preset p) {
    switch (p) {
    case Preset::seed: return "seed";
    case Preset::lab: return "lab";
    case Preset::flaky: return "flaky";
    case Preset::urls: return "urls";
    }
    return "";
}

// Every setting of the run, one line, in the page's query vocabulary (so it can be typed again).
std::string settings_line(const Settings& s) {
    std::string line = std::string("mode=") + mode_name(s.mode) + "&preset=" + preset_name(s.preset);
    if (s.preset == Preset::lab || s.preset == Preset::flaky)
        line += "&n=" + std::to_string(s.n) + "&latency=" + std::to_string(s.latency_ms);
    if (s.preset != Preset::urls) line += "&origins=" + std::to_string(s.origins);
    line += "&workers=" + std::to_string(s.workers) + "&timeout=" + std::to_string(s.timeout_ms) +
            "&max_kb=" + std::to_string(s.max_body_kb);
    return line;
}

void cell(const std::string& text) {
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(text.c_str());
}

}  // namespace

void draw_history(const Experiment& experiment, PanelState& state) {
    const std::vector<RunReport>& history = experiment.history();
    const std::vector<Settings>& settings = experiment.history_settings();
    const std::string title = "History: " + std::to_string(history.size()) + (history.size() == 1 ? " run" : " runs") +
                              " (click one to see it)###history";
    ImGui::SetNextItemOpen(state.history_open, ImGuiCond_Always);
    state.history_open = ImGui::CollapsingHeader(title.c_str());
    if (!state.history_open || history.empty()) return;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_BordersOuterH | ImGuiTableFlags_SizingFixedFit;
    const char* const columns[] = {"#", "workload", "mode", "K", "origins", "timeout", "wall", "ok", "errors"};
    if (!ImGui::BeginTable("history", IM_ARRAYSIZE(columns), flags)) return;
    for (const char* c : columns) ImGui::TableSetupColumn(c);
    ImGui::TableHeadersRow();
    for (std::size_t k = history.size(); k-- > 0;) {
        const RunReport& r = history[k];
        const Summary& s = r.summary;
        const bool has_settings = k < settings.size();
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const std::string id = std::to_string(k + 1) + "##history-run";
        if (ImGui::Selectable(id.c_str(), state.history_shown == static_cast<int>(k),
                              ImGuiSelectableFlags_SpanAllColumns))
            state.history_shown = state.history_shown == static_cast<int>(k) ? -1 : static_cast<int>(k);
        if (has_settings && ImGui::IsItemHovered()) {
            ImGui::BeginTooltip();
            ImGui::TextUnformatted(settings_line(settings[k]).c_str());
            ImGui::TextDisabled("Click to show this run in the waterfall; click again for the latest runs.");
            ImGui::EndTooltip();
        }
        cell(r.workload.name);
        cell(mode_name(s.mode));
        cell(mode_uses_workers(s.mode) ? std::to_string(s.workers) : "-");
        cell(has_settings && settings[k].preset != Preset::urls ? std::to_string(settings[k].origins) : "-");
        cell(has_settings ? format_seconds(settings[k].timeout_ms / 1000.0) : "-");
        cell(format_seconds(s.wall_s));
        cell(std::to_string(s.ok));
        cell(std::to_string(s.errors));
    }
    ImGui::EndTable();
}

}  // namespace fetchlab::ui
