#include "text_layout.h"

namespace fetchlab::ui {

std::vector<std::string> wrap_at_spaces(std::string_view text, float width, const Measure& measure) {
    std::vector<std::string> lines;
    std::size_t para_begin = 0;
    while (para_begin <= text.size()) {
        const std::size_t para_end = std::min(text.find('\n', para_begin), text.size());
        const std::string_view para = text.substr(para_begin, para_end - para_begin);
        std::string line;
        std::size_t i = 0;
        while (i < para.size()) {
            const std::size_t word_end = std::min(para.find(' ', i), para.size());
            const std::string_view word = para.substr(i, word_end - i);
            std::string candidate = line.empty() ? std::string(word) : line + " " + std::string(word);
            if (!line.empty() && measure(candidate) > width) {
                lines.push_back(std::move(line));
                line = std::string(word);
            } else {
                line = std::move(candidate);
            }
            i = word_end + 1;
        }
        lines.push_back(std::move(line));
        para_begin = para_end + 1;
    }
    return lines;
}

std::string fit_label(const std::string& label, float width, const Measure& measure) {
    if (measure(label) <= width) return label;
    std::string text = label;
    // "127.0.0.1:8001/delay?ms=50": the host is the same for many rows, the path and query are not.
    const auto slash = text.find('/');
    const auto space = text.find(' ');
    if (slash != std::string::npos && slash > 0 && (space == std::string::npos || space > slash)) {
        text = text.substr(slash);
        if (measure(text) <= width) return text;
    }
    // Keep the end (where ids and parameters differ) and as much of the start as fits.
    const std::string dots = "...";
    std::size_t keep_end = 0;
    while (keep_end < text.size() && measure(dots + text.substr(text.size() - keep_end - 1)) <= width * 0.6f)
        ++keep_end;
    const std::string tail = text.substr(text.size() - keep_end);
    std::size_t keep_start = 0;
    while (keep_start < text.size() - keep_end && measure(text.substr(0, keep_start + 1) + dots + tail) <= width)
        ++keep_start;
    return text.substr(0, keep_start) + dots + tail;
}

}  // namespace fetchlab::ui
