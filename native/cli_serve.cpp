// `fetchlab serve`: the latency lab in the foreground until Ctrl-C or SIGTERM.
#include <signal.h>

#include <iostream>

#include "cli.h"
#include "interrupts.h"

namespace fetchlab::cli {

int serve_command(const LabServerOptions& options) {
    raise_open_file_limit();
    // Blocked before the server thread starts (main() does it first), so only the wait below sees them.
    block_stop_signals();

    std::unique_ptr<LabServer> server;
    try {
        server = std::make_unique<LabServer>(options);
    } catch (const std::exception& e) {
        std::cerr << "fetchlab serve: " << e.what() << "\n";
        return 1;
    }
    const auto origins = server->origins();
    std::cout << "fetchlab latency lab on " << origins.front() << "/";
    if (origins.size() > 1) std::cout << " (and " << origins.size() - 1 << " more ports up to " << origins.back() << ")";
    // The address as bound, not as typed: a wildcard shows as such, and port 0 as the port it got.
    const auto endpoints = server->endpoints();
    std::cout << "\n  listen: " << endpoints.front();
    if (endpoints.size() > 1) std::cout << " .. " << endpoints.back();
    std::cout << ", up to " << server->max_connections() << " connections";
    if (!server->loopback_only())
        std::cout << "\n  warning: not a loopback address, so the lab is reachable from the network: anyone who "
                     "can reach this machine can use it" << (options.web_root.empty() ? "" : " and read --root");
    std::cout << "\n  page:  " << (options.web_root.empty() ? "none (no --root)" : origins.front() + "/")
              << (options.isolation ? "" : "  (without cross-origin isolation)")
              << "\n  try:   curl '" << origins.front() << "/delay?ms=500'"
              << "\n  stop:  Ctrl-C" << std::endl;
    server->start();

    const int received = wait_for_stop_signal();
    std::cout << "\nfetchlab serve: " << (received == SIGINT ? "interrupted" : "terminated") << ", stopping" << std::endl;
    server->stop();
    server.reset();
    return 0;
}

}  // namespace fetchlab::cli
