// Tells the page where the panel draws its labelled items, so a browser test can press a button
// with the real mouse: the same events, the same ImGui::Button and the same code behind it as a
// user's click, wherever the layout puts it. Dear ImGui reports every item it lays out to a test
// engine's hooks (IMGUI_ENABLE_TEST_ENGINE); these pass them on, only while the page asks.
#include "item_locator.h"

#include <emscripten/emscripten.h>

#include "imgui.h"
#include "imgui_internal.h"

// The page keeps the items its tests asked for (window.fetchlab.track), in CSS pixels.
EM_JS(int, page_tracks_items, (), { return window.fetchlab.tracked.size > 0 ? 1 : 0; });
EM_JS(void, page_item_drawn, (const char* label, float x0, float y0, float x1, float y1, int enabled), {
    window.fetchlab.itemDrawn(UTF8ToString(label), x0, y0, x1, y1, enabled !== 0);
});

void ImGuiTestEngineHook_ItemAdd(ImGuiContext*, const ImRect&, ImGuiID) {}

// Called right after a labelled item is laid out, while it is still the last item.
void ImGuiTestEngineHook_ItemInfo(ImGuiContext* ctx, ImGuiID, const char* label, ImGuiItemStatusFlags) {
    if (!label) return;
    const ImGuiLastItemData& item = ctx->LastItemData;
    const bool enabled = (item.InFlags & ImGuiItemFlags_Disabled) == 0;
    page_item_drawn(label, item.Rect.Min.x, item.Rect.Min.y, item.Rect.Max.x, item.Rect.Max.y, enabled ? 1 : 0);
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }

namespace fetchlab {

void locate_items_if_asked() { ImGui::GetCurrentContext()->TestEngineHookItems = page_tracks_items() != 0; }

}  // namespace fetchlab
