// How libcurl's outcomes read as fetchlab's error kinds (no network needed).
#include <doctest/doctest.h>

#include <cerrno>

#include "curl_transport.h"

using namespace fetchlab;

TEST_CASE("curl errors map onto named error kinds") {
    CHECK(error_kind_for(CURLE_OK, 0, false) == ErrorKind::none);
    CHECK(error_kind_for(CURLE_URL_MALFORMAT, 0, false) == ErrorKind::bad_url);
    CHECK(error_kind_for(CURLE_UNSUPPORTED_PROTOCOL, 0, false) == ErrorKind::bad_url);
    CHECK(error_kind_for(CURLE_COULDNT_RESOLVE_HOST, 0, false) == ErrorKind::dns);
    CHECK(error_kind_for(CURLE_COULDNT_CONNECT, ECONNREFUSED, false) == ErrorKind::connect_refused);
    CHECK(error_kind_for(CURLE_COULDNT_CONNECT, EHOSTUNREACH, false) == ErrorKind::network);
    CHECK(error_kind_for(CURLE_OPERATION_TIMEDOUT, 0, false) == ErrorKind::timeout);
    CHECK(error_kind_for(CURLE_FILESIZE_EXCEEDED, 0, false) == ErrorKind::too_large);
    CHECK(error_kind_for(CURLE_WRITE_ERROR, 0, true) == ErrorKind::too_large);
    CHECK(error_kind_for(CURLE_WRITE_ERROR, 0, false) == ErrorKind::network);
    CHECK(error_kind_for(CURLE_ABORTED_BY_CALLBACK, 0, false) == ErrorKind::cancelled);
    CHECK(error_kind_for(CURLE_RECV_ERROR, 0, false) == ErrorKind::network);
    CHECK(error_kind_for(CURLE_PARTIAL_FILE, 0, false, true) == ErrorKind::network);
    CHECK(error_kind_for(CURLE_WEIRD_SERVER_REPLY, 0, false, true) == ErrorKind::protocol);
}

TEST_CASE("curl errors: a refused protocol or a failed allocation after connecting is the server's answer") {
    CHECK(error_kind_for(CURLE_UNSUPPORTED_PROTOCOL, 0, false, true) == ErrorKind::protocol);  // HTTP/0.9 refused
    CHECK(error_kind_for(CURLE_OUT_OF_MEMORY, 0, false, true) == ErrorKind::protocol);         // a giant header
    CHECK(error_kind_for(CURLE_OUT_OF_MEMORY, 0, false, false) == ErrorKind::network);
}
