// The waterfall: a row per request, its phases as coloured bars on one time axis shared by the
// runs, drawn straight into the draw list. Only the visible rows are drawn (ImGuiListClipper),
// so a few thousand requests cost no more than a screenful.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panel_parts.h"

namespace fetchlab::ui {

namespace {

constexpr ImU32 queued_color = IM_COL32(150, 150, 150, 120);
constexpr ImU32 connect_color = IM_COL32(235, 165, 50, 255);
constexpr ImU32 wait_color = IM_COL32(80, 145, 235, 255);
constexpr ImU32 download_color = IM_COL32(90, 200, 110, 255);
constexpr ImU32 in_flight_color = IM_COL32(80, 145, 235, 140);  // running, phases not known yet
constexpr ImU32 cancelled_color = IM_COL32(200, 160, 160, 255);
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
    legend_item(flow, in_flight_color, "in flight");
    legend_item(flow, error_color, "error");
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
    if (!f.labels) return;
    const float ty = y + (f.row_h - f.text_h) / 2;
    const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    float lane_x = f.gutter_right;
    if (rec.lane >= 0) {
        const std::string lane = lane_label(run.mode, rec.lane);
        lane_x -= ImGui::CalcTextSize(lane.c_str()).x;
        dl->AddText(ImVec2(lane_x, ty), dim, lane.c_str());
    }
    const std::string& label = run.workload->requests[i].label;
    dl->PushClipRect(ImVec2(f.left, y), ImVec2(lane_x - f.text_h * 0.5f, y + f.row_h), true);
    dl->AddText(ImVec2(f.left + swatch + 4, ty), ImGui::GetColorU32(ImGuiCol_Text), label.c_str());
    dl->PopClipRect();
}

// The bars of one request: queued, then the phases it reached; a live one grows to "now".
void draw_bars(const Frame& f, const WaterfallRun& run, std::size_t i, float y) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const RequestRecord& rec = run.timeline->requests[i];
    const Result& res = rec.result;
    const double t0 = run.timeline->run_start;
    const double now = run.live ? run.now - t0 : run.extent;
    const float pad = f.row_h >= 6 ? std::max(1.0f, std::floor(f.row_h * 0.15f)) : 0.0f;
    const float top = y + pad, bottom = y + std::max(1.0f, f.row_h - pad);
    const float mid = (top + bottom) / 2, thin = std::max(1.0f, (bottom - top) * 0.15f);

    auto bar = [&](double a, double b, ImU32 color) {
        if (b <= a) return;
        dl->AddRectFilled(ImVec2(f.x(a), top), ImVec2(f.x(b), bottom), color);
    };

    if (rec.state == RequestState::waiting) {  // not begun yet: queued up to now
        dl->AddRectFilled(ImVec2(f.x0, mid - thin), ImVec2(std::max(f.x(now), f.x0 + 1), mid + thin), queued_color);
        return;
    }
    const double began = rec.began - t0;
    const bool done = rec.state == RequestState::done;
    const double start = (res.started >= 0 ? res.started - t0 : began);
    // Queued until the transport began it (a page hands a large async run to the browser in slices).
    if (start > 0) dl->AddRectFilled(ImVec2(f.x0, mid - thin), ImVec2(f.x(start), mid + thin), queued_color);

    const double end = done ? std::max(res.done - t0, start) : std::max(now, start);
    ImU32 last = in_flight_color;
    if (res.started < 0) {
        // Never reached the transport (cancelled or failed before start), or phases come at the end.
        if (!done) bar(start, end, in_flight_color);
    } else {
        // Held back by the platform before it could connect (a browser's cap per origin): queued.
        double from = start;
        if (res.connect_start > res.started) {
            const double held = std::min(res.connect_start - t0, end);
            dl->AddRectFilled(ImVec2(f.x(start), mid - thin), ImVec2(f.x(held), mid + thin), queued_color);
            from = held;
        }
        // Each phase runs to the next one reached; the last one reached runs to the end (or now).
        const double marks[3] = {res.connected, res.first_byte, res.done};
        const ImU32 colors[3] = {connect_color, wait_color, download_color};
        for (int k = 0; k < 3; ++k) {
            const double to = marks[k] >= 0 ? marks[k] - t0 : -1;
            // A phase the platform cannot see (a browser does not report when it connected) is
            // folded into the next phase that it does report.
            if (to < 0 && k < 2 && (marks[k + 1] >= 0 || marks[2] >= 0) && done) continue;
            last = colors[k];
            if (to < 0) {
                bar(from, end, colors[k]);
                break;
            }
            bar(from, std::min(to, end), colors[k]);
            from = std::max(from, to);
        }
    }
    // Narrower than a pixel: still one pixel, so thousands of short requests stay visible.
    const float xs = f.x(start), xe = f.x(end);
    if (xe - xs < 1.0f && (res.started >= 0 || !done)) dl->AddRectFilled(ImVec2(xs, top), ImVec2(xs + 1, bottom), last);

    if (done && !res.ok()) {
        const bool cancelled = res.error == ErrorKind::cancelled;
        const ImU32 color = cancelled ? cancelled_color : error_color;
        dl->AddRectFilled(ImVec2(xe - 1, y), ImVec2(xe + 2, y + std::max(1.0f, f.row_h)), color);
        if (f.labels) dl->AddText(ImVec2(xe + 5, y + (f.row_h - f.text_h) / 2), color, error_kind_name(res.error));
    }
}

void request_tooltip(const WaterfallRun& run, std::size_t i) {
    const RequestRecord& rec = run.timeline->requests[i];
    const Request& req = run.workload->requests[i];
    const Result& r = rec.result;
    const double t0 = run.timeline->run_start;
    auto at = [t0](double t) { return t < 0 ? std::string("-") : "+" + exact(t - t0); };

    ImGui::BeginTooltip();
    ImGui::Text("%s  (%s)", req.label.c_str(), rec.lane >= 0 ? lane_label(run.mode, rec.lane).c_str() : "not begun");
    ImGui::TextDisabled("%s", display_url(req.url).c_str());
    ImGui::Separator();
    if (rec.state == RequestState::waiting) {
        ImGui::TextUnformatted("queued: not begun yet");
    } else {
        ImGui::Text("queued       %s", exact(std::max(0.0, rec.began - t0)).c_str());
        ImGui::Text("start        %s", at(r.started >= 0 ? r.started : rec.began).c_str());
        if (r.connect_start > r.started)
            ImGui::Text("stalled      %s  (no free connection yet)", exact(r.connect_start - r.started).c_str());
        ImGui::Text("connected    %s", at(r.connected).c_str());
        ImGui::Text("first byte   %s", at(r.first_byte).c_str());
        if (rec.state == RequestState::done) {
            ImGui::Text("end          %s", at(r.done).c_str());
            const double start = r.started >= 0 ? r.started : rec.began;
            ImGui::Text("duration     %s", exact(std::max(0.0, r.done - start)).c_str());
            ImGui::Text("status %d, %llu bytes, %s connection", r.status, static_cast<unsigned long long>(r.bytes),
                        r.new_connection ? "new" : "reused");
            if (!r.ok())
                ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(error_color), "%s: %s", error_kind_name(r.error),
                                   r.message.c_str());
        } else {
            ImGui::Text("in flight for %s", exact(std::max(0.0, run.now - rec.began)).c_str());
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
    if (state.fit_rows) {
        // The tallest whole-pixel row with which the headers (whole rows each) and requests fit.
        while (f.row_h > 2) {
            const float header = std::ceil(full_row / f.row_h) * f.row_h;
            if (header * static_cast<float>(shown.size()) + f.row_h * static_cast<float>(requests) <= child_h) break;
            f.row_h -= 1;
        }
    }
    f.labels = f.row_h >= f.text_h;
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
