// The fetchlab command itself: exit codes, the JSON and CSV outputs, bench, and serve.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/loopback.h"
#include "experiment.h"

extern char** environ;

namespace {

struct Output {
    int status = -1;
    std::string out;
};

// Runs a shell command line and collects its stdout.
Output cli_raw(const std::string& cmd) {
    Output o;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    while (std::size_t got = fread(buf.data(), 1, buf.size(), p)) o.out.append(buf.data(), got);
    int raw = pclose(p);
    o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return o;
}

// Runs the CLI with a shell command line's arguments; stderr is left out of `out` unless asked for.
Output cli(const std::string& args, bool with_stderr = false) {
    return cli_raw(std::string(FETCHLAB_CLI) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"));
}

}  // namespace

TEST_CASE("cli: run --json prints one document with every mode's requests") {
    Output o = cli("run --preset lab --n 5 --latency 50 --mode all --json");
    CHECK(o.status == 0);
    auto doc = nlohmann::json::parse(o.out);
    REQUIRE(doc["runs"].size() == 5);
    for (const auto& run : doc["runs"]) {
        CHECK(run["n"] == 5);
        CHECK(run["ok"] == 5);
        CHECK(run["requests"].size() == 5);
    }
    CHECK(doc["runs"][0]["mode"] == "sequential");
    CHECK(doc["runs"][0]["wall_s"].get<double>() >= 0.25);
}

TEST_CASE("cli: the human report has a waterfall and a table") {
    Output o = cli("run --preset lab --n 3 --latency 20 --mode threads");
    CHECK(o.status == 0);
    CHECK(o.out.find("threads · 3 requests") != std::string::npos);
    CHECK(o.out.find("thread 3") != std::string::npos);
    CHECK(o.out.find("wall/ideal") != std::string::npos);
}

TEST_CASE("cli: bad usage exits 2, failed requests exit 1 with the reason shown") {
    CHECK(cli("run --mode fastest").status == 2);
    CHECK(cli("run --n 0").status == 2);
    CHECK(cli("frobnicate").status == 2);
    CHECK(cli("--help").status == 0);

    const std::string refused = "http://127.0.0.1:" + std::to_string(fetchlab::testing::refused_port()) + "/";
    Output o = cli("run --mode sequential " + refused);
    CHECK(o.status == 1);
    CHECK(o.out.find("connect refused") != std::string::npos);
}

// A file in the system's temporary folder, removed when the test ends.
struct TempFile {
    explicit TempFile(const std::string& bytes) {
        char name[] = "/tmp/fetchlab-test-XXXXXX";
        const int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
        close(fd);
        path = name;
    }
    ~TempFile() { unlink(path.c_str()); }
    std::string path;
};

TEST_CASE("cli: a URL file of any bytes gives every report form, never an abort") {
    const std::string refused = "http://127.0.0.1:" + std::to_string(fetchlab::testing::refused_port());
    std::string junk = refused + "/\xff\n" + refused + "/a\x01\x02\x80\xc3(\x7f\xfe\n";
    for (int b = 1; b < 256; ++b)
        if (b != '\n' && b != '\r' && b != '#' && b != ' ' && b != '\t') junk += static_cast<char>(b);
    junk += "\n";
    TempFile urls(junk);
    const std::string args = "run --mode async --timeout 2000 --urls " + urls.path;

    Output json = cli(args + " --json");
    CHECK(json.status == 1);  // every request failed, and the report came out
    nlohmann::json doc;
    REQUIRE_NOTHROW(doc = nlohmann::json::parse(json.out));
    REQUIRE(doc["runs"][0]["requests"].size() == 3);
    CHECK(doc["runs"][0]["requests"][0]["url"] == refused + "/%FF");

    Output csv = cli(args + " --csv");
    CHECK(csv.status == 1);
    CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 4);
    Output text = cli(args);
    CHECK(text.status == 1);
    CHECK(text.out.find("3 of 3 requests failed") != std::string::npos);
    for (const std::string& out : {csv.out, text.out})
        CHECK(std::none_of(out.begin(), out.end(), [](char c) {
            const auto b = static_cast<unsigned char>(c);
            return (b < 0x20 && c != '\n') || b == 0x7f || b == 0xff;
        }));
}

TEST_CASE("cli: a URL file that cannot be read, or holds a NUL, is refused with the reason") {
    // /proc/self/mem opens and then fails to read, as a file on a failing disk would.
    Output o = cli("run --urls /proc/self/mem", true);
    CHECK(o.status == 2);
    CHECK(o.out.find("cannot read /proc/self/mem: Input/output error") != std::string::npos);
    CHECK(o.out.find("no URLs") == std::string::npos);

    TempFile nul(std::string("http://127.0.0.1:1/\n\nhttp://127.0.0.1:1/\0x\n", 43));
    o = cli("run --urls " + nul.path, true);
    CHECK(o.status == 2);
    CHECK(o.out.find(nul.path + ": line 3: a NUL byte") != std::string::npos);
}

TEST_CASE("cli: URL credentials are never printed, in any report form") {
    const std::string url =
        "http://alice:hunter2@127.0.0.1:" + std::to_string(fetchlab::testing::refused_port()) + "/private";
    for (const char* form : {"", " --json", " --csv"}) {
        CAPTURE(form);
        Output o = cli(std::string("run --mode sequential '") + url + "'" + form);
        CHECK(o.status == 1);
        CHECK(o.out.find("/private") != std::string::npos);
        CHECK(o.out.find("hunter2") == std::string::npos);
        CHECK(o.out.find("alice") == std::string::npos);
    }
}

TEST_CASE("cli: --preset flaky fetches the lab with a fault chosen by each request's id") {
    Output o = cli("run --preset flaky --n 25 --latency 0 --mode async --timeout 5000 --json");
    CHECK(o.status == 1);
    auto doc = nlohmann::json::parse(o.out);
    const auto& requests = doc["runs"][0]["requests"];
    REQUIRE(requests.size() == 25);
    CHECK(requests[4]["url"].get<std::string>().find("&fault=reset&id=5") != std::string::npos);
    CHECK(requests[24]["url"].get<std::string>().find("&fault=truncate&id=25") != std::string::npos);
    CHECK(doc["runs"][0]["workload"] == "flaky 25 x 0 ms");
    // The embedded lab injects them, and each comes out named for what it is.
    auto check_error = [&](int id, const char* kind, const char* says) {
        CAPTURE(id);
        const auto& r = requests[id - 1];
        CHECK(r["error"] == kind);
        CHECK_MESSAGE(r["message"].get<std::string>().find(says) != std::string::npos, r["message"]);
    };
    check_error(5, "network", "connection reset");
    check_error(10, "network", "body shorter than Content-Length");
    check_error(20, "protocol", "not an HTTP answer");
    check_error(25, "network", "body shorter than Content-Length");
    CHECK(requests[14]["error"].is_null());  // trickled, slow but whole
    std::size_t failed_500 = 0;
    for (const auto& r : requests) failed_500 += r["status"] == 500;
    CHECK(failed_500 == 2);  // fail=10 picks ids 11 and 19 of the 20 spared a fault
    CHECK(doc["runs"][0]["ok"] == 19);
}

TEST_CASE("cli: credentials in --server are never printed") {
    Output o = cli("run --preset lab --n 1 --latency 0 --mode async --server 'http://alice:hunter2@127.0.0.1:" +
                   std::to_string(fetchlab::testing::refused_port()) + "'");
    CHECK(o.status == 1);
    CHECK(o.out.find("lab at http://***@127.0.0.1:") != std::string::npos);
    CHECK(o.out.find("hunter2") == std::string::npos);
}

TEST_CASE("cli: --csv prints a row per request") {
    Output o = cli("run --preset lab --n 4 --latency 10 --mode async --csv");
    CHECK(o.status == 0);
    CHECK(o.out.rfind("mode,index,label,url,lane,", 0) == 0);
    CHECK(std::count(o.out.begin(), o.out.end(), '\n') == 5);
}

TEST_CASE("cli: bench --json reports median, min and max per mode") {
    Output o = cli("bench --mode async --n 20 --latency 50 --runs 2 --warmup 0 --json");
    CHECK(o.status == 0);
    auto doc = nlohmann::json::parse(o.out);
    REQUIRE(doc["bench"].size() == 1);
    const auto& row = doc["bench"][0];
    CHECK(row["mode"] == "async");
    CHECK(row["runs"] == 2);
    CHECK(row["errors"] == 0);
    CHECK(row["wall_min_s"].get<double>() <= row["wall_median_s"].get<double>());
    CHECK(row["wall_median_s"].get<double>() <= row["wall_max_s"].get<double>());
    CHECK(row["wall_over_ideal"].get<double>() >= 1.0);
    CHECK(row["peak_rss_mb"].get<double>() > 0);
}

namespace {

// The CLI started in the background, its stdout and stderr going to files, for tests that signal it.
struct Background {
    pid_t pid = -1;
    std::string out_path, err_path;

    explicit Background(const std::vector<std::string>& args) {
        out_path = temp_file("out");
        err_path = temp_file("err");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_TRUNC, 0);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_TRUNC, 0);
        std::vector<char*> argv{const_cast<char*>(FETCHLAB_CLI)};
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        REQUIRE(posix_spawn(&pid, FETCHLAB_CLI, &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
    }
    ~Background() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        unlink(out_path.c_str());
        unlink(err_path.c_str());
    }

    static std::string temp_file(const char* what) {
        std::string path = std::string("/tmp/fetchlab-test-") + what + "-XXXXXX";
        const int fd = mkstemp(path.data());
        REQUIRE(fd >= 0);
        close(fd);
        return path;
    }
    static std::string contents(const std::string& path) {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::string out() const { return contents(out_path); }
    std::string err() const { return contents(err_path); }

    // True once stderr holds `text`, false if it does not within timeout_s.
    bool wait_for_stderr(const std::string& text, double timeout_s) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
        while (err().find(text) == std::string::npos) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return true;
    }
    // True when the process has already ended; its wait status in `raw`.
    bool ended(int& raw) {
        if (waitpid(pid, &raw, WNOHANG) != pid) return false;
        pid = -1;
        return true;
    }
    // The wait status, or kills the process and fails the test once timeout_s have passed.
    int wait(double timeout_s) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
        int raw = 0;
        while (!ended(raw)) {
            if (std::chrono::steady_clock::now() > deadline) FAIL("still running after ", timeout_s, " s");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return raw;
    }
};

// A run of 100 x 100 ms one after another, signalled after a second: about 10 done, the rest cancelled.
void check_signal_reports_what_finished(int signal_number) {
    Background run({"run", "--preset", "lab", "--n", "100", "--latency", "100", "--mode", "sequential", "--json"});
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const auto sent = std::chrono::steady_clock::now();
    REQUIRE(kill(run.pid, signal_number) == 0);
    const int raw = run.wait(8);
    CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(5));  // not the 10 s of the whole run
    REQUIRE(WIFEXITED(raw));
    CHECK(WEXITSTATUS(raw) == 1);
    const auto doc = nlohmann::json::parse(run.out());
    REQUIRE(doc["runs"].size() == 1);
    const auto& requests = doc["runs"][0]["requests"];
    REQUIRE(requests.size() == 100);
    std::size_t ok = 0, cancelled = 0;
    for (const auto& r : requests) {
        if (r["error"].is_null()) ++ok;
        if (r["error"] == "cancelled") ++cancelled;
    }
    CHECK(ok >= 1);
    CHECK(cancelled >= 1);
    CHECK(ok + cancelled == 100);
    CHECK(run.err().find("stopping") != std::string::npos);
}

}  // namespace

TEST_CASE("cli: SIGINT to run cancels it and reports what finished") { check_signal_reports_what_finished(SIGINT); }

TEST_CASE("cli: SIGTERM to run cancels it and reports what finished") { check_signal_reports_what_finished(SIGTERM); }

TEST_CASE("cli: SIGINT to bench reports the runs that finished") {
    Background bench({"bench", "--mode", "sequential", "--n", "4", "--latency", "100", "--runs", "100",
                      "--warmup", "0", "--json"});
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a few runs of 0.4 s
    REQUIRE(kill(bench.pid, SIGINT) == 0);
    const int raw = bench.wait(8);
    REQUIRE(WIFEXITED(raw));
    CHECK(WEXITSTATUS(raw) == 1);
    const auto doc = nlohmann::json::parse(bench.out());
    CHECK(doc["interrupted"] == true);
    REQUIRE(doc["bench"].size() == 1);
    CHECK(doc["bench"][0]["runs"].get<int>() >= 1);
    CHECK(doc["bench"][0]["runs"].get<int>() < 100);
    CHECK(doc["bench"][0]["errors"] == 0);  // the run cut short is left out
}

TEST_CASE("cli: a second SIGINT ends the run at once") {
    // A blocking fetch notices a cancel within about a second; the second signal must not wait
    // for that. Should the run end before the second signal is sent, the attempt is repeated.
    for (int attempt = 0; attempt < 3; ++attempt) {
        Background run({"run", "--preset", "lab", "--n", "3", "--latency", "30000", "--mode", "sequential"});
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        REQUIRE(kill(run.pid, SIGINT) == 0);
        REQUIRE(run.wait_for_stderr("stopping", 5));
        int raw = 0;
        if (run.ended(raw)) continue;
        REQUIRE(kill(run.pid, SIGINT) == 0);
        raw = run.wait(5);
        CHECK(WIFSIGNALED(raw));
        if (WIFSIGNALED(raw)) CHECK(WTERMSIG(raw) == SIGINT);
        CHECK(run.out().empty());
        return;
    }
    FAIL("the run ended each time before the second signal could be sent");
}

// The CLI under a descriptor limit of 4,096 (soft and hard, so it cannot raise it), stderr included.
Output cli_with_4096_fds(const std::string& args) {
    return cli_raw("ulimit -Sn 4096 && ulimit -Hn 4096 && exec " + std::string(FETCHLAB_CLI) + " " + args + " 2>&1");
}

TEST_CASE("cli: a run that needs more file descriptors than the limit is refused with both numbers") {
    for (const char* command : {"run", "bench"}) {
        CAPTURE(command);
        Output o = cli_with_4096_fds(std::string(command) + " --preset lab --mode threads --n 2000 --latency 10");
        CHECK(o.status == 2);
        CHECK(o.out.find("threads mode with 2000 requests needs ") != std::string::npos);
        CHECK(o.out.find("more than the limit of 4096") != std::string::npos);
        CHECK(std::count(o.out.begin(), o.out.end(), '\n') == 1);
    }
    // In K-wide modes only K at a time count.
    CHECK(cli_with_4096_fds("run --preset lab --mode pool -k 100 --n 2000 --latency 0 --json").status == 0);
}

TEST_CASE("cli: a run close to the file descriptor limit is warned about, and runs") {
    Output o = cli_with_4096_fds("run --preset lab --mode async --n 1800 --latency 0 --csv");
    CHECK(o.status == 0);
    CHECK(o.out.find("warning: async mode with 1800 requests needs ") != std::string::npos);
    CHECK(o.out.find("% of the limit of 4096") != std::string::npos);
    CHECK(std::count(o.out.begin(), o.out.end(), '\n') == 1 + 1 + 1800);  // the warning, the header, the rows
}

TEST_CASE("cli: serve prints its URL, answers, and stops cleanly on SIGTERM") {
    int out[2];
    REQUIRE(pipe(out) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    char* argv[] = {const_cast<char*>(FETCHLAB_CLI), const_cast<char*>("serve"), const_cast<char*>("--port"),
                    const_cast<char*>("0"), nullptr};
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, FETCHLAB_CLI, &actions, nullptr, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);

    std::string banner;
    char c;
    while (banner.find('\n') == std::string::npos && read(out[0], &c, 1) == 1) banner += c;
    auto at = banner.find("http://127.0.0.1:");
    REQUIRE(at != std::string::npos);
    std::string origin = banner.substr(at, banner.find('/', at + 7) - at);

    Output o = cli("run --mode sequential --json '" + origin + "/delay?ms=10'");
    CHECK(o.status == 0);

    kill(pid, SIGTERM);
    int raw = 0;
    waitpid(pid, &raw, 0);
    close(out[0]);
    CHECK(WIFEXITED(raw));
    CHECK(WEXITSTATUS(raw) == 0);
}

// ---- what the report says, on a terminal and off it ----

namespace {

// The CLI with one of its outputs (stdout or stderr) on a pseudo-terminal `columns` wide and the
// other thrown away, and COLUMNS unset so the terminal's own width counts. Returns all it wrote
// there, or fails the test after timeout_s.
Output cli_on_terminal(const std::vector<std::string>& args, int terminal_fd, unsigned short columns,
                       double timeout_s) {
    int master = -1, slave = -1;
    winsize ws{};
    ws.ws_col = columns;
    ws.ws_row = 50;
    REQUIRE(openpty(&master, &slave, nullptr, nullptr, &ws) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, slave, terminal_fd);
    posix_spawn_file_actions_addopen(&actions, terminal_fd == STDOUT_FILENO ? STDERR_FILENO : STDOUT_FILENO,
                                     "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&actions, master);
    posix_spawn_file_actions_addclose(&actions, slave);
    std::vector<char*> argv{const_cast<char*>(FETCHLAB_CLI)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> env;
    for (char** e = environ; *e; ++e)
        if (std::string(*e).rfind("COLUMNS=", 0) != 0) env.push_back(*e);
    env.push_back(nullptr);
    pid_t pid = -1;
    REQUIRE(posix_spawn(&pid, FETCHLAB_CLI, &actions, nullptr, argv.data(), env.data()) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(slave);

    Output o;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    for (;;) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            close(master);
            FAIL("still writing after ", timeout_s, " s: ", o.out);
        }
        pollfd p{master, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char buf[4096];
        const ssize_t got = read(master, buf, sizeof buf);
        if (got <= 0) break;  // EIO: the CLI has closed the terminal
        o.out.append(buf, static_cast<std::size_t>(got));
    }
    close(master);
    int raw = 0;
    waitpid(pid, &raw, 0);
    o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    o.out.erase(std::remove(o.out.begin(), o.out.end(), '\r'), o.out.end());  // the terminal's CR LF
    return o;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// A waterfall row of a request that could not connect ends with its error.
bool is_refused_row(const std::string& line) {
    const std::string tail = "x connect refused";
    return line.size() > tail.size() && line.compare(line.size() - tail.size(), tail.size(), tail) == 0;
}

// The row of `table` that starts with `mode`, as its cells (a cell may hold "1.00 s").
std::string row_of(const std::string& table, const std::string& mode) {
    for (const std::string& line : lines_of(table))
        if (line.rfind("  " + mode + " ", 0) == 0) return line;
    return "";
}

}  // namespace

TEST_CASE("cli: the waterfall's request column takes the terminal's width") {
    const std::string origin = "http://127.0.0.1:" + std::to_string(fetchlab::testing::refused_port());
    const std::string label_path = "/a-rather-long-path/that-tells-requests-apart?id=";
    std::string urls;
    for (int i = 1; i <= 3; ++i) urls += " '" + origin + label_path + std::to_string(i) + "'";
    const std::string label = origin.substr(7) + label_path + "2";  // what follows the scheme

    SUBCASE("COLUMNS=160: whole labels, no row wider than the terminal") {
        Output o = cli_raw("COLUMNS=160 LC_ALL=C " + std::string(FETCHLAB_CLI) + " run --mode sequential" + urls +
                           " 2>/dev/null");
        CHECK(o.status == 1);
        CHECK(o.out.find(" " + label + " ") != std::string::npos);
        std::size_t rows = 0;
        for (const std::string& line : lines_of(o.out)) {
            if (!is_refused_row(line)) continue;
            ++rows;
            CHECK(line.size() <= 160);
        }
        CHECK(rows == 3);
    }
    SUBCASE("COLUMNS=80: labels cut to fit, rows within 80") {
        Output o = cli_raw("COLUMNS=80 LC_ALL=C " + std::string(FETCHLAB_CLI) + " run --mode sequential" + urls +
                           " 2>/dev/null");
        CHECK(o.out.find(" " + label + " ") == std::string::npos);
        std::size_t rows = 0;
        for (const std::string& line : lines_of(o.out)) {
            if (!is_refused_row(line)) continue;
            ++rows;
            CHECK(line.size() <= 80);
            CHECK(line.find("~") != std::string::npos);
        }
        CHECK(rows == 3);
    }
    SUBCASE("no COLUMNS: the width of the terminal stdout is on") {
        std::vector<std::string> args{"run", "--mode", "sequential"};
        for (int i = 1; i <= 3; ++i) args.push_back(origin + label_path + std::to_string(i));
        Output o = cli_on_terminal(args, STDOUT_FILENO, 150, 20);
        CHECK(o.status == 1);
        CHECK(o.out.find(" " + label + " ") != std::string::npos);
    }
}

TEST_CASE("cli: on a terminal, run and bench show the run's own progress and the time left") {
    SUBCASE("bench") {
        Output o = cli_on_terminal({"bench", "--mode", "sequential", "--n", "10", "--latency", "100", "--runs", "2",
                                    "--warmup", "0"},
                                   STDERR_FILENO, 120, 30);
        CHECK(o.status == 0);
        CHECK(o.out.find("sequential run 1 of 2: ") != std::string::npos);
        CHECK(o.out.find("sequential run 2 of 2: ") != std::string::npos);
        // Part-way through a run: its own count, and an estimate of what is left.
        bool part_way = false;
        for (int done = 1; done < 10; ++done)
            part_way |= o.out.find(": " + std::to_string(done) + "/10 done") != std::string::npos;
        CHECK(part_way);
        CHECK(o.out.find(" left") != std::string::npos);
    }
    SUBCASE("run") {
        Output o = cli_on_terminal({"run", "--preset", "lab", "--mode", "sequential", "--n", "10", "--latency", "100"},
                                   STDERR_FILENO, 120, 30);
        CHECK(o.status == 0);
        CHECK(o.out.find("sequential: ") != std::string::npos);
        CHECK(o.out.find("/10 done") != std::string::npos);
        CHECK(o.out.find(" left") != std::string::npos);
    }
}

TEST_CASE("cli: run and bench write their figures the same way") {
    // 5 requests of 200 ms one after another: an ideal of 1.00 s in both tables.
    Output run = cli("run --preset lab --mode sequential --n 5 --latency 200 --no-waterfall");
    Output bench = cli("bench --mode sequential --n 5 --latency 200 --runs 1 --warmup 0");
    REQUIRE(run.status == 0);
    REQUIRE(bench.status == 0);
    const std::string seconds = "[0-9]+\\.[0-9]{2} s", ratio = "[0-9]+\\.[0-9]{2}";
    const std::regex run_row("  sequential +- +5 +(" + seconds + ") +1\\.00 s +(" + ratio + ") ");
    const std::regex bench_row("  sequential +- +5 +(" + seconds + ") +(" + seconds + ") +(" + seconds +
                               ") +1\\.00 s +(" + ratio + ") ");
    CHECK_MESSAGE(std::regex_search(row_of(run.out, "sequential"), run_row), run.out);
    CHECK_MESSAGE(std::regex_search(row_of(bench.out, "sequential"), bench_row), bench.out);
}

TEST_CASE("cli: N, K, the latency and the timeout default to the page's, and --help says so") {
    const fetchlab::Settings page;
    for (const char* command : {"run", "bench"}) {
        CAPTURE(command);
        Output help = cli(std::string(command) + " --help");
        CHECK(help.status == 0);
        // CLI11 writes "  -k,--workers INT:INT in [1 - 10000]=6", the help on the next line.
        auto default_of = [&help](const std::string& option) {
            for (const std::string& line : lines_of(help.out)) {
                const auto at = line.find(option), equals = line.rfind('=');
                if (at != std::string::npos && equals != std::string::npos && equals > at)
                    return line.substr(equals + 1, line.find_first_of(" \t", equals) - equals - 1);
            }
            return std::string();
        };
        CHECK(default_of("--n INT") == std::to_string(page.n));
        CHECK(default_of("--workers") == std::to_string(page.workers));
        CHECK(default_of("--latency") == std::to_string(page.latency_ms));
        CHECK(default_of("--timeout") == std::to_string(page.timeout_ms));
        CHECK(help.out.find("the page's default too") != std::string::npos);
    }
    // And the runs themselves use them.
    Output o = cli("run --preset lab --mode pool --latency 0 --json");
    REQUIRE(o.status == 0);
    const auto run = nlohmann::json::parse(o.out)["runs"][0];
    CHECK(run["n"] == page.n);
    CHECK(run["workers"] == page.workers);
    Output b = cli("bench --mode bounded --latency 0 --runs 1 --warmup 0 --json");
    REQUIRE(b.status == 0);
    const auto row = nlohmann::json::parse(b.out)["bench"][0];
    CHECK(row["n"] == page.n);
    CHECK(row["workers"] == page.workers);
}

TEST_CASE("cli: failed requests are a column of their own, and a failed run gets no speedup or wall/ideal") {
    const std::string refused = "http://127.0.0.1:" + std::to_string(fetchlab::testing::refused_port()) + "/";
    Output json = cli("run --mode all --json " + refused + " " + refused + "x");
    CHECK(json.status == 1);
    const nlohmann::json doc = nlohmann::json::parse(json.out);  // kept: the loop reads into it
    CHECK(doc["runs"].size() == 5);
    for (const auto& run : doc["runs"]) {
        CAPTURE(run["mode"]);
        CHECK(run["failed"] == 2);
        CHECK(run["cancelled"] == 0);
        CHECK(run["ok"].get<int>() + run["errors"].get<int>() == run["n"].get<int>());
        CHECK(run["comparable"] == false);
        CHECK(run["speedup"].is_null());
    }
    Output text = cli("run --mode all --no-waterfall " + refused + " " + refused + "x");
    // The wall and the ideal, then no wall/ideal and no speedup; 0 ok, 2 failed, 0 cancelled.
    const std::regex failed_row("^  [a-z]+ +[-0-9]+ +2 +[0-9.]+ m?s +[0-9.]+ m?s +- +- +0 +2 +0 ");
    for (const char* mode : {"sequential", "threads", "async", "pool", "bounded"})
        CHECK_MESSAGE(std::regex_search(row_of(text.out, mode), failed_row), row_of(text.out, mode));
    for (const char* header : {"failed", "cancelled", "started", "on wire"}) CHECK(text.out.find(header) != std::string::npos);
}

TEST_CASE("cli: a cancelled run shows no wall as a result, and its cancelled requests are not failures") {
    Background run({"run", "--preset", "lab", "--n", "100", "--latency", "100", "--mode", "sequential",
                    "--no-waterfall"});
    std::this_thread::sleep_for(std::chrono::seconds(1));
    REQUIRE(kill(run.pid, SIGINT) == 0);
    const int raw = run.wait(8);
    REQUIRE(WIFEXITED(raw));
    CHECK(WEXITSTATUS(raw) == 1);
    const std::string row = row_of(run.out(), "sequential");
    // wall "cancelled", the ideal, no wall/ideal, no speedup, some ok, 0 failed, the rest cancelled.
    const std::regex cancelled_row("  sequential +- +100 +cancelled +10\\.00 s +- +- +([0-9]+) +0 +([0-9]+) ");
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_search(row, m, cancelled_row), run.out());
    CHECK(std::stoi(m[1]) + std::stoi(m[2]) == 100);
    CHECK(std::stoi(m[2]) >= 1);
    CHECK(run.out().find("requests cancelled: the run was stopped before they finished") != std::string::npos);
    CHECK(run.out().find("requests failed") == std::string::npos);
}
