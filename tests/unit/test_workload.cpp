#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "mode.h"
#include "workload.h"

using namespace fetchlab;

TEST_CASE("seed preset: 11 pages adding up to 10.25 s, the slowest 1.3 s") {
    const auto& ms = seed_delays_ms();
    REQUIRE(ms.size() == 11);
    CHECK(std::accumulate(ms.begin(), ms.end(), 0) == 10250);
    CHECK(*std::max_element(ms.begin(), ms.end()) == 1300);
    Workload w = seed_workload({"http://127.0.0.1:8080"});
    REQUIRE(w.size() == 11);
    CHECK(w.requests[0].url == "http://127.0.0.1:8080/seed/1");
    CHECK(w.requests[10].url == "http://127.0.0.1:8080/seed/11");
    CHECK(w.requests[1].expected_s == doctest::Approx(1.3));
}

TEST_CASE("presets spread requests round-robin over the origins") {
    Workload w = lab_workload({"http://a:1", "http://a:2", "http://a:3"}, 7, 200);
    REQUIRE(w.size() == 7);
    CHECK(w.requests[0].url == "http://a:1/delay?ms=200&id=1");
    CHECK(w.requests[1].url == "http://a:2/delay?ms=200&id=2");
    CHECK(w.requests[3].url == "http://a:1/delay?ms=200&id=4");
    CHECK(w.requests[6].expected_s == doctest::Approx(0.2));
    CHECK(w.name == "lab 7 x 200 ms");
    CHECK(lab_workload({"http://a:1"}, 1, 5, 1000).requests[0].url == "http://a:1/delay?ms=5&bytes=1000&id=1");
    CHECK_THROWS_AS(seed_workload({}), std::invalid_argument);
}

TEST_CASE("URL list: one a line, blanks and comments skipped, spaces trimmed") {
    auto urls = parse_url_list("# pages\nhttp://a/\n\n   https://b/x  \r\n  # indented comment\nhttp://c\n");
    REQUIRE(urls.size() == 3);
    CHECK(urls[0] == "http://a/");
    CHECK(urls[1] == "https://b/x");
    CHECK(urls[2] == "http://c");
    Workload w = url_workload(urls);
    CHECK(w.requests[1].label == "b/x");
    CHECK(w.requests[1].expected_s < 0);
    CHECK(w.name == "3 URLs");
}

TEST_CASE("URL list: '#' after a space or tab starts a comment anywhere on a line, not inside a URL") {
    auto urls = parse_url_list("http://a/ # the first page\nhttp://b/page#top\nhttp://c/\t# tabbed\n   # only a comment\n");
    REQUIRE(urls.size() == 3);
    CHECK(urls[0] == "http://a/");
    CHECK(urls[1] == "http://b/page#top");
    CHECK(urls[2] == "http://c/");
}

TEST_CASE("URL list: a NUL byte is refused with its line number") {
    using namespace std::string_literals;
    CHECK_THROWS_WITH_AS(parse_url_list("http://a/\n# fine\nhttp://b/\0x\n"s), "line 3: a NUL byte", std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url_list("\0"s), "line 1: a NUL byte", std::invalid_argument);
}

TEST_CASE("modes: names parse back, and concurrency is 1, n or K") {
    for (Mode m : all_modes()) CHECK(parse_mode(mode_name(m)) == m);
    CHECK_FALSE(parse_mode("fast").has_value());
    CHECK(mode_concurrency(Mode::sequential, 10, 4) == 1);
    CHECK(mode_concurrency(Mode::threads, 10, 4) == 10);
    CHECK(mode_concurrency(Mode::async, 10, 4) == 10);
    CHECK(mode_concurrency(Mode::pool, 10, 4) == 4);
    CHECK(mode_concurrency(Mode::bounded, 3, 4) == 3);
    CHECK(mode_is_blocking(Mode::pool));
    CHECK_FALSE(mode_is_blocking(Mode::bounded));
}

TEST_CASE("display_url: credentials never shown, any bytes printable") {
    CHECK(display_url("http://user:secret@127.0.0.1:8080/x?a=1") == "http://***@127.0.0.1:8080/x?a=1");
    CHECK(display_url("https://token@example.org") == "https://***@example.org");
    CHECK(display_url("//user:pw8@127.0.0.1:8080/health") == "//***@127.0.0.1:8080/health");  // scheme-relative
    CHECK(display_url("http://a:b@c@host/p") == "http://***@host/p");  // curl ends the credentials at the last '@'
    CHECK(display_url("user:pw@host/page") == "***@host/page");        // no scheme: curl guesses http
    CHECK(display_url("http://host/mail@box?to=a@b") == "http://host/mail@box?to=a@b");  // '@' past the authority
    CHECK(display_url("http://127.0.0.1/") == "http://127.0.0.1/");
    CHECK(display_url("http://h/\xff\x01 x") == "http://h/%FF%01%20x");
    CHECK(display_url("http://h/caf\xc3\xa9") == "http://h/caf\xc3\xa9");  // valid UTF-8 stays as it is
    CHECK(display_url("http://h/\xc3") == "http://h/%C3");                 // a cut-off character does not
    CHECK(display_url("http://h/\xed\xa0\x80") == "http://h/%ED%A0%80");   // nor a surrogate
    CHECK(display_text("bad \xff byte\r\n") == "bad ? byte??");
    Workload w = url_workload({"http://user:secret@h/p"});
    CHECK(w.requests[0].label == "***@h/p");
    CHECK(w.requests[0].url == "http://user:secret@h/p");  // still fetched with them
}

TEST_CASE("flaky preset: each fault by request id, the rest with a 10% chance of a 500") {
    Workload w = flaky_workload({"http://a:1", "http://a:2"}, 50, 100);
    REQUIRE(w.size() == 50);
    CHECK(w.name == "flaky 50 x 100 ms");
    auto url = [&w](int id) { return w.requests[static_cast<std::size_t>(id - 1)].url; };
    CHECK(url(1) == "http://a:1/delay?ms=100&fail=10&id=1");
    CHECK(url(2) == "http://a:2/delay?ms=100&fail=10&id=2");
    CHECK(url(5) == "http://a:1/delay?ms=100&bytes=1024&fault=reset&id=5");
    CHECK(url(10) == "http://a:2/delay?ms=100&bytes=1024&fault=close&id=10");
    CHECK(url(15) == "http://a:1/delay?ms=100&bytes=2048&fault=trickle&rate=8192&id=15");
    CHECK(url(20) == "http://a:2/delay?ms=100&fault=garbage&id=20");
    CHECK(url(25) == "http://a:1/delay?ms=100&bytes=1024&fault=truncate&id=25");
    CHECK(url(30) == "http://a:2/delay?ms=100&bytes=1024&fault=reset&id=30");
    CHECK(url(50) == "http://a:2/delay?ms=100&bytes=1024&fault=truncate&id=50");
    CHECK(w.requests[0].expected_s == doctest::Approx(0.1));
    const auto faulty = std::count_if(w.requests.begin(), w.requests.end(),
                                      [](const Request& r) { return r.url.find("fault=") != std::string::npos; });
    CHECK(faulty == 10);  // 5 in every 25
}

TEST_CASE("URL check: an absolute http or https URL with a host passes") {
    for (const char* url : {"http://a/", "https://example.org/x?y=1#z", "HTTP://A", "http://127.0.0.1:8080/delay?ms=5",
                            "http://[::1]:8080/", "http://[::1]", "http://user:pw@host:1/p", "http://h:/",
                            "http://127.0.0.1:1/\xff"}) {
        CAPTURE(url);
        CHECK(url_problem(url) == "");
    }
}

TEST_CASE("URL check: what a browser would resolve against the page, or cannot fetch, is named") {
    struct Case {
        const char* url;
        const char* problem;
    };
    for (const Case& c : {Case{"example.com/x", "not an absolute URL"}, Case{"http//x", "not an absolute URL"},
                          Case{":::", "not an absolute URL"}, Case{"/delay?ms=5", "not an absolute URL"},
                          Case{"example.com:8080/x", "not an absolute URL"}, Case{"", "not an absolute URL"},
                          Case{"ftp://127.0.0.1/file", "the scheme ftp: only http and https"},
                          Case{"http:x", "http: must be followed by // and a host"},
                          Case{"http:///x", "no host"}, Case{"http://user@/x", "no host"},
                          Case{"http://[::1", "an IPv6 address without its closing ]"},
                          Case{"http://[::1]x/", "something other than a port after the IPv6 address"},
                          Case{"http://exa mple.com/", "the host holds a character no host name can"},
                          Case{"http://h:0/", "the port 0: a number from 1 to 65535"},
                          Case{"http://h:65536/", "the port 65536: a number from 1 to 65535"},
                          Case{"http://h:8o/", "the port 8o: a number from 1 to 65535"},
                          Case{"http://h:123456789012345678901234567890/", "the port"}}) {
        CAPTURE(c.url);
        CHECK(url_problem(c.url).find(c.problem) == 0);
    }
}

TEST_CASE("URL list: a URL that fails the check is marked, the others are not") {
    Workload w = url_workload({"http://a/", "example.com/x", "http//x", ":::"});
    CHECK(w.requests[0].url_problem.empty());
    for (std::size_t i = 1; i < 4; ++i) CHECK(w.requests[i].url_problem.find("not an absolute URL") == 0);
    // The presets build their URLs from the lab's origins: nothing to check.
    CHECK(lab_workload({"fake://lab"}, 1, 5).requests[0].url_problem.empty());
}
