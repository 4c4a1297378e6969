// The page's query string, one "key=value" at a time: what each sets, and what it refuses.
#include <doctest/doctest.h>

#include "query_settings.h"

using namespace fetchlab;

namespace {

// Applies the arguments in order; returns their problems, one line each.
std::string apply(Settings& s, std::initializer_list<const char*> arguments, bool* autorun = nullptr) {
    std::string problems;
    for (const char* a : arguments) {
        const QueryArgument r = apply_query_argument(s, a);
        if (autorun) *autorun |= r.autorun;
        if (!r.problem.empty()) problems += r.problem + "\n";
    }
    return problems;
}

}  // namespace

TEST_CASE("query settings: the page's example query sets every setting it names") {
    Settings s;
    bool autorun = false;
    CHECK(apply(s, {"mode=bounded", "preset=lab", "n=10", "latency=250", "origins=2", "workers=4", "timeout=900",
                    "autorun=1"},
                &autorun) == "");
    CHECK(s.mode == Mode::bounded);
    CHECK_FALSE(s.all_modes);
    CHECK(s.preset == Preset::lab);
    CHECK(s.n == 10);
    CHECK(s.latency_ms == 250);
    CHECK(s.origins == 2);
    CHECK(s.workers == 4);
    CHECK(s.timeout_ms == 900);
    CHECK(autorun);
}

TEST_CASE("query settings: mode=all runs every mode, and a named mode after it runs only that one") {
    Settings s;
    CHECK(apply(s, {"mode=all"}) == "");
    CHECK(s.all_modes);
    CHECK(apply(s, {"mode=threads"}) == "");
    CHECK_FALSE(s.all_modes);
    CHECK(s.mode == Mode::threads);
}

TEST_CASE("query settings: a bad word changes nothing and names the words that work") {
    Settings s;
    s.mode = Mode::pool;
    s.all_modes = true;
    s.preset = Preset::lab;
    CHECK(apply(s, {"mode=fast"}) == "unknown mode 'fast' (use sequential, threads, async, pool, bounded, all)\n");
    CHECK(apply(s, {"preset=big"}) == "unknown preset 'big' (use seed, lab, flaky or urls)\n");
    CHECK(s.mode == Mode::pool);
    CHECK(s.all_modes);
    CHECK(s.preset == Preset::lab);
    CHECK(apply(s, {"preset=flaky"}).empty());
    CHECK(s.preset == Preset::flaky);
    CHECK(apply(s, {"colour=red"}).find("unknown setting 'colour' (use mode, preset,") == 0);
    CHECK(apply(s, {"n"}) == "'n' is not key=value\n");
}

TEST_CASE("query settings: numbers are whole, and clamped into their bounds with a reason") {
    Settings s;
    SUBCASE("not a number leaves the setting as it was") {
        for (const char* a : {"n=", "n=ten", "n=12abc", "n=1.5", "n= 5", "n=-", "n=0x10", "n=+3"}) {
            CAPTURE(a);
            CHECK(apply(s, {a}).find("n must be a whole number") == 0);
            CHECK(s.n == Settings{}.n);
        }
    }
    SUBCASE("too small or too large is clamped, and said") {
        CHECK(apply(s, {"n=0"}) == "n must be from 1 to 10000: using 1 instead of 0\n");
        CHECK(s.n == 1);
        CHECK(apply(s, {"latency=-5"}) == "latency must be from 0 to 10000: using 0 instead of -5\n");
        CHECK(s.latency_ms == 0);
        CHECK(apply(s, {"workers=100000"}) == "workers must be from 1 to 256: using 256 instead of 100000\n");
        CHECK(s.workers == 256);
        CHECK(apply(s, {"origins=65"}) != "");
        CHECK(s.origins == 64);
    }
    SUBCASE("past every integer type is clamped too, never wrapped") {
        // atoi wrapped this one to a negative N; strtoll saturates and the clamp says so.
        CHECK(apply(s, {"timeout=99999999999999999999999999999"}).find("timeout must be from 1 to 600000: using 600000") == 0);
        CHECK(s.timeout_ms == 600000);
        CHECK(apply(s, {"n=-99999999999999999999999999999"}).find("using 1 instead of") != std::string::npos);
        CHECK(s.n == 1);
        CHECK(apply(s, {"n=4294967297"}) != "");  // 2^32 + 1: an int cast would make it 1
        CHECK(s.n == 10000);
    }
    SUBCASE("leading zeros are still the number") {
        CHECK(apply(s, {"n=007"}) == "");
        CHECK(s.n == 7);
    }
}

TEST_CASE("query settings: each url= adds one line to the list, and only one") {
    Settings s;
    CHECK(apply(s, {"url=http://127.0.0.1:8080/delay?ms=1&id=a", "url=http://127.0.0.1:8080/a=b"}) == "");
    CHECK(s.urls_text == "http://127.0.0.1:8080/delay?ms=1&id=a\nhttp://127.0.0.1:8080/a=b\n");
    CHECK(apply(s, {"url=http://127.0.0.1/\nhttp://127.0.0.1/x", "url="}) ==
          "url must be one non-empty line\nurl must be one non-empty line\n");
    CHECK(s.urls_text == "http://127.0.0.1:8080/delay?ms=1&id=a\nhttp://127.0.0.1:8080/a=b\n");
}

TEST_CASE("query settings: autorun is 0 or 1") {
    Settings s;
    bool autorun = false;
    CHECK(apply(s, {"autorun=0"}, &autorun) == "");
    CHECK_FALSE(autorun);
    CHECK(apply(s, {"autorun=yes"}, &autorun) == "autorun must be 0 or 1, not 'yes'\n");
    CHECK_FALSE(autorun);
}

TEST_CASE("query settings: a hostile key or value is echoed short and printable") {
    Settings s;
    const std::string problem = apply_query_argument(s, std::string(1000, 'k') + "=" + std::string(5000, 'x')).problem;
    CHECK(problem.size() < 160);
    const std::string control = apply_query_argument(s, std::string("mode=a\x01\x1b[2J")).problem;
    CHECK(control == "unknown mode 'a??[2J' (use sequential, threads, async, pool, bounded, all)");
}
