#include <doctest/doctest.h>

#include "lab_static.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <vector>

namespace fs = std::filesystem;
using fetchlab::open_static_file;

namespace {

// A web root beside a folder outside it, in a fresh temporary folder; removed afterwards.
struct Tree {
    Tree() {
        base = fs::temp_directory_path() / ("fetchlab-static-" + std::to_string(::getpid()));
        fs::remove_all(base);
        fs::create_directories(base / "root" / "pages");
        fs::create_directories(base / "outside");
        std::ofstream(base / "root" / "pages" / "a.html") << "inside";
        std::ofstream(base / "outside" / "a.html") << "secret";
        root = fs::canonical(base / "root");
    }
    ~Tree() { fs::remove_all(base); }
    fs::path base, root;
};

}  // namespace

TEST_CASE("static files: a folder swapped for a symlink out of the root after the check is refused at open") {
    Tree t;
    boost::beast::http::file_body::value_type body;
    // What find_static_file checked: root/pages/a.html, a regular file inside the root.
    const fs::path checked = t.root / "pages" / "a.html";
    CHECK(open_static_file(t.root, checked, body) == 200);
    body.close();
    // Then someone with write access to the root swaps the folder for a link to the outside.
    fs::remove_all(t.root / "pages");
    fs::create_directory_symlink(t.base / "outside", t.root / "pages");
    CHECK(open_static_file(t.root, checked, body) == 403);
    CHECK_FALSE(body.is_open());
    fs::remove(t.root / "pages");
    CHECK(open_static_file(t.root, checked, body) == 404);
}

TEST_CASE("static files: out of descriptors is a 503, not a 404") {
    Tree t;
    const fs::path file = t.root / "pages" / "a.html";
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    std::vector<int> filler;
    for (int fd; (fd = ::dup(STDERR_FILENO)) >= 0;) filler.push_back(fd);
    const int full_errno = errno;
    boost::beast::http::file_body::value_type body;
    const int status = open_static_file(t.root, file, body);
    for (int fd : filler) ::close(fd);
    CHECK(full_errno == EMFILE);
    CHECK(status == 503);
}
