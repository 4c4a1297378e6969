// The CLI's human output: a waterfall per run, a summary table, the errors, and a progress line.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"

namespace fetchlab::cli {

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

int terminal_width() {
    if (const char* columns = std::getenv("COLUMNS")) {
        char* end = nullptr;
        const long n = std::strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && n > 0 && n <= 10000) return static_cast<int>(n);
    }
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

bool terminal_speaks_utf8() {
    for (const char* var : {"LC_ALL", "LC_CTYPE", "LANG"}) {
        const char* v = std::getenv(var);
        if (v && *v) {
            std::string s(v);
            return s.find("UTF-8") != std::string::npos || s.find("utf8") != std::string::npos ||
                   s.find("utf-8") != std::string::npos;
        }
    }
    return false;
}

namespace {

enum class Cell { empty, queued, connecting, waiting, receiving };

// What request `r` was doing at time t (seconds on the transport's clock).
Cell cell_at(const RequestRecord& r, double run_start, double t) {
    const Result& res = r.result;
    const double began = res.started >= 0 ? res.started : r.began;
    const double done = res.done;
    if (t < run_start || done < 0 || t > done) return Cell::empty;
    if (began < 0 || t < began) return Cell::queued;
    if (res.connected < 0 || t < res.connected) return Cell::connecting;
    if (res.first_byte < 0 || t < res.first_byte) return Cell::waiting;
    return Cell::receiving;
}

const char* glyph(Cell c, bool unicode) {
    switch (c) {
    case Cell::empty: return " ";
    case Cell::queued: return unicode ? "·" : ".";
    case Cell::connecting: return unicode ? "░" : "-";
    case Cell::waiting: return unicode ? "▒" : "=";
    case Cell::receiving: return unicode ? "█" : "#";
    }
    return " ";
}

std::string seconds(double s) { return seconds_text(s); }

// Characters on screen: UTF-8 continuation bytes take no column of their own.
std::size_t display_width(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// `s` in exactly `width` columns: padded, or cut with a "~" where it was cut.
std::string fit(const std::string& s, std::size_t width) {
    const std::size_t shown = display_width(s);
    if (shown <= width) return s + std::string(width - shown, ' ');
    std::size_t cut = 0, columns = 0;  // the bytes of the first width - 1 characters
    while (cut < s.size() && columns < width - 1) {
        ++cut;
        while (cut < s.size() && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) ++cut;
        ++columns;
    }
    return s.substr(0, cut) + "~";
}

std::string outcome(const Result& res, double began, bool unicode) {
    return res.ok() ? seconds(res.done - began) : std::string(unicode ? "✗ " : "x ") + error_kind_name(res.error);
}

constexpr std::size_t max_waterfall_rows = 40;

// How a waterfall row spends the terminal's width: "  ###  label lane bars outcome".
struct RowLayout {
    std::size_t label = 12;
    int bars = 56;
};

constexpr std::size_t lane_width = 11, min_label = 12;
constexpr int max_bars = 56, min_bars = 24;

RowLayout row_layout(const std::vector<RunReport>& reports, bool unicode, int width) {
    std::size_t longest_label = min_label, longest_outcome = 0;
    for (const RunReport& rep : reports) {
        if (rep.timeline.requests.size() > max_waterfall_rows) continue;
        for (std::size_t i = 0; i < rep.timeline.requests.size() && i < rep.workload.size(); ++i) {
            const RequestRecord& r = rep.timeline.requests[i];
            longest_label = std::max(longest_label, display_width(rep.workload.requests[i].label));
            const double began = r.result.started >= 0 ? r.result.started : r.began;
            longest_outcome = std::max(longest_outcome, display_width(outcome(r.result, began, unicode)));
        }
    }
    // Whole labels tell requests apart, so they come first; the bars take what is left, within
    // bounds, and anything past both goes unused.
    const long fixed = 2 + 3 + 2 + 1 + static_cast<long>(lane_width) + 1 + 1 + static_cast<long>(longest_outcome);
    const long room = std::max(0L, static_cast<long>(width) - fixed);
    RowLayout layout;
    layout.bars =
        static_cast<int>(std::clamp(room - static_cast<long>(longest_label), long{min_bars}, long{max_bars}));
    layout.label = static_cast<std::size_t>(
        std::clamp(room - layout.bars, static_cast<long>(min_label), static_cast<long>(longest_label)));
    return layout;
}

}  // namespace

void print_waterfalls(const std::vector<RunReport>& reports, bool unicode, int width) {
    // One time scale for every run, so a fast mode's bars are visibly shorter than a slow one's.
    double scale = 0;
    for (const RunReport& r : reports) scale = std::max(scale, r.summary.wall_s);
    if (scale <= 0) return;
    const RowLayout layout = row_layout(reports, unicode, width);
    const int bar_columns = layout.bars;
    const double per_column = scale / bar_columns;

    for (const RunReport& rep : reports) {
        const Summary& s = rep.summary;
        if (rep.timeline.requests.size() > max_waterfall_rows) {
            std::printf("%s · %zu requests · wall %s (waterfall shown for up to %zu requests)\n\n",
                        mode_name(s.mode), s.n, seconds(s.wall_s).c_str(), max_waterfall_rows);
            continue;
        }
        std::printf("%s%s · %zu requests · wall %s\n", mode_name(s.mode),
                    s.workers ? (" (K=" + std::to_string(s.workers) + ")").c_str() : "", s.n,
                    seconds(s.wall_s).c_str());
        std::printf("  %3s  %s %s %s%*s\n", "#", fit("request", layout.label).c_str(),
                    fit("lane", lane_width).c_str(), "0 s", bar_columns - 3, seconds(scale).c_str());
        for (std::size_t i = 0; i < rep.timeline.requests.size(); ++i) {
            const RequestRecord& r = rep.timeline.requests[i];
            const Result& res = r.result;
            const double began = res.started >= 0 ? res.started : r.began;
            std::vector<Cell> cells(bar_columns);
            for (int c = 0; c < bar_columns; ++c)
                cells[c] = cell_at(r, rep.timeline.run_start, rep.timeline.run_start + (c + 0.5) * per_column);
            // A request shorter than a column still shows where it ran.
            if (std::none_of(cells.begin(), cells.end(), [](Cell c) { return c > Cell::queued; }) && began >= 0) {
                int c = static_cast<int>((began - rep.timeline.run_start) / per_column);
                cells[std::clamp(c, 0, bar_columns - 1)] = Cell::waiting;
            }
            std::string bar;
            for (Cell c : cells) bar += glyph(c, unicode);
            std::printf("  %3zu  %s %s %s %s\n", i + 1, fit(rep.workload.requests[i].label, layout.label).c_str(),
                        fit(r.lane >= 0 ? lane_label(s.mode, r.lane) : "-", lane_width).c_str(), bar.c_str(),
                        outcome(res, began, unicode).c_str());
        }
        std::printf("\n");
    }
    std::printf("  %s queued   %s connecting   %s waiting for the answer   %s receiving\n\n",
                glyph(Cell::queued, unicode), glyph(Cell::connecting, unicode), glyph(Cell::waiting, unicode),
                glyph(Cell::receiving, unicode));
}

void print_summary_table(const std::vector<RunReport>& reports) {
    bool measured = false;
    const double baseline = speedup_baseline(reports, &measured);
    const char* row = "  %-10s %4s %6s %9s %8s %10s %7s %6s %6s %9s %7s %7s %8s\n";
    std::printf(row, "", "", "", "", "", "", "", "", "", "", "peak", "peak", "");
    std::printf(row, "mode", "K", "n", "wall", "ideal", "wall/ideal", "speedup", "ok", "failed", "cancelled",
                "started", "on wire", "cpu");
    for (const RunReport& r : reports) {
        const Summary& s = r.summary;
        // A cancelled run's wall is when it was stopped, and a run that did less than the work
        // has no wall/ideal: neither is a result.
        const std::string wall = s.cancelled > 0 ? "cancelled" : seconds(s.wall_s);
        const double vs_ideal = comparable(s) && s.ideal_s > 0 ? s.wall_s / s.ideal_s : 0;
        std::printf(row, mode_name(s.mode), s.workers ? std::to_string(s.workers).c_str() : "-",
                    std::to_string(s.n).c_str(), wall.c_str(), seconds(s.ideal_s).c_str(), ratio_text(vs_ideal).c_str(),
                    speedup_text(speedup_of(s, baseline)).c_str(), std::to_string(s.ok).c_str(),
                    std::to_string(s.failed).c_str(), std::to_string(s.cancelled).c_str(),
                    std::to_string(s.peak_in_flight).c_str(),
                    s.peak_on_wire >= 0 ? std::to_string(s.peak_on_wire).c_str() : "?", seconds(s.cpu_s).c_str());
    }
    std::printf("\n  ideal: the wall time the mode allows at best (the sum of the delays one at a time, the\n"
                "  slowest of them all at once, K lanes for pool and bounded).\n"
                "  speedup: against %s; none for a run with a failed or cancelled request.\n"
                "  peak started: the most requests started and not yet done at once; peak on wire: the most\n"
                "  connecting or fetching at once (? where the transport did not tell).\n",
                measured ? "the sequential run" : "the ideal sequential time (no sequential run)");
}

void print_errors(const std::vector<RunReport>& reports, std::size_t max_per_run) {
    for (const RunReport& rep : reports) {
        const Summary& s = rep.summary;
        if (s.failed > 0) {
            std::printf("\n  %s: %zu of %zu requests failed\n", mode_name(s.mode), s.failed, s.n);
            std::size_t shown = 0;
            for (std::size_t i = 0; i < rep.timeline.requests.size(); ++i) {
                const Result& r = rep.timeline.requests[i].result;
                if (r.ok() || r.error == ErrorKind::cancelled) continue;
                if (shown++ == max_per_run) {
                    std::printf("    ... and %zu more\n", s.failed - max_per_run);
                    break;
                }
                std::printf("    #%zu %s — %s: %s\n", i + 1, display_url(rep.workload.requests[i].url).c_str(),
                            error_kind_name(r.error), display_text(r.message).c_str());
            }
        }
        if (s.cancelled > 0)
            std::printf("\n  %s: %zu of %zu requests cancelled: the run was stopped before they finished\n",
                        mode_name(s.mode), s.cancelled, s.n);
    }
}

static std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

static std::string csv_time(double t, double run_start) {
    if (t < 0) return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", std::max(0.0, t - run_start));
    return buf;
}

std::string report_csv(const std::vector<RunReport>& reports) {
    std::ostringstream out;
    out << "mode,index,label,url,lane,start_s,connect_s,first_byte_s,end_s,status,bytes,error,message\n";
    for (const RunReport& rep : reports) {
        const double t0 = rep.timeline.run_start;
        for (std::size_t i = 0; i < rep.timeline.requests.size(); ++i) {
            const RequestRecord& r = rep.timeline.requests[i];
            const Result& res = r.result;
            out << mode_name(rep.summary.mode) << ',' << i + 1 << ',' << csv_field(rep.workload.requests[i].label) << ','
                << csv_field(display_url(rep.workload.requests[i].url)) << ','
                << (r.lane >= 0 ? lane_label(rep.summary.mode, r.lane) : "") << ','
                << csv_time(res.started >= 0 ? res.started : r.began, t0) << ',' << csv_time(res.connected, t0) << ','
                << csv_time(res.first_byte, t0) << ',' << csv_time(res.done, t0) << ',' << res.status << ','
                << res.bytes << ',' << (res.ok() ? "" : error_kind_name(res.error)) << ',' << csv_field(display_text(res.message))
                << '\n';
        }
    }
    return out.str();
}

double run_time_left(std::size_t done, std::size_t n, double elapsed_s) {
    if (done == 0 || elapsed_s <= 0 || done > n) return -1;
    return elapsed_s / static_cast<double>(done) * static_cast<double>(n - done);
}

void print_progress(const std::string& what, const Timeline& timeline, double elapsed_s, double left_s) {
    std::string line = "  " + what + ": " + std::to_string(timeline.finished) + "/" +
                       std::to_string(timeline.requests.size()) + " done, " + std::to_string(timeline.in_flight) +
                       " in flight, " + seconds(elapsed_s);
    line += left_s >= 0 ? ", about " + seconds(left_s) + " left" : ", estimating the time left";
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
}

void clear_progress() {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
}

void poll_with_progress(Run& run, const Transport& clock, bool progress, const std::string& what,
                        const std::function<double(const Timeline&, double)>& left) {
    const double t0 = clock.now();
    while (!run.poll(100)) {
        if (!progress) continue;
        const Timeline live = run.timeline();
        const double elapsed = clock.now() - t0;
        print_progress(what, live, elapsed, left(live, elapsed));
    }
}

}  // namespace fetchlab::cli
