#pragma once
// The lab's static files: which file a request names, checked against the web root, and opened
// so it can be streamed rather than read into memory.
#include <boost/beast/http/file_body.hpp>

#include <filesystem>
#include <string>

namespace fetchlab {

struct StaticFile {
    int status = 404;            // 200 found, 403 it leads out of the root, 404 nothing there
    std::filesystem::path path;  // canonical, when found
    const char* type = "";       // its MIME type, by the name asked for
};

// `root` must be canonical; `relative` comes from clean_request_path. Follows every symlink
// and a folder's index.html, and checks the final file, not just the path asked for.
StaticFile find_static_file(const std::filesystem::path& root, const std::string& relative);

// Opens what find_static_file found for streaming, and checks again what was opened: 200 when
// `body` holds it; 403 when it has come to lead out of `root` (a symlink swapped in since the
// check); 404 when it is gone or no longer a regular file; 503 when the lab is out of descriptors.
int open_static_file(const std::filesystem::path& root, const std::filesystem::path& path,
                     boost::beast::http::file_body::value_type& body);

}  // namespace fetchlab
