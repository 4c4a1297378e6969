#pragma once
// Where the panel's labelled items are drawn, for browser tests that click them (item_locator.cpp).

namespace fetchlab {

// Once a frame, before ImGui::NewFrame(): report the frame's items to the page when it asks.
void locate_items_if_asked();

}  // namespace fetchlab
