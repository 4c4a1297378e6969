// The panel's controls: what to fetch, how, and the buttons. They edit experiment.settings and
// are locked while a run is in progress (a "run all" reads the settings as each mode starts).
#include <algorithm>
#include <map>

#include "panel_parts.h"
#include "query_settings.h"

namespace fetchlab::ui {

namespace {

const char* mode_description(Mode mode) {
    switch (mode) {
    case Mode::sequential: return "one after another on one thread";
    case Mode::threads: return "one thread per request, all at once";
    case Mode::async: return "all started at once from one thread, completions by callback";
    case Mode::pool: return "K worker threads sharing a queue";
    case Mode::bounded: return "async with at most K in flight";
    }
    return "";
}

// Lets InputTextMultiline edit a std::string in place (what misc/cpp/imgui_stdlib does).
int resize_string(ImGuiInputTextCallbackData* data) {
    if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
        auto* text = static_cast<std::string*>(data->UserData);
        text->resize(static_cast<std::size_t>(data->BufTextLen));
        data->Buf = text->data();
    }
    return 0;
}

bool input_multiline(const char* label, std::string& text, ImVec2 size) {
    return ImGui::InputTextMultiline(label, text.data(), text.capacity() + 1, size,
                                     ImGuiInputTextFlags_CallbackResize, resize_string, &text);
}

void tooltip(const std::string& text) {
    if (!text.empty() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
        ImGui::TextUnformatted(text.c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

// The mode combo: modes that cannot run here are listed, disabled, with the reason.
bool mode_combo(Experiment& experiment) {
    Settings& s = experiment.settings;
    bool changed = false;
    const std::string current_reason = experiment.unavailable_reason(s.mode);
    std::string preview = mode_name(s.mode);
    if (!current_reason.empty()) preview += " (unavailable)";
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    ImGui::BeginDisabled(s.all_modes);
    if (ImGui::BeginCombo("Mode", preview.c_str())) {
        for (Mode m : all_modes()) {
            const std::string reason = experiment.unavailable_reason(m);
            const ImGuiSelectableFlags flags = reason.empty() ? 0 : ImGuiSelectableFlags_Disabled;
            if (ImGui::Selectable(mode_name(m), m == s.mode, flags)) {
                s.mode = m;
                changed = true;
            }
            tooltip(reason.empty() ? mode_description(m) : reason);
        }
        ImGui::EndCombo();
    }
    ImGui::EndDisabled();
    tooltip(s.all_modes ? std::string() : current_reason.empty() ? mode_description(s.mode) : current_reason);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("All modes", &s.all_modes);
    tooltip("Every mode that can run here, one after another, on the same workload.");
    return changed;
}

bool preset_radio(Settings& s) {
    int preset = static_cast<int>(s.preset);
    bool changed = false;
    ImGui::SameLine(0, ImGui::GetFontSize() * 2);
    changed |= ImGui::RadioButton("seed: the 11 pages", &preset, static_cast<int>(Preset::seed));
    ImGui::SameLine();
    changed |= ImGui::RadioButton("lab: N x latency", &preset, static_cast<int>(Preset::lab));
    ImGui::SameLine();
    changed |= ImGui::RadioButton("flaky: lab with faults", &preset, static_cast<int>(Preset::flaky));
    ImGui::SameLine();
    changed |= ImGui::RadioButton("custom URLs", &preset, static_cast<int>(Preset::urls));
    s.preset = static_cast<Preset>(preset);
    return changed;
}

bool workload_inputs(Experiment& experiment) {
    Settings& s = experiment.settings;
    const Environment& env = experiment.environment();
    using B = SettingBounds;  // the same bounds as the page's query string
    const ImGuiSliderFlags log = ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp;
    bool changed = false;
    Flow flow;
    auto next = [&flow](const char* label) {
        const float w = ImGui::GetFontSize() * 9;
        flow.next(w + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x, ImGui::GetFontSize() * 1.5f);
        ImGui::SetNextItemWidth(w);
    };
    if (s.preset == Preset::lab || s.preset == Preset::flaky) {
        next("N requests");
        changed |= ImGui::SliderInt("N requests", &s.n, B::n_min, B::n_max, "%d", log);
        next("latency");
        changed |= ImGui::SliderInt("latency", &s.latency_ms, B::latency_min, B::latency_max, "%d ms", log);
    }
    const bool uses_workers = s.all_modes || mode_uses_workers(s.mode);
    next("workers K");
    ImGui::BeginDisabled(!uses_workers);
    changed |= ImGui::SliderInt("workers K", &s.workers, B::workers_min, B::workers_max, "%d", log);
    ImGui::EndDisabled();
    tooltip("K: how many requests pool and bounded run at once.");
    if (s.preset != Preset::urls) {
        const int most = static_cast<int>(std::max<std::size_t>(env.lab_origins.size(), 1));
        s.origins = std::clamp(s.origins, 1, most);
        next("origins");
        ImGui::BeginDisabled(most <= 1);
        changed |= ImGui::SliderInt("origins", &s.origins, 1, most, "%d", ImGuiSliderFlags_AlwaysClamp);
        ImGui::EndDisabled();
        tooltip(most <= 1 ? "The lab has one origin (one port) here."
                          : "Spread the requests over this many of the lab's ports: a browser opens at most "
                            "6 connections to each origin.");
    } else {
        ImGui::TextDisabled("One URL a line; lines starting with # are skipped.");
        changed |= input_multiline("##urls", s.urls_text,
                                   ImVec2(-1, ImGui::GetTextLineHeight() * 4 + ImGui::GetStyle().FramePadding.y * 2));
    }
    return changed;
}

// "sequential, threads, pool: needs threads, ..." — one line per distinct reason.
void unavailable_lines(const Experiment& experiment) {
    std::map<std::string, std::string> modes_by_reason;
    for (Mode m : all_modes()) {
        const std::string reason = experiment.unavailable_reason(m);
        if (reason.empty()) continue;
        std::string& modes = modes_by_reason[reason];
        modes += (modes.empty() ? "" : ", ") + std::string(mode_name(m));
    }
    for (const auto& [reason, modes] : modes_by_reason)
        ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.35f, 1), "Unavailable here: %s: %s", modes.c_str(), reason.c_str());
}

}  // namespace

void press_run(Experiment& experiment, PanelState& state) { state.start_error = experiment.start(); }

void press_cancel(Experiment& experiment, PanelState&) { experiment.cancel(); }

void draw_controls(Experiment& experiment, PanelState& state) {
    const bool running = experiment.running();
    bool changed = false;

    ImGui::BeginDisabled(running);
    changed |= mode_combo(experiment);
    changed |= preset_radio(experiment.settings);
    changed |= workload_inputs(experiment);
    ImGui::EndDisabled();

    // Buttons, then what the chosen mode does.
    ImGui::BeginDisabled(running);
    if (ImGui::Button("  Run  ")) press_run(experiment, state);
    ImGui::EndDisabled();
    if (running) {
        ImGui::SameLine();
        ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.65f, 0.2f, 0.2f, 1));
        if (ImGui::Button("Cancel")) press_cancel(experiment, state);
        ImGui::PopStyleColor();
    }
    ImGui::SameLine();
    if (ImGui::Button("Clear")) {
        experiment.clear();
        state.start_error.clear();
    }
    tooltip("Forget the finished runs and the history.");
    ImGui::SameLine(0, ImGui::GetFontSize());
    const Settings& s = experiment.settings;
    if (s.all_modes) ImGui::TextDisabled("every mode that can run here, one after another, on the same workload");
    else ImGui::TextDisabled("%s: %s", mode_name(s.mode), mode_description(s.mode));

    if (changed) state.start_error.clear();
    unavailable_lines(experiment);
}

}  // namespace fetchlab::ui
