// The waterfall: a row per request, its phases as coloured bars on one time axis shared by the
// runs, drawn straight into the draw list. Only the visible rows are drawn (ImGuiListClipper),
// so a few thousand requests cost no more than a screenful.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panel_parts.h"
#include "text_layout.h"

namespace fetchlab::ui {

namespace {

constexpr ImU32 queued_color = IM_COL32(150, 150, 150, 120);
constexpr ImU32 connect_color = IM_COL32(235, 165, 50, 255);
constexpr ImU32 wait_color = IM_COL32(80, 145, 235, 255);
constexpr ImU32 download_color = IM_COL32(90, 200, 110, 255);
constexpr ImU32 in_flight_color = IM_COL32(80, 145, 235, 140);  // running, phases not known yet
constexpr ImU32 cancelled_color = IM_COL32(200, 160, 160, 255);
constexpr ImU32 failed_color = IM_COL32(235, 70, 70, 150);  // the span of a failed request
constexpr ImU32 grid_color = IM_COL32(255, 255, 255, 22);
constexpr ImU32 header_color = IM_COL32(255, 255, 255, 14);
constexpr ImU32 hover_color = IM_COL32(255, 255, 255, 28);
constexpr ImU32 end_color = IM_COL32(255, 255, 255, 110);
constexpr ImU32 now_color = IM_COL32(255, 230, 120, 200);

// What every row of this frame shares (passed by const reference, as in Tracy's timeline).
struct Frame {
    float left = 0, gutter_right = 0;  // the gutter: labels and lanes
    float x0 = 0, x1 = 0;              // the bars: x0 is the run's start, x1 is t_max
    double t_max = 1;
    float row_h = 1, text_h = 1;
    int header_rows = 1;
    bool labels = true;                // rows are tall enough for text
    int label_every = 1;               // else a label on every k-th row

    float x(double seconds) const { return x0 + static_cast<float>(seconds / t_max) * (x1 - x0); }
};

// A row per request (the timeline and the workload always match; this only keeps it safe).
std::size_t rows_of(const WaterfallRun& run) {
    return std::min(run.timeline->requests.size(), run.workload->requests.size());
}

// Where each shown run's rows begin in the one list of rows: its header rows, then a row per request.
struct Rows {
    std::vector<int> first;  // per shown run
    int total = 0;
};

struct RowRef {
    int run = -1;      // index into the shown runs
    int request = -1;  // -1 for a header row
};

RowRef row_at(const Rows& rows, const std::vector<const WaterfallRun*>& shown, int header_rows, int row) {
    for (std::size_t s = 0; s < shown.size(); ++s) {
        const int begin = rows.first[s];
        const int end = begin + header_rows + static_cast<int>(rows_of(*shown[s]));
        if (row >= begin && row < end) return {static_cast<int>(s), row - begin - header_rows};
    }
    return {};
}

// The smallest 1-2-5 step that leaves at least `min_px` between ticks.
double tick_step(double t_max, float width_px, float min_px) {
    const double raw = t_max * min_px / std::max(width_px, 1.0f);
    const double power = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-6))));
    for (double m : {1.0, 2.0, 5.0})
        if (m * power >= raw) return m * power;
    return 10 * power;
}

std::string tick_label(double t, double step) {
    char buf[32];
    if (t == 0) return "0";
    if (step >= 1) std::snprintf(buf, sizeof buf, "%.0f s", t);
    else if (step >= 0.1) std::snprintf(buf, sizeof buf, "%.1f s", t);
    else if (step >= 0.01) std::snprintf(buf, sizeof buf, "%.2f s", t);
    else std::snprintf(buf, sizeof buf, "%.0f ms", t * 1000);
    return buf;
}

// While a run grows, the axis steps through round ends (1, 1.5, 2, 3, 4, 5, 6, 8 x 10^k) instead
// of rescaling every frame; finished runs get a small margin only.
double axis_end(double extent, bool live) {
    extent = std::max(extent, 1e-3);
    if (!live) return extent * 1.03;
    const double power = std::pow(10.0, std::floor(std::log10(extent)));
    for (double m : {1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0})
        if (m * power >= extent * 1.02) return m * power;
    return 10 * power;
}

ImU32 lane_color(int lane) {
    if (lane < 0) return IM_COL32(90, 90, 90, 255);
    const float hue = std::fmod(0.13f + 0.618034f * static_cast<float>(lane), 1.0f);
    float r = 0, g = 0, b = 0;
    ImGui::ColorConvertHSVtoRGB(hue, 0.55f, 0.9f, r, g, b);
    return ImGui::ColorConvertFloat4ToU32(ImVec4(r, g, b, 1));
}

// "+620.3 ms", "+1.302 s": exact times for the tooltip.
std::string exact(double seconds) {
    char buf[32];
    if (seconds < 1) std::snprintf(buf, sizeof buf, "%.1f ms", seconds * 1000);
    else std::snprintf(buf, sizeof buf, "%.3f s", seconds);
    return buf;
}

void legend_item(Flow& flow, ImU32 color, const char* name) {
    const float h = ImGui::GetTextLineHeight();
    flow.next(h * 1.5f + ImGui::CalcTextSize(name).x, h);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    dl->AddRectFilled(ImVec2(p.x, p.y + h * 0.2f), ImVec2(p.x + h * 1.2f, p.y + h * 0.8f), color);
    ImGui::Dummy(ImVec2(h * 1.2f, h));
    ImGui::SameLine(0, h * 0.3f);
    ImGui::TextUnformatted(name);
}

float checkbox_width(const char* label) {
    return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
}

void draw_legend(PanelState& state) {
    Flow flow;
    legend_item(flow, queued_color, "queued");
    legend_item(flow, connect_color, "connecting");
    legend_item(flow, wait_color, "waiting for the first byte");
    legend_item(flow, download_color, "downloading");
    legend_item(flow, in_flight_color, "in flight (phases not reported)");
    legend_item(flow, failed_color, "failed");
    legend_item(flow, cancelled_color, "cancelled");
    flow.next(checkbox_width("Fit rows"), ImGui::GetFontSize() * 2);
    ImGui::Checkbox("Fit rows", &state.fit_rows);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Shrink the rows (down to 2 px) so that every request fits.");
    flow.next(checkbox_width("Same time scale"));
    ImGui::Checkbox("Same time scale", &state.same_scale);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("One time axis for every run, so slow and fast modes compare.");
}

// Tabs: every run stacked, or one of them. Setting state.shown_run from outside selects its tab.
std::vector<const WaterfallRun*> choose_runs(const std::vector<WaterfallRun>& runs, PanelState& state) {
    std::vector<const WaterfallRun*> shown;
    const int count = static_cast<int>(runs.size());
    if (state.shown_run >= count) state.shown_run = -1;
    if (count > 1 && ImGui::BeginTabBar("runs")) {
        const bool asked = state.shown_run != state.tab_drawn;  // set from outside since the last frame
        auto flags = [&](int i) { return asked && state.shown_run == i ? ImGuiTabItemFlags_SetSelected : 0; };
        int chosen = -1;
        if (ImGui::BeginTabItem("All runs", nullptr, flags(-1))) ImGui::EndTabItem();
        for (int i = 0; i < count; ++i) {
            // A mode runs at most once per start, so its name identifies the tab.
            if (ImGui::BeginTabItem(mode_name(runs[static_cast<std::size_t>(i)].mode), nullptr, flags(i))) {
                chosen = i;
                ImGui::EndTabItem();
            }
        }
        ImGui::EndTabBar();
        if (!asked) state.shown_run = chosen;  // else the tab bar shows the choice from the next frame
    } else {
        state.shown_run = -1;
    }
    state.tab_drawn = state.shown_run;
    if (state.shown_run >= 0) shown.push_back(&runs[static_cast<std::size_t>(state.shown_run)]);
    else
        for (const WaterfallRun& r : runs) shown.push_back(&r);
    return shown;
}

void draw_axis(const Frame& f, double step) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = f.text_h + 6;
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    dl->AddLine(ImVec2(f.x0, p.y + h - 1), ImVec2(f.x1, p.y + h - 1), ImGui::GetColorU32(ImGuiCol_Border));
    for (int k = 0; k * step <= f.t_max * (1 + 1e-9); ++k) {
        const double t = k * step;
        const float x = f.x(t);
        dl->AddLine(ImVec2(x, p.y + h - 5), ImVec2(x, p.y + h - 1), text);
        const std::string label = tick_label(t, step);
        const float w = ImGui::CalcTextSize(label.c_str()).x;
        const float lx = std::min(std::max(x - w / 2, f.x0 - w / 2), f.x1 - w);
        dl->AddText(ImVec2(lx, p.y), text, label.c_str());
    }
    dl->AddText(ImVec2(f.left, p.y), ImGui::GetColorU32(ImGuiCol_TextDisabled), "request / lane");
    ImGui::Dummy(ImVec2(f.x1 - f.left, h));
}

void draw_header(const Frame& f, const WaterfallRun& run, float y) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float h = f.row_h * static_cast<float>(f.header_rows);
    dl->AddRectFilled(ImVec2(f.left, y), ImVec2(f.x1, y + h), header_color);
    dl->AddText(ImVec2(f.left + 4, y + (h - f.text_h) / 2), ImGui::GetColorU32(ImGuiCol_Text), run.title.c_str());
}

void draw_gutter(const Frame& f, const WaterfallRun& run, std::size_t i, float y) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const RequestRecord& rec = run.timeline->requests[i];
    const float swatch = std::max(3.0f, f.text_h * 0.3f);
    const float swatch_bottom = y + std::max(1.0f, f.row_h - 1);
    dl->AddRectFilled(ImVec2(f.left, y), ImVec2(f.left + swatch, swatch_bottom), lane_color(rec.lane));
    const Measure measure = [](std::string_view t) { return ImGui::CalcTextSize(t.data(), t.data() + t.size()).x; };
    if (!f.labels) {
        if (i % static_cast<std::size_t>(f.label_every) != 0) return;
        const float group_h = f.row_h * static_cast<float>(f.label_every);
        const float room = f.gutter_right - (f.left + swatch + 4);
        const std::string label = fit_label(run.workload->requests[i].label, room, measure);
        dl->PushClipRect(ImVec2(f.left, y), ImVec2(f.gutter_right, y + group_h), true);
        dl->AddText(ImVec2(f.left + swatch + 4, y + (group_h - f.text_h) / 2), ImGui::GetColorU32(ImGuiCol_Text),
                    label.c_str());
        dl->PopClipRect();
        return;
    }
    const float ty = y + (f.row_h - f.text_h) / 2;
    const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    float lane_x = f.gutter_right;
    if (rec.lane >= 0) {
        const std::string lane = lane_label(run.mode, rec.lane);
        lane_x -= ImGui::CalcTextSize(lane.c_str()).x;
        dl->AddText(ImVec2(lane_x, ty), dim, lane.c_str());
    }
    const float label_right = lane_x - f.text_h * 0.5f;
    const std::string label = fit_label(run.workload->requests[i].label, label_right - (f.left + swatch + 4), measure);
    dl->PushClipRect(ImVec2(f.left, y), ImVec2(label_right, y + f.row_h), true);
    dl->AddText(ImVec2(f.left + swatch + 4, ty), ImGui::GetColorU32(ImGuiCol_Text), label.c_str());
    dl->PopClipRect();
}

ImU32 phase_color(Phase phase) {
    switch (phase) {
    case Phase::queued: return queued_color;
    case Phase::stalled: return queued_color;
    case Phase::connecting: return connect_color;
    case Phase::waiting: return wait_color;
    case Phase::downloading: return download_color;
    case Phase::unreported: return in_flight_color;
    case Phase::failed: return failed_color;
    case Phase::cancelled: return cancelled_color;
    }
    return in_flight_color;
}

RequestPhases phases_at(const WaterfallRun& run, std::size_t i) {
    const bool waited = run.waits && run.waits->waited(i);
    return phases_of(run.timeline->requests[i], run.timeline->run_start, run.live ? run.now : 0, waited);
}

// The bars of one request, as the timeline model says: queued and stalled thin, each reported
// phase full height, a failure from its start to its end.
void draw_bars(const Frame& f, const WaterfallRun& run, std::size_t i, float y) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const Result& res = run.timeline->requests[i].result;
    const RequestPhases p = phases_at(run, i);
    const float pad = f.row_h >= 6 ? std::max(1.0f, std::floor(f.row_h * 0.15f)) : 0.0f;
    const float top = y + pad, bottom = y + std::max(1.0f, f.row_h - pad);
    const float mid = (top + bottom) / 2, thin = std::max(0.5f, (bottom - top) * 0.15f);
    ImU32 last = in_flight_color;
    for (const PhaseSpan& span : p.spans) {
        const bool waiting = span.phase == Phase::queued || span.phase == Phase::stalled;
        const float x0 = f.x(span.from), x1 = f.x(span.to);
        if (waiting) dl->AddRectFilled(ImVec2(x0, mid - thin), ImVec2(std::max(x1, x0 + 1), mid + thin), queued_color);
        else dl->AddRectFilled(ImVec2(x0, top), ImVec2(x1, bottom), phase_color(span.phase));
        if (!waiting) last = phase_color(span.phase);
    }
    if (!p.begun) return;
    // Narrower than a pixel: still one pixel, so thousands of short requests stay visible.
    const float xs = f.x(p.start), xe = f.x(p.end);
    if (xe - xs < 1.0f) dl->AddRectFilled(ImVec2(xs, top), ImVec2(xs + 1, bottom), last);
    if (p.done && !res.ok()) {
        const bool cancelled = res.error == ErrorKind::cancelled;
        const ImU32 color = cancelled ? cancelled_color : error_color;
        dl->AddRectFilled(ImVec2(xe - 1, y), ImVec2(xe + 2, y + std::max(1.0f, f.row_h)), color);
        if (f.labels) {
            std::string name = error_kind_name(res.error);
            if (res.status > 0) name += " " + std::to_string(res.status);
            // Past the bar's end, or inside it when the view ends first.
            const float w = ImGui::CalcTextSize(name.c_str()).x;
            const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
            const float x = xe + 5 + w <= right ? xe + 5 : std::max(xs, xe - 5 - w);
            const ImU32 text = xe + 5 + w <= right ? color : IM_COL32(255, 255, 255, 230);
            dl->AddText(ImVec2(x, y + (f.row_h - f.text_h) / 2), text, name.c_str());
        }
    }
}

void request_tooltip(const WaterfallRun& run, std::size_t i) {
    const RequestRecord& rec = run.timeline->requests[i];
    const Request& req = run.workload->requests[i];
    const Result& r = rec.result;

    ImGui::BeginTooltip();
    ImGui::Text("%s  (%s)", req.label.c_str(), rec.lane >= 0 ? lane_label(run.mode, rec.lane).c_str() : "not begun");
    ImGui::TextDisabled("%s", display_url(req.url).c_str());
    ImGui::Separator();
    const RequestPhases p = phases_at(run, i);
    if (!p.begun) {
        ImGui::TextUnformatted("queued: not begun yet");
    } else {
        ImGui::Text("start        +%s", exact(p.start).c_str());
        if (p.done) ImGui::Text("end          +%s  (%s)", exact(p.end).c_str(), exact(p.end - p.start).c_str());
        else ImGui::Text("in flight for %s", exact(p.end - p.start).c_str());
        // Each phase the model drew, with how long it took; phases the platform did not report are not listed.
        for (const PhaseSpan& span : p.spans) {
            if (span.phase == Phase::failed || span.phase == Phase::cancelled) continue;
            ImGui::Text("  %-26s %s", phase_name(span.phase), exact(span.to - span.from).c_str());
        }
        if (p.begun && !p.phases_reported && !(p.done && !r.ok()))
            ImGui::TextDisabled("  (the browser did not report this request's phases)");
        if (p.done) {
            if (r.status > 0)
                ImGui::Text("status %d, %llu bytes, %s connection", r.status, static_cast<unsigned long long>(r.bytes),
                            r.new_connection ? "new" : "reused");
            if (!r.ok())
                ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(error_color), "%s after %s: %s",
                                   r.error == ErrorKind::cancelled ? "cancelled" : "failed",
                                   exact(p.end - p.start).c_str(), r.message.c_str());
        }
    }
    if (req.expected_s >= 0) ImGui::TextDisabled("the lab answers after %s", exact(req.expected_s).c_str());
    ImGui::EndTooltip();
}

}  // namespace

void draw_waterfall(const std::vector<WaterfallRun>& runs, PanelState& state, ImVec2 size) {
    const float start_y = ImGui::GetCursorScreenPos().y;
    draw_legend(state);
    if (runs.empty()) {
        state.waterfall = {};
        ImGui::TextDisabled("No runs yet: choose a mode and a workload, then press Run.");
        ImGui::Dummy(ImVec2(size.x, std::max(0.0f, size.y - (ImGui::GetCursorScreenPos().y - start_y))));
        return;
    }
    const std::vector<const WaterfallRun*> shown = choose_runs(runs, state);

    // One time scale: over every run (so they compare), or over the one shown.
    // A live run that sets the scale moves it in steps; finished runs set it exactly.
    double finished_extent = 0, live_extent = 0;
    for (const WaterfallRun& r : runs) {
        if (!state.same_scale && state.shown_run >= 0 && &r != shown.front()) continue;
        (r.live ? live_extent : finished_extent) = std::max(r.live ? live_extent : finished_extent, r.extent);
    }

    const ImGuiStyle& style = ImGui::GetStyle();
    Frame f;
    f.text_h = ImGui::GetTextLineHeight();
    f.left = ImGui::GetCursorScreenPos().x;
    const float content_w = std::max(size.x - style.ScrollbarSize, 100.0f);
    const float gutter = std::clamp(ImGui::GetFontSize() * 15, 80.0f, content_w * 0.3f);
    f.gutter_right = f.left + gutter - f.text_h * 0.5f;
    f.x0 = f.left + gutter;
    f.x1 = f.left + content_w - f.text_h * 4;  // room for an error's name past the last bar
    f.t_max = live_extent > finished_extent ? axis_end(live_extent, true) : axis_end(finished_extent, false);
    const double step = tick_step(f.t_max, f.x1 - f.x0, ImGui::CalcTextSize("00.00 s").x * 1.8f);
    draw_axis(f, step);

    // Rows: as tall as a line of text, or (Fit rows) as short as it takes for all to fit.
    const float child_h = std::max(size.y - (ImGui::GetCursorScreenPos().y - start_y), f.text_h * 3);
    const float full_row = std::floor(f.text_h + 4);  // also a header's height
    std::size_t requests = 0;
    for (const WaterfallRun* r : shown) requests += rows_of(*r);
    f.row_h = full_row;
    if (state.fit_rows && requests > 0) {
        // The tallest row (down to 1 px, fractions allowed) with which the headers (whole rows
        // each, at least a line of text tall) and every request fit.
        auto needed = [&](float row) {
            const float header = std::ceil(full_row / row) * row;
            return header * static_cast<float>(shown.size()) + row * static_cast<float>(requests);
        };
        while (f.row_h > 1.0f && needed(f.row_h) > child_h) f.row_h = std::max(1.0f, f.row_h * 0.98f);
    }
    f.labels = f.row_h >= f.text_h;
    // Rows thinner than text: a label on every k-th row, over the k rows it stands for.
    f.label_every = f.labels ? 1 : static_cast<int>(std::ceil(f.text_h / f.row_h));
    f.header_rows = static_cast<int>(std::ceil(full_row / f.row_h));
    Rows rows;
    for (const WaterfallRun* r : shown) {
        rows.first.push_back(rows.total);
        rows.total += f.header_rows + static_cast<int>(rows_of(*r));
    }

    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(style.ItemSpacing.x, 0));
    ImGui::BeginChild("rows", ImVec2(size.x, child_h), false, ImGuiWindowFlags_AlwaysVerticalScrollbar);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float top = ImGui::GetCursorScreenPos().y;
    state.waterfall = {static_cast<int>(std::floor(ImGui::GetScrollY() / f.row_h + 0.01f)), rows.total, f.row_h,
                       f.label_every, static_cast<float>(rows.total) * f.row_h <= ImGui::GetWindowHeight() + 0.5f};
    const ImVec2 clip_min = dl->GetClipRectMin(), clip_max = dl->GetClipRectMax();
    for (int k = 1; k * step <= f.t_max * (1 + 1e-9); ++k)
        dl->AddLine(ImVec2(f.x(k * step), clip_min.y), ImVec2(f.x(k * step), clip_max.y), grid_color);

    // The row under the mouse, found by arithmetic rather than by testing bars.
    RowRef hovered;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    if (ImGui::IsWindowHovered() && mouse.y >= clip_min.y && mouse.y < clip_max.y && mouse.x >= f.left &&
        mouse.x < clip_max.x) {
        const int row = static_cast<int>(std::floor((mouse.y - top) / f.row_h));
        hovered = row_at(rows, shown, f.header_rows, row);
        if (hovered.request >= 0) {
            const float y = top + static_cast<float>(row) * f.row_h;
            dl->AddRectFilled(ImVec2(f.left, y), ImVec2(clip_max.x, y + f.row_h), hover_color);
        }
    }

    std::vector<bool> visible(shown.size(), false);
    ImGuiListClipper clipper;
    clipper.Begin(rows.total, f.row_h);
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const RowRef ref = row_at(rows, shown, f.header_rows, row);
            if (ref.run < 0) continue;
            const WaterfallRun& run = *shown[static_cast<std::size_t>(ref.run)];
            const float y = top + static_cast<float>(row) * f.row_h;
            visible[static_cast<std::size_t>(ref.run)] = true;
            if (ref.request < 0) continue;  // headers are drawn below, once each
            draw_gutter(f, run, static_cast<std::size_t>(ref.request), y);
            draw_bars(f, run, static_cast<std::size_t>(ref.request), y);
        }
        ImGui::Dummy(ImVec2(1, static_cast<float>(clipper.DisplayEnd - clipper.DisplayStart) * f.row_h));
    }

    // Per visible run: its header, where it ended (or "now" while it runs).
    for (std::size_t s = 0; s < shown.size(); ++s) {
        if (!visible[s]) continue;
        const WaterfallRun& run = *shown[s];
        const float y = top + static_cast<float>(rows.first[s]) * f.row_h;
        const float rows_top = y + static_cast<float>(f.header_rows) * f.row_h;
        const float rows_bottom = rows_top + static_cast<float>(rows_of(run)) * f.row_h;
        const float x = f.x(run.extent);
        dl->AddLine(ImVec2(x, std::max(rows_top, clip_min.y)), ImVec2(x, std::min(rows_bottom, clip_max.y)),
                    run.live ? now_color : end_color, run.live ? 2.0f : 1.0f);
        draw_header(f, run, y);
    }
    ImGui::EndChild();
    ImGui::PopStyleVar();

    if (hovered.request >= 0)
        request_tooltip(*shown[static_cast<std::size_t>(hovered.run)], static_cast<std::size_t>(hovered.request));
}

}  // namespace fetchlab::ui
