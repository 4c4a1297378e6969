#include "lab_static.h"

#include "lab_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

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

bool open_static_file(const fs::path& path, boost::beast::http::file_body::value_type& body) {
    // The path is canonical, so no component is a symlink unless one was swapped in since:
    // O_NOFOLLOW refuses that for the last one. O_NONBLOCK keeps a FIFO swapped in from
    // blocking the event loop in open(); a regular file ignores it.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return false;
    }
    boost::beast::file file;
    file.native_handle(fd);  // owns it from here
    boost::beast::error_code ec;
    body.reset(std::move(file), ec);
    return !ec;
}

}  // namespace fetchlab
