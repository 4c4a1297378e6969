// The CLI's human output: a waterfall per run, a summary table, the errors, and a progress line.
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

std::string seconds(double s) {
    char buf[32];
    if (s < 0.001) std::snprintf(buf, sizeof buf, "%.0f µs", s * 1e6);
    else if (s < 1) std::snprintf(buf, sizeof buf, "%.0f ms", s * 1e3);
    else std::snprintf(buf, sizeof buf, "%.2f s", s);
    return buf;
}

std::string fit(const std::string& s, std::size_t width) {
    if (s.size() <= width) return s + std::string(width - s.size(), ' ');
    std::size_t cut = width - 1;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    return s.substr(0, cut) + "~" + std::string(width - 1 - cut, ' ');
}

constexpr std::size_t max_waterfall_rows = 40;
constexpr int bar_columns = 56;

}  // namespace

void print_waterfalls(const std::vector<RunReport>& reports, bool unicode) {
    // One time scale for every run, so a fast mode's bars are visibly shorter than a slow one's.
    double scale = 0;
    for (const RunReport& r : reports) scale = std::max(scale, r.summary.wall_s);
    if (scale <= 0) return;
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
        std::printf("  %3s  %-12s %-11s %s%*s\n", "#", "request", "lane", "0 s", bar_columns - 3,
                    seconds(scale).c_str());
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
            std::string tail = res.ok() ? seconds(res.done - began)
                                        : std::string(unicode ? "✗ " : "x ") + error_kind_name(res.error);
            std::printf("  %3zu  %s %s %s %s\n", i + 1, fit(rep.workload.requests[i].label, 12).c_str(),
                        fit(r.lane >= 0 ? lane_label(s.mode, r.lane) : "-", 11).c_str(), bar.c_str(),
                        tail.c_str());
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
    std::printf("  %-12s %4s %6s %10s %10s %10s %9s %6s %7s %5s %9s\n", "mode", "K", "n", "wall", "ideal",
                "wall/ideal", "speedup", "ok", "errors", "peak", "cpu");
    for (const RunReport& r : reports) {
        const Summary& s = r.summary;
        char ratio[16] = "-", up[16] = "-";
        if (s.ideal_s > 0) std::snprintf(ratio, sizeof ratio, "%.2f", s.wall_s / s.ideal_s);
        if (double x = speedup_of(s, baseline); x > 0) std::snprintf(up, sizeof up, "%.1fx", x);
        std::printf("  %-12s %4s %6zu %10s %10s %10s %9s %6zu %7zu %5zu %9s\n", mode_name(s.mode),
                    s.workers ? std::to_string(s.workers).c_str() : "-", s.n, seconds(s.wall_s).c_str(),
                    seconds(s.ideal_s).c_str(), ratio, up, s.ok, s.errors, s.peak_in_flight,
                    seconds(s.cpu_s).c_str());
    }
    std::printf("\n  ideal: the wall time the mode allows at best (the sum of the delays one at a time, the\n"
                "  slowest of them all at once, K lanes for pool and bounded). speedup: against %s.\n",
                measured ? "the sequential run" : "the ideal sequential time (no sequential run)");
}

void print_errors(const std::vector<RunReport>& reports, std::size_t max_per_run) {
    for (const RunReport& rep : reports) {
        if (rep.summary.errors == 0) continue;
        std::printf("\n  %s: %zu of %zu requests failed\n", mode_name(rep.summary.mode), rep.summary.errors,
                    rep.summary.n);
        std::size_t shown = 0;
        for (std::size_t i = 0; i < rep.timeline.requests.size(); ++i) {
            const Result& r = rep.timeline.requests[i].result;
            if (r.ok()) continue;
            if (shown++ == max_per_run) {
                std::printf("    ... and %zu more\n", rep.summary.errors - max_per_run);
                break;
            }
            std::printf("    #%zu %s — %s: %s\n", i + 1, display_url(rep.workload.requests[i].url).c_str(),
                        error_kind_name(r.error), display_text(r.message).c_str());
        }
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

void print_progress(const char* mode, const Timeline& timeline, double elapsed_s) {
    std::fprintf(stderr, "\r\033[K  %-10s %zu/%zu done  %zu in flight  %s", mode, timeline.finished,
                 timeline.requests.size(), timeline.in_flight, seconds(elapsed_s).c_str());
    std::fflush(stderr);
}

void clear_progress() {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
}

}  // namespace fetchlab::cli
