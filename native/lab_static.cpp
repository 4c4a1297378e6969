#include "lab_static.h"

#include "lab_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace fetchlab {

namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& root, const fs::path& file) {
    return std::mismatch(root.begin(), root.end(), file.begin(), file.end()).first == root.end();
}

}  // namespace

StaticFile find_static_file(const fs::path& root, const std::string& relative) {
    // canonical, not a text check: only the resolved path shows where a symlink leads. Each step
    // that can change the file (the path asked for, then a folder's index.html, itself perhaps a
    // symlink) is resolved and checked again.
    std::error_code ec;
    fs::path file = fs::canonical(root / relative, ec);
    if (ec) return {};
    if (!inside(root, file)) return {403, {}, ""};
    std::string name = relative;
    if (fs::is_directory(file, ec)) {
        file = fs::canonical(file / "index.html", ec);
        if (ec) return {};
        if (!inside(root, file)) return {403, {}, ""};
        name = "index.html";
    }
    if (!fs::is_regular_file(file, ec)) return {};
    return {200, file, mime_type_for(name)};
}

int open_static_file(const fs::path& root, const fs::path& path, boost::beast::http::file_body::value_type& body) {
    // O_NOFOLLOW refuses a symlink swapped in for the last component since the check, and
    // O_NONBLOCK keeps a FIFO swapped in from blocking the event loop in open() (a regular file
    // ignores it). A folder swapped for a symlink on the way is caught after the open: what the
    // descriptor really names is checked against the root once more.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno == EMFILE || errno == ENFILE ? 503 : 404;
    std::error_code ec;
    const fs::path opened = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
    struct stat st {};
    if (ec || !inside(root, opened) || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return ec || !inside(root, opened) ? 403 : 404;
    }
    boost::beast::file file;
    file.native_handle(fd);  // owns it from here
    boost::beast::error_code bec;
    body.reset(std::move(file), bec);
    return bec ? 404 : 200;
}

}  // namespace fetchlab
