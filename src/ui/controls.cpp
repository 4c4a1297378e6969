// The panel's controls: what to fetch, how, and the buttons. They edit experiment.settings and
// are locked while a run is in progress (a "run all" reads the settings as each mode starts).
#include <algorithm>
#include <map>

#include "panel_parts.h"
#include "query_settings.h"

namespace fetchlab::ui {

namespace {

bool warming(const Environment& env) {
    return env.threads_available && env.threads_ready >= 0 && env.threads_ready < env.thread_pool;
}

// How to get the thread modes on a page that has none.
std::string isolation_hint(const Environment& env) {
    if (env.threads_available || env.cross_origin_isolated) return "";
    return " To get them, serve the page cross-origin isolated: `fetchlab serve` without --no-isolation (it "
           "sends the COOP and COEP headers).";
}

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
    const bool wait = warming(experiment.environment()) && mode_is_blocking(s.mode);
    const std::string current_reason = wait ? std::string() : experiment.unavailable_reason(s.mode);
    std::string preview = mode_name(s.mode);
    if (!current_reason.empty()) preview += " (unavailable)";
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    ImGui::BeginDisabled(s.all_modes);
    if (ImGui::BeginCombo("Mode", preview.c_str())) {
        for (Mode m : all_modes()) {
            // Threads still warming up are only a wait (Run starts once they are warm), not a refusal.
            const bool wait = warming(experiment.environment()) && mode_is_blocking(m);
            const std::string reason = wait ? std::string() : experiment.unavailable_reason(m);
            if (!reason.empty()) {
                ImGui::PushStyleVar(ImGuiStyleVar_DisabledAlpha, 0.35f);
                ImGui::Selectable((std::string(mode_name(m)) + "  (unavailable)").c_str(), false,
                                  ImGuiSelectableFlags_Disabled);
                ImGui::PopStyleVar();
                tooltip(reason + isolation_hint(experiment.environment()));
                continue;
            }
            if (ImGui::Selectable(mode_name(m), m == s.mode)) {
                s.mode = m;
                changed = true;
            }
            tooltip(wait ? std::string(mode_description(m)) + "\nThe threads are still starting: Run waits for them."
                         : mode_description(m));
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

// A number typed in: a click selects the field's text, typing replaces it, and the value is
// clamped into [min, max] once the field is left, so a number half typed is never cut short.
// (A slider jumped to wherever it was clicked.) Returns true when the value changed.
bool number_input(const char* label, int& value, long min, long max, const char* unit, const char* help) {
    const int before = value;
    ImGui::InputInt(label, &value, 0, 0);
    if (!ImGui::IsItemActive()) value = static_cast<int>(std::clamp<long>(value, min, max));
    tooltip(std::string(help) + "\nFrom " + std::to_string(min) + " to " + std::to_string(max) + unit +
            ". Click the field, type a number, then press Enter or click elsewhere.");
    return value != before;
}

bool workload_inputs(Experiment& experiment) {
    Settings& s = experiment.settings;
    const Environment& env = experiment.environment();
    using B = SettingBounds;  // the same bounds as the page's query string
    bool changed = false;
    Flow flow;
    auto next = [&flow](const char* label) {
        const float w = ImGui::GetFontSize() * 5.5f;
        flow.next(w + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x, ImGui::GetFontSize() * 1.5f);
        ImGui::SetNextItemWidth(w);
    };
    if (s.preset == Preset::lab || s.preset == Preset::flaky) {
        next("N requests");
        changed |= number_input("N requests", s.n, B::n_min, B::n_max, "", "How many requests the lab answers.");
        next("latency ms");
        changed |= number_input("latency ms", s.latency_ms, B::latency_min, B::latency_max, " ms",
                                "How long the lab waits before it answers each request.");
    }
    const bool uses_workers = s.all_modes || mode_uses_workers(s.mode);
    next("workers K");
    ImGui::BeginDisabled(!uses_workers);
    changed |= number_input("workers K", s.workers, B::workers_min, B::workers_max, "",
                            "K: how many requests pool and bounded run at once.");
    ImGui::EndDisabled();
    if (s.preset != Preset::urls) {
        const int most = static_cast<int>(std::max<std::size_t>(env.lab_origins.size(), 1));
        next("origins");
        ImGui::BeginDisabled(most <= 1);
        changed |= number_input("origins", s.origins, B::origins_min, most, "",
                                most <= 1 ? "The lab has one origin (one port) here."
                                          : "Spread the requests over this many of the lab's ports: a browser "
                                            "opens at most 6 connections to each origin.");
        ImGui::EndDisabled();
    }
    next("timeout ms");
    changed |= number_input("timeout ms", s.timeout_ms, B::timeout_min, B::timeout_max, " ms",
                            "A request with no complete answer by then ends as a timeout.");
    next("body cap KB");
    changed |= number_input("body cap KB", s.max_body_kb, B::body_kb_min, B::body_kb_max, " KB",
                            "A larger body ends as a 'too large' error.");
    const char* hint = "(click a number, type a new one, press Enter)";
    flow.next(ImGui::CalcTextSize(hint).x, ImGui::GetFontSize());
    ImGui::TextDisabled("%s", hint);
    if (s.preset == Preset::urls) {
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
    for (const auto& [reason, modes] : modes_by_reason) {
        const bool waiting = warming(experiment.environment()) && reason.find("still starting") != std::string::npos;
        if (waiting) {
            ImGui::TextDisabled("%s: %s (Run waits for them)", modes.c_str(), reason.c_str());
        } else {
            ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.35f, 1), "Unavailable here: %s: %s.", modes.c_str(), reason.c_str());
        }
    }
    const std::string hint = isolation_hint(experiment.environment());
    if (!modes_by_reason.empty() && !hint.empty())
        ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.35f, 1), "%s", hint.c_str() + 1);
}

}  // namespace

void press_run(Experiment& experiment, PanelState& state) {
    state.notices.clear();
    state.start_error.clear();
    state.history_shown = -1;
    // Thread modes are measured warm: a run pressed while the threads start waits for them.
    const Settings& chosen = experiment.settings;
    const bool needs_threads = chosen.all_modes || mode_is_blocking(chosen.mode);
    if (needs_threads && warming(experiment.environment())) state.start_when_warm = true;
    else state.start_error = experiment.start();
}

void press_cancel(Experiment& experiment, PanelState& state) {
    experiment.cancel();
    state.start_when_warm = false;
}

void draw_controls(Experiment& experiment, PanelState& state) {
    const bool running = experiment.running();
    bool changed = false;

    ImGui::BeginDisabled(running || state.start_when_warm);
    changed |= mode_combo(experiment);
    changed |= preset_radio(experiment.settings);
    changed |= workload_inputs(experiment);
    ImGui::EndDisabled();

    // Buttons, then what the chosen mode does.
    ImGui::BeginDisabled(running || state.start_when_warm);
    if (ImGui::Button("  Run  ")) press_run(experiment, state);
    ImGui::EndDisabled();
    if (state.start_when_warm && !warming(experiment.environment())) {
        state.start_when_warm = false;
        state.start_error = experiment.start();
    }
    if (running || state.start_when_warm) {
        ImGui::SameLine();
        ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.65f, 0.2f, 0.2f, 1));
        if (ImGui::Button("Cancel")) press_cancel(experiment, state);
        ImGui::PopStyleColor();
    }
    ImGui::SameLine();
    if (ImGui::Button("Clear")) {
        experiment.clear();
        state.start_error.clear();
        state.history_shown = -1;
    }
    tooltip("Forget the finished runs and the history.");
    ImGui::SameLine(0, ImGui::GetFontSize());
    const Settings& s = experiment.settings;
    if (s.all_modes) ImGui::TextDisabled("every mode that can run here, one after another, on the same workload");
    else ImGui::TextDisabled("%s: %s", mode_name(s.mode), mode_description(s.mode));

    if (changed) {
        state.start_error.clear();
        state.notices.clear();
    }
    unavailable_lines(experiment);
}

}  // namespace fetchlab::ui
