#include "query_settings.h"

#include <algorithm>
#include <cstdlib>

namespace fetchlab {

namespace {

// Keys and values are echoed in reasons; a hostile URL must not make them long.
std::string shown(const std::string& text) {
    std::string out;
    for (unsigned char c : text.substr(0, 40)) out += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
    return text.size() > 40 ? out + "..." : out;
}

// A whole decimal number (a leading '-' allowed), clamped into [min, max]; "" when it is one.
std::string set_number(const std::string& key, const std::string& value, long min, long max, int& out) {
    const bool digits = !value.empty() &&
                        std::all_of(value.begin() + (value[0] == '-' ? 1 : 0), value.end(),
                                    [](char c) { return c >= '0' && c <= '9'; }) &&
                        value != "-";
    if (!digits) return key + " must be a whole number, not '" + shown(value) + "'";
    // Past its range strtoll saturates, which the clamp then reports like any other large number.
    const long long parsed = std::strtoll(value.c_str(), nullptr, 10);
    const long clamped = static_cast<long>(std::clamp<long long>(parsed, min, max));
    out = static_cast<int>(clamped);
    if (parsed == clamped) return "";
    return key + " must be from " + std::to_string(min) + " to " + std::to_string(max) + ": using " +
           std::to_string(clamped) + " instead of " + shown(value);
}

std::string mode_names() {
    std::string names;
    for (Mode m : all_modes()) names += std::string(mode_name(m)) + ", ";
    return names + "all";
}

}  // namespace

QueryArgument apply_query_argument(Settings& s, const std::string& argument) {
    using B = SettingBounds;
    QueryArgument result;
    const auto eq = argument.find('=');
    if (eq == std::string::npos) {
        result.problem = "'" + shown(argument) + "' is not key=value";
        return result;
    }
    const std::string key = argument.substr(0, eq), value = argument.substr(eq + 1);
    std::string& problem = result.problem;
    if (key == "mode") {
        if (value == "all") {
            s.all_modes = true;
        } else if (auto m = parse_mode(value)) {
            s.mode = *m;
            s.all_modes = false;
        } else {
            problem = "unknown mode '" + shown(value) + "' (use " + mode_names() + ")";
        }
    } else if (key == "preset") {
        if (value == "seed") s.preset = Preset::seed;
        else if (value == "lab") s.preset = Preset::lab;
        else if (value == "flaky") s.preset = Preset::flaky;
        else if (value == "urls") s.preset = Preset::urls;
        else problem = "unknown preset '" + shown(value) + "' (use seed, lab, flaky or urls)";
    } else if (key == "n") {
        problem = set_number(key, value, B::n_min, B::n_max, s.n);
    } else if (key == "latency") {
        problem = set_number(key, value, B::latency_min, B::latency_max, s.latency_ms);
    } else if (key == "origins") {
        problem = set_number(key, value, B::origins_min, B::origins_max, s.origins);
    } else if (key == "workers") {
        problem = set_number(key, value, B::workers_min, B::workers_max, s.workers);
    } else if (key == "timeout") {
        problem = set_number(key, value, B::timeout_min, B::timeout_max, s.timeout_ms);
    } else if (key == "max_kb") {
        problem = set_number(key, value, B::body_kb_min, B::body_kb_max, s.max_body_kb);
    } else if (key == "url") {
        // One url= is one line of the list: a newline inside it would smuggle in more.
        if (value.empty() || value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
            problem = "url must be one non-empty line";
        else
            s.urls_text += value + "\n";
    } else if (key == "autorun") {
        if (value == "1") result.autorun = true;
        else if (value != "0") problem = "autorun must be 0 or 1, not '" + shown(value) + "'";
    } else {
        problem = "unknown setting '" + shown(key) + "' (use mode, preset, n, latency, workers, origins, timeout, max_kb, url, autorun)";
    }
    return result;
}

}  // namespace fetchlab
