// fetchlab in the browser: the shared panel over emscripten_fetch, drawn with Dear ImGui on
// WebGL2 through Emscripten's GLFW. Read top to bottom: setup, the frame, the page hooks.
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#ifdef FETCHLAB_THREADS
#include <pthread.h>

#include <atomic>
#endif

#include "experiment.h"
#include "fetch_transport.h"
#include "gl_renderer.h"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "item_locator.h"
#include "paced_transport.h"
#include "query_settings.h"
#include "report.h"
#include "ui/panel.h"

using namespace fetchlab;

// ---- What the page (web/fetchlab.js) tells us and what we tell it --------------------------
EM_JS(int, page_is_cross_origin_isolated, (), { return (self.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined') ? 1 : 0; });
EM_JS(int, page_hardware_concurrency, (), { return navigator.hardwareConcurrency || 0; });
EM_JS(double, page_device_pixel_ratio, (), { return window.devicePixelRatio || 1; });
EM_JS(int, page_lab_origin_count, (), { return (window.fetchlab && window.fetchlab.origins) ? window.fetchlab.origins.length : 0; });
EM_JS(void, page_lab_origin, (int i, char* out, int size), { stringToUTF8(window.fetchlab.origins[i], out, size); });
EM_JS(void, page_publish, (const char* json, const char* lesson), {
    window.fetchlab.publish(UTF8ToString(json), UTF8ToString(lesson));
});
EM_JS(void, page_run_refused, (const char* json), { window.fetchlab.refused(UTF8ToString(json)); });
EM_JS(void, page_first_frame, (), { window.fetchlab.firstFrame(); });
EM_JS(void, page_no_webgl2, (), { window.fetchlab.noWebGL2(); });
EM_JS(void, page_fail, (const char* message), { window.fetchlab.fail(UTF8ToString(message)); });
EM_JS(void, page_test_bytes, (char* out, int size), { HEAPU8.set(window.fetchlab.testBytes.subarray(0, size), out); });
// What the panel shows, for tests and scripts: the waterfall's scroll, and the status line (only
// when it changed).
EM_JS(void, page_panel_view, (int first_row, int rows, int label_every, int all_fit, const char* status), {
    window.fetchlab.waterfall = { firstRow: first_row, rows: rows, labelEvery: label_every, allFit: all_fit !== 0 };
    if (status) window.fetchlab.status = UTF8ToString(status);
});
namespace {

struct App {
    GLFWwindow* window = nullptr;
    GlRenderer renderer;
    Experiment* experiment = nullptr;
    ui::PanelState panel;
    bool autorun = false;
    int frames = 0;
    int pool_warm_frame = 0;      // the frame the pool was seen warm
    double pool_started_ms = -1;  // when warm_thread_pool() ran
};
App* page_app = nullptr;  // the one App, for the page hooks (window.fetchlab.run, cancel)

#ifdef FETCHLAB_THREADS
// The pool the thread modes run on. Emscripten gives a thread a worker from its pool, starting a
// new one (30-100 ms, a whole module load) when the pool is empty, and keeps the worker for the
// next thread when this one ends. Once the first frames are drawn, FETCHLAB_THREAD_POOL threads that
// do nothing start at once: each takes a fresh worker and leaves it warm, so runs start threads at once.
std::atomic<int> warmed_threads{0};

void* warm_thread(void*) {
    warmed_threads.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
}

void warm_thread_pool() {
    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    int started = 0;
    for (int i = 0; i < FETCHLAB_THREAD_POOL; ++i) {
        pthread_t thread;
        if (pthread_create(&thread, &detached, warm_thread, nullptr) == 0) ++started;
    }
    pthread_attr_destroy(&detached);
    // A browser that refuses some workers leaves a smaller pool: thread modes then start workers
    // as they go (slower to start, never a hang) rather than wait for ones that will not come.
    if (started < FETCHLAB_THREAD_POOL) warmed_threads.fetch_add(FETCHLAB_THREAD_POOL - started);
}

// The pool warms once the first frames are on screen, not before them. A thread counts as warm
// when it has run; its worker goes back to the pool when this thread handles its exit message, a
// frame or so later, so an automated run waits a few frames more. A pool still cold after 20 s
// (workers blocked, or failing to load) is no longer waited for: thread modes then start workers
// as they go, slower to start but never refused.
void track_thread_pool(App& app) {
    Experiment& e = *app.experiment;
    if (!e.environment().threads_available || e.environment().threads_ready < 0) return;
    if (app.frames == 2) {
        warm_thread_pool();
        app.pool_started_ms = emscripten_get_now();
    }
    const int ready = warmed_threads.load(std::memory_order_relaxed);
    e.set_threads_ready(ready);
    if (ready >= e.environment().thread_pool && app.pool_warm_frame == 0) app.pool_warm_frame = app.frames;
    if (ready < e.environment().thread_pool && app.pool_started_ms >= 0 &&
        emscripten_get_now() - app.pool_started_ms > 20000) {
        std::printf("fetchlab: only %d of %d pool threads started within 20 s; thread modes start the rest as they go\n",
                    ready, e.environment().thread_pool);
        e.set_threads_ready(-1);
    }
}
#endif

Environment page_environment() {
    Environment env;
    env.platform = "Emscripten " + std::to_string(__EMSCRIPTEN_major__) + "." + std::to_string(__EMSCRIPTEN_minor__) +
                   "." + std::to_string(__EMSCRIPTEN_tiny__) + ", emscripten_fetch";
    env.cross_origin_isolated = page_is_cross_origin_isolated() != 0;
#ifdef FETCHLAB_THREADS
    env.threads_available = env.cross_origin_isolated;
    // The runner and one spare come out of the warmed pool too; a run may not wait for more.
    env.max_threads = FETCHLAB_THREAD_POOL - 2;
    env.thread_pool = FETCHLAB_THREAD_POOL;
    env.threads_ready = 0;  // until warm_thread_pool() has run
#else
    env.threads_available = false;
#endif
    env.max_in_flight = page_in_flight_limit;
    env.hardware_concurrency = page_hardware_concurrency();
    for (int i = 0; i < page_lab_origin_count(); ++i) {
        char origin[256];
        page_lab_origin(i, origin, sizeof origin);
        env.lab_origins.push_back(origin);
    }
    return env;
}

// The canvas is sized by CSS; its pixels follow the device pixel ratio, so text stays sharp on a
// HiDPI screen and a projector. Emscripten 3.1.6's GLFW knows nothing of that ratio, and takes a
// window set to the screen's size (a maximised window, F11) for a request to go fullscreen: it calls
// requestFullscreen, which the browser refuses without a click and which wraps the canvas in a div
// that pushes the panel down. So the canvas is sized here, never through glfwSetWindowSize, and
// ImGui is told the display size directly (see frame()). Returns the canvas's size in pixels.
ImVec2 fit_canvas() {
    double css_w = 0, css_h = 0;
    emscripten_get_element_css_size("#canvas", &css_w, &css_h);
    const double ratio = page_device_pixel_ratio();
    int w = static_cast<int>(std::lround(css_w * ratio)), h = static_cast<int>(std::lround(css_h * ratio));
    int cur_w = 0, cur_h = 0;
    emscripten_get_canvas_element_size("#canvas", &cur_w, &cur_h);
    if (w <= 0 || h <= 0) {
        w = cur_w;
        h = cur_h;
    } else if (w != cur_w || h != cur_h) {
        emscripten_set_canvas_element_size("#canvas", w, h);
    }
    ImGui::GetIO().FontGlobalScale = static_cast<float>(std::max(1.0, ratio));
    return ImVec2(static_cast<float>(w), static_cast<float>(h));
}

// Emscripten's GLFW (3.1.6) passes the browser's wheel deltaY to the scroll callback as it comes:
// positive for down and about 100 a notch, where GLFW and ImGui mean positive for up and 1 a notch,
// so one notch scrolled 100 steps the wrong way. Newer Emscripten flips and scales it; the
// browser's own wheel event means the same in every version, so ImGui gets its wheel from there.
void use_browser_wheel(GLFWwindow* window) {
    glfwSetScrollCallback(window, nullptr);
    emscripten_set_wheel_callback("#canvas", nullptr, true, [](int, const EmscriptenWheelEvent* e, void*) -> EM_BOOL {
        // A notch is 100 pixels, 3 lines or a page (DOM_DELTA_PIXEL, _LINE, _PAGE).
        const double per_notch = e->deltaMode == DOM_DELTA_PIXEL ? 100 : e->deltaMode == DOM_DELTA_LINE ? 3 : 1;
        ImGuiIO& io = ImGui::GetIO();
        io.MouseWheel -= static_cast<float>(e->deltaY / per_notch);
        io.MouseWheelH -= static_cast<float>(e->deltaX / per_notch);
        return EM_TRUE;  // the page itself does not scroll
    });
}

// The page's documents are JSON whatever bytes a message holds: escaped, invalid UTF-8 replaced.
std::string error_document(const std::string& error) {
    const nlohmann::json doc = {{"fetchlab", fetchlab_version()}, {"error", error}, {"runs", nlohmann::json::array()}};
    return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void publish_error(const std::string& error) { page_publish(error_document(error).c_str(), error.c_str()); }

void publish_results(const Experiment& e) {
    page_publish(e.latest_json().c_str(), e.lesson().c_str());
}

void frame(void* arg) {
    App& app = *static_cast<App*>(arg);
    glfwPollEvents();
    const ImVec2 canvas = fit_canvas();

#ifdef FETCHLAB_THREADS
    track_thread_pool(app);
#endif
    // An automated run waits for the pool of threads, so thread modes are measured warm.
    const Environment& env = app.experiment->environment();
    const bool warming = env.threads_available && env.threads_ready >= 0 && env.threads_ready < env.thread_pool;
    const bool settled = !env.threads_available || app.frames >= app.pool_warm_frame + 5;
    if (app.autorun && app.frames >= 2 && !warming && settled) {
        app.autorun = false;
        if (const std::string why = app.experiment->start(); !why.empty()) {
            app.panel.start_error = why;
            publish_error(why);
        }
    }
    // Every batch of runs publishes its results when it ends, however it was started (the query's
    // autorun, the panel's Run button), so tests and a workshop's console see every result.
    const bool was_running = app.experiment->running();
    app.experiment->update();
    if (was_running && !app.experiment->running()) publish_results(*app.experiment);

    locate_items_if_asked();
    ImGui_ImplGlfw_NewFrame();
    // GLFW's window keeps the size it was created with (fit_canvas says why); the canvas is the display.
    ImGui::GetIO().DisplaySize = canvas;
    ImGui::GetIO().DisplayFramebufferScale = ImVec2(1, 1);
    ImGui::NewFrame();
    ui::draw_panel(*app.experiment, app.panel);
    ImGui::Render();

    glClearColor(0.10f, 0.11f, 0.13f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    app.renderer.render(*ImGui::GetDrawData());
    const ui::WaterfallView& view = app.panel.waterfall;
    static std::string status_shown;
    const bool status_changed = app.panel.status != status_shown;
    if (status_changed) status_shown = app.panel.status;
    page_panel_view(view.first_row, view.rows, view.label_every, view.all_fit ? 1 : 0,
                    status_changed ? status_shown.c_str() : nullptr);
    if (++app.frames == 1) page_first_frame();
}

}  // namespace

// For the browser tests: publishes the error document for a message of `size` bytes, taken from
// window.fetchlab.testBytes (any bytes, as a message might hold), through the page's own path.
extern "C" EMSCRIPTEN_KEEPALIVE void fetchlab_test_publish_error(int size) {
    std::string message(static_cast<std::size_t>(std::max(size, 0)), '\0');
    page_test_bytes(message.data(), static_cast<int>(message.size()));
    publish_error(message);
}

// ---- The page hooks: window.fetchlab.run() and cancel() do what the panel's buttons do ---------
// Returns 1 when the run started (the page hears of its end through publish), else 0 after
// handing the page the refusal as an error document.
extern "C" EMSCRIPTEN_KEEPALIVE int fetchlab_run() {
    App& app = *page_app;
    ui::press_run(*app.experiment, app.panel);
    if (app.panel.start_error.empty()) return 1;
    page_run_refused(error_document(app.panel.start_error).c_str());
    return 0;
}

// Returns 1 when there was a run to cancel.
extern "C" EMSCRIPTEN_KEEPALIVE int fetchlab_cancel() {
    App& app = *page_app;
    const bool running = app.experiment->running() || app.panel.start_when_warm;
    ui::press_cancel(*app.experiment, app.panel);
    return running ? 1 : 0;
}

int main(int argc, char** argv) {
    // ---- Setup: a WebGL2 context through GLFW, then ImGui on it -----------------------------
    if (!glfwInit()) return 1;
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    static App app;
    // The page sized the canvas to its pixels already: the same size here keeps its drawing buffer.
    int width = 0, height = 0;
    emscripten_get_canvas_element_size("#canvas", &width, &height);
    app.window = glfwCreateWindow(width > 0 ? width : 1280, height > 0 ? height : 800, "fetchlab", nullptr, nullptr);
    if (!app.window) {
        page_no_webgl2();
        return 1;
    }
    glfwMakeContextCurrent(app.window);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // nothing to persist in a browser tab
    ImGui::StyleColorsDark();
    ImGui_ImplGlfw_InitForOpenGL(app.window, true);
    use_browser_wheel(app.window);
    if (const std::string error = app.renderer.init(); !error.empty()) {
        page_fail(("fetchlab could not draw its panel with this browser's WebGL2: " + error).c_str());
        return 1;
    }

    // ---- The experiment: settings from the page's query, a fresh transport per run ------------
    // An async run's requests reach the browser in slices of 10 ms between frames
    // (web/paced_transport.h), so the page keeps drawing however many it starts at once.
    static Experiment experiment(
        [](const TransportOptions& o) { return std::make_unique<PacedTransport>(std::make_unique<FetchTransport>(o), 0.010); },
        page_environment());
    for (int i = 1; i < argc; ++i) {
        const QueryArgument argument = apply_query_argument(experiment.settings, argv[i]);
        app.autorun |= argument.autorun;
        if (!argument.problem.empty()) {
            std::printf("fetchlab: %s\n", argument.problem.c_str());
            app.panel.notices.push_back(argument.problem);
        }
    }
    app.experiment = &experiment;
    page_app = &app;

    // ---- The browser owns the loop: one frame per animation frame, never blocking -------------
    // The first frame is drawn now rather than at the next animation frame, which on a busy page can
    // be tens of milliseconds away.
    frame(&app);
    emscripten_set_main_loop_arg(frame, &app, 0, false);
    return 0;
}
