#pragma once
// Laying out the panel's text by width, given how wide a piece of text is drawn. No ImGui here,
// so the rules can be tested with any measure.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace fetchlab::ui {

using Measure = std::function<float(std::string_view)>;

// Lines no wider than `width`, broken at spaces only (ImGui's own wrap also breaks after '.',
// ',' and '-', which splits "10.25 s" into "(10." and "25 s)"). A word wider than a line keeps a
// line of its own; newlines in the text are kept.
std::vector<std::string> wrap_at_spaces(std::string_view text, float width, const Measure& measure);

// A request's label as it fits in `width`: whole when it fits; a URL without its host
// ("/delay?ms=50&id=3"); else its start and its end with "..." between, so requests that differ
// only near the end still look different.
std::string fit_label(const std::string& label, float width, const Measure& measure);

}  // namespace fetchlab::ui
