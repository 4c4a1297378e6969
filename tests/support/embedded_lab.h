#pragma once
// The latency lab on a free loopback port, served on a thread of its own for one test.
#include <cstdint>
#include <string>

#include "lab_server.h"

namespace fetchlab::testing {

struct EmbeddedLab {
    EmbeddedLab() : server(options()) { server.start(); }
    static LabServerOptions options() {
        LabServerOptions o;
        o.port = 0;
        return o;
    }
    std::string origin() const { return server.origins().front(); }
    std::string url(const std::string& query) const { return origin() + "/delay?" + query; }
    std::uint16_t port() const { return server.ports().front(); }
    LabServer server;
};

}  // namespace fetchlab::testing
