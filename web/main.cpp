// fetchlab in the browser: the shared panel over emscripten_fetch, drawn with Dear ImGui on
// WebGL2 through Emscripten's GLFW. Read top to bottom: setup, the frame, the page hooks.
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "experiment.h"
#include "fetch_transport.h"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
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
EM_JS(void, page_first_frame, (), { window.fetchlab.firstFrame(); });
EM_JS(void, page_no_webgl2, (), { window.fetchlab.noWebGL2(); });
// How many of the pool's workers have loaded the module (Emscripten marks each as loaded);
// -1 when that cannot be told (another Emscripten's internals, or still none after 30 s).
EM_JS(int, page_threads_ready, (), {
    if (typeof PThread === 'undefined' || !PThread.unusedWorkers) return -1;
    var workers = PThread.unusedWorkers.concat(PThread.runningWorkers || []);
    var loaded = workers.filter(function (w) { return w.loaded; }).length;
    if (loaded === 0 && performance.now() - (window.fetchlab.runtimeReadyAt || 0) > 30000) return -1;
    return loaded;
});

namespace {

struct App {
    GLFWwindow* window = nullptr;
    Experiment* experiment = nullptr;
    ui::PanelState panel;
    bool autorun = false;
    bool awaiting_results = false;
    int frames = 0;
};

Environment page_environment() {
    Environment env;
    env.platform = "Emscripten " + std::to_string(__EMSCRIPTEN_major__) + "." + std::to_string(__EMSCRIPTEN_minor__) +
                   "." + std::to_string(__EMSCRIPTEN_tiny__) + ", emscripten_fetch";
    env.cross_origin_isolated = page_is_cross_origin_isolated() != 0;
#ifdef FETCHLAB_THREADS
    env.threads_available = env.cross_origin_isolated;
    // The runner and one spare come out of the pre-started pool; a run may not wait for more.
    env.max_threads = FETCHLAB_THREAD_POOL - 2;
    env.thread_pool = FETCHLAB_THREAD_POOL;
#else
    env.threads_available = false;
#endif
    env.hardware_concurrency = page_hardware_concurrency();
    for (int i = 0; i < page_lab_origin_count(); ++i) {
        char origin[256];
        page_lab_origin(i, origin, sizeof origin);
        env.lab_origins.push_back(origin);
    }
    return env;
}

// "mode=all preset=lab n=10 latency=200 origins=2 workers=4 autorun=1", from the page's query.
bool apply_argument(Settings& s, const std::string& arg) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos) return false;
    const std::string key = arg.substr(0, eq), value = arg.substr(eq + 1);
    const int number = std::atoi(value.c_str());
    if (key == "mode") {
        s.all_modes = value == "all";
        if (auto m = parse_mode(value)) s.mode = *m;
    } else if (key == "preset") {
        s.preset = value == "lab" ? Preset::lab : value == "urls" ? Preset::urls : Preset::seed;
    } else if (key == "n") {
        s.n = number;
    } else if (key == "latency") {
        s.latency_ms = number;
    } else if (key == "origins") {
        s.origins = number;
    } else if (key == "workers") {
        s.workers = number;
    } else if (key == "timeout") {
        s.timeout_ms = number;
    } else if (key == "url") {
        s.urls_text += value + "\n";
    } else if (key == "autorun") {
        return number == 1;
    }
    return false;
}

// The canvas is sized by CSS; its pixels follow the device pixel ratio, so text stays sharp on a
// HiDPI screen and a projector. Emscripten 3.1.6's GLFW knows nothing of that ratio.
void fit_canvas(App& app) {
    double css_w = 0, css_h = 0;
    emscripten_get_element_css_size("#canvas", &css_w, &css_h);
    const double ratio = page_device_pixel_ratio();
    const int w = static_cast<int>(std::lround(css_w * ratio)), h = static_cast<int>(std::lround(css_h * ratio));
    int cur_w = 0, cur_h = 0;
    glfwGetWindowSize(app.window, &cur_w, &cur_h);
    if (w > 0 && h > 0 && (w != cur_w || h != cur_h)) glfwSetWindowSize(app.window, w, h);
    ImGui::GetIO().FontGlobalScale = static_cast<float>(std::max(1.0, ratio));
}

void publish(App& app, const std::string& error = {}) {
    app.awaiting_results = false;
    const Experiment& e = *app.experiment;
    if (!error.empty()) {
        page_publish(("{\"fetchlab\":\"" + std::string(fetchlab_version()) + "\",\"error\":\"" + error + "\",\"runs\":[]}").c_str(),
                     error.c_str());
        return;
    }
    page_publish(e.latest_json().c_str(), lesson_text(e.latest(), e.environment()).c_str());
}

void frame(void* arg) {
    App& app = *static_cast<App*>(arg);
    glfwPollEvents();
    fit_canvas(app);

#ifdef FETCHLAB_THREADS
    app.experiment->set_threads_ready(page_threads_ready());
#endif
    // An automated run waits for the pool of threads (up to ~20 s), so thread modes are measured warm.
    const Environment& env = app.experiment->environment();
    const bool warming = env.threads_available && env.threads_ready >= 0 && env.threads_ready < env.thread_pool;
    if (app.autorun && app.frames >= 1 && (!warming || app.frames > 1200)) {
        app.autorun = false;
        app.awaiting_results = true;
        const std::string why = app.experiment->start();
        if (!why.empty()) publish(app, why);
    }
    const bool was_running = app.experiment->running();
    app.experiment->update();
    if (was_running && !app.experiment->running() && app.awaiting_results) publish(app);
    // A run started from the panel publishes too, so a workshop can read every result from the console.
    if (!was_running && app.experiment->running()) app.awaiting_results = true;

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    ui::draw_panel(*app.experiment, app.panel);
    ImGui::Render();

    int w = 0, h = 0;
    glfwGetFramebufferSize(app.window, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.10f, 0.11f, 0.13f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (++app.frames == 1) page_first_frame();
}

}  // namespace

int main(int argc, char** argv) {
    // ---- Setup: a WebGL2 context through GLFW, then ImGui on it -----------------------------
    if (!glfwInit()) return 1;
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    static App app;
    app.window = glfwCreateWindow(1280, 800, "fetchlab", nullptr, nullptr);
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
    ImGui_ImplOpenGL3_Init("#version 300 es");

    // ---- The experiment: settings from the page's query, a fresh transport per run ------------
    static Experiment experiment([](const TransportOptions& o) { return std::make_unique<FetchTransport>(o); },
                                 page_environment());
    for (int i = 1; i < argc; ++i) app.autorun |= apply_argument(experiment.settings, argv[i]);
    app.experiment = &experiment;

    // ---- The browser owns the loop: one frame per animation frame, never blocking -------------
    emscripten_set_main_loop_arg(frame, &app, 0, false);
    return 0;
}
