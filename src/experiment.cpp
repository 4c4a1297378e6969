#include "experiment.h"

#include <algorithm>
#include <stdexcept>

namespace fetchlab {

Experiment::Experiment(TransportFactory make_transport, Environment environment)
    : make_transport_(std::move(make_transport)), environment_(std::move(environment)) {
    update_lesson();
}

void Experiment::set_threads_ready(int ready) {
    if (environment_.threads_ready == ready) return;
    environment_.threads_ready = ready;
    update_lesson();
}

void Experiment::update_lesson() { lesson_ = lesson_text(latest_, environment_); }

Experiment::~Experiment() {
    cancel();
    run_.reset();  // a thread still blocked in a request finishes it alone, holding the transport
    transport_.reset();
}

Workload Experiment::workload(std::string* why) const {
    auto fail = [why](const char* reason) {
        if (why) *why = reason;
        return Workload{};
    };
    if (settings.preset == Preset::urls) {
        std::vector<std::string> urls;
        try {
            urls = parse_url_list(settings.urls_text);
        } catch (const std::invalid_argument& e) {
            if (why) *why = std::string("the URL list: ") + e.what();
            return Workload{};
        }
        if (urls.empty()) return fail("the URL list is empty: one URL a line");
        return url_workload(urls);
    }
    if (environment_.lab_origins.empty()) return fail("there is no lab server to fetch from");
    const std::size_t count =
        std::clamp<std::size_t>(static_cast<std::size_t>(std::max(settings.origins, 1)), 1, environment_.lab_origins.size());
    const std::vector<std::string> origins(environment_.lab_origins.begin(), environment_.lab_origins.begin() + count);
    if (settings.preset == Preset::seed) return seed_workload(origins);
    if (settings.n < 1) return fail("N must be at least 1");
    if (settings.preset == Preset::flaky) return flaky_workload(origins, settings.n, settings.latency_ms);
    return lab_workload(origins, settings.n, settings.latency_ms);
}

std::string Experiment::unavailable_reason(Mode mode) const {
    if (mode_is_blocking(mode) && !environment_.threads_available)
        return "needs threads, and this page is not cross-origin isolated (no SharedArrayBuffer)";
    if (mode_is_blocking(mode) && environment_.threads_ready >= 0 && environment_.threads_ready < environment_.thread_pool)
        return "threads are still starting: " + std::to_string(environment_.threads_ready) + " of " +
               std::to_string(environment_.thread_pool) + " ready";
    const int limit = environment_.max_threads, in_flight = environment_.max_in_flight;
    if (limit > 0 || in_flight > 0) {
        const bool lab = settings.preset == Preset::lab || settings.preset == Preset::flaky;
        const std::size_t n = lab                               ? static_cast<std::size_t>(std::max(settings.n, 0))
                              : settings.preset == Preset::seed ? seed_delays_ms().size()
                                                                : workload().size();
        if (in_flight > 0 && mode == Mode::async && n > static_cast<std::size_t>(in_flight))
            return "all at once: at most " + std::to_string(in_flight) +
                   " requests in flight here (the browser fails what it cannot hold), and N is " + std::to_string(n) +
                   "; bounded runs any N";
        if (in_flight > 0 && mode == Mode::bounded && settings.workers > in_flight)
            return "at most " + std::to_string(in_flight) + " requests in flight here";
        if (limit <= 0) return "";
        if (mode == Mode::threads && n > static_cast<std::size_t>(limit))
            return "one thread per request: at most " + std::to_string(limit) + " threads here, and N is " +
                   std::to_string(n);
        if (mode == Mode::pool && settings.workers > limit)
            return "at most " + std::to_string(limit) + " worker threads here";
    }
    return "";
}

std::string Experiment::start() {
    if (running()) return "a run is in progress";
    std::string why;
    workload_ = workload(&why);
    if (!why.empty()) return why;

    queue_.clear();
    if (settings.all_modes) {
        for (Mode m : all_modes())
            if (unavailable_reason(m).empty()) queue_.push_back(m);
        if (queue_.empty()) return "no mode can run with these settings";
    } else {
        why = unavailable_reason(settings.mode);
        if (!why.empty()) return std::string(mode_name(settings.mode)) + ": " + why;
        queue_.push_back(settings.mode);
    }
    started_with_ = settings;
    latest_.clear();
    update_lesson();
    begin_next();
    return "";
}

void Experiment::begin_next() {
    const Mode mode = queue_.front();
    queue_.erase(queue_.begin());
    // A fresh transport per run, so no run inherits another's warm connections.
    run_.reset();
    TransportOptions options;
    options.timeout_ms = started_with_.timeout_ms;
    options.lab_origins = environment_.lab_origins;
    options.max_bytes = static_cast<std::uint64_t>(started_with_.max_body_kb) * 1024;
    transport_ = make_transport_(options);
    run_ = std::make_unique<Run>(transport_, workload_, mode, started_with_.workers);
    run_->begin();
}

void Experiment::cancel() {
    queue_.clear();
    if (run_) run_->cancel();
}

bool Experiment::update() {
    if (!run_ || !run_->poll(0)) return false;
    latest_.push_back(report_of(*run_));
    history_.push_back(latest_.back());
    Settings ran = started_with_;
    ran.mode = run_->mode();
    ran.all_modes = false;
    history_settings_.push_back(std::move(ran));
    update_lesson();
    run_.reset();
    transport_.reset();
    if (!queue_.empty()) begin_next();
    return true;
}

Mode Experiment::current_mode() const { return run_ ? run_->mode() : settings.mode; }

void Experiment::clear() {
    latest_.clear();
    history_.clear();
    history_settings_.clear();
    update_lesson();
}

std::string Experiment::latest_json() const { return report_json(latest_); }

}  // namespace fetchlab
