// Benchmark, not a test: the floor this machine puts under fetchlab's async and threads modes.
// The same N requests of L ms to a running lab, with no HTTP library at all: plain sockets, as few
// system calls as a request can take. What fetchlab bench measures above these figures is
// fetchlab's and libcurl's own cost; what these take above the ideal is the machine's.
//   build/native/socket_floor async|threads N LATENCY_MS PORT [STACK_KIB]
// async:   one thread, non-blocking sockets and epoll: connect, send at once, read the answers.
// threads: a thread per request, each a blocking connect, send and read.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

sockaddr_in lab_address(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    return a;
}

std::string request_text(int latency_ms, int i) {
    return "GET /delay?ms=" + std::to_string(latency_ms) + "&id=" + std::to_string(i) +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

bool send_all(int fd, const std::string& text) {
    return send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

// Reads until the lab closes the connection (it closes after each delayed answer).
void read_to_close(int fd) {
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {
    }
}

struct Figures {
    double last_sent = 0, wall = 0;
    int failed = 0;
};

Figures run_async(int n, int latency_ms, int port) {
    const sockaddr_in addr = lab_address(port);
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    Figures f;
    std::vector<std::string> pending(n);  // requests whose connection was not up at once
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0 && errno != EINPROGRESS)) {
            ++f.failed;
            if (fd >= 0) close(fd);
            continue;
        }
        // On loopback the connection is usually up by now: the request goes out at once.
        const std::string text = request_text(latency_ms, i);
        epoll_event ev{};
        ev.data.fd = fd;
        if (send_all(fd, text)) {
            ev.events = EPOLLIN;
        } else {
            ev.events = EPOLLOUT;
            if (static_cast<std::size_t>(fd) >= pending.size()) pending.resize(fd + 1);
            pending[fd] = text;
        }
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    f.last_sent = seconds_since(t0);
    int left = n - f.failed;
    epoll_event events[256];
    char buf[4096];
    while (left > 0) {
        const int ready = epoll_wait(ep, events, 256, 120000);
        if (ready <= 0) break;
        for (int k = 0; k < ready; ++k) {
            const int fd = events[k].data.fd;
            if (events[k].events & EPOLLOUT) {
                send_all(fd, pending[fd]);
                f.last_sent = std::max(f.last_sent, seconds_since(t0));
                epoll_event ev{};
                ev.events = EPOLLIN;
                ev.data.fd = fd;
                epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
                continue;
            }
            if (read(fd, buf, sizeof buf) > 0) continue;  // the rest of the answer, or its close
            close(fd);  // also leaves the epoll set
            --left;
        }
    }
    f.wall = seconds_since(t0);
    f.failed += left;
    close(ep);
    return f;
}

struct ThreadArgs {
    int i, latency_ms, port;
    Clock::time_point t0;
    std::atomic<double>* last_sent;
    std::atomic<int>* failed;
};

void* one_request(void* p) {
    const auto* a = static_cast<ThreadArgs*>(p);
    const sockaddr_in addr = lab_address(a->port);
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0 ||
        !send_all(fd, request_text(a->latency_ms, a->i))) {
        a->failed->fetch_add(1);
    } else {
        const double sent = seconds_since(a->t0);
        double seen = a->last_sent->load();
        while (sent > seen && !a->last_sent->compare_exchange_weak(seen, sent)) {
        }
        read_to_close(fd);
    }
    if (fd >= 0) close(fd);
    return nullptr;
}

Figures run_threads(int n, int latency_ms, int port, std::size_t stack_kib) {
    std::atomic<double> last_sent{0};
    std::atomic<int> failed{0};
    std::vector<ThreadArgs> args(n);
    std::vector<pthread_t> threads(n);
    std::vector<bool> started(n, false);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (stack_kib > 0) pthread_attr_setstacksize(&attr, stack_kib * 1024);
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        args[i] = {i, latency_ms, port, t0, &last_sent, &failed};
        started[i] = pthread_create(&threads[i], &attr, one_request, &args[i]) == 0;
        if (!started[i]) failed.fetch_add(1);
    }
    for (int i = 0; i < n; ++i)
        if (started[i]) pthread_join(threads[i], nullptr);
    pthread_attr_destroy(&attr);
    return {last_sent.load(), seconds_since(t0), failed.load()};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5 || (std::strcmp(argv[1], "async") != 0 && std::strcmp(argv[1], "threads") != 0)) {
        std::fprintf(stderr, "usage: %s async|threads N LATENCY_MS PORT [STACK_KIB]\n", argv[0]);
        return 2;
    }
    const bool async = std::strcmp(argv[1], "async") == 0;
    const int n = std::atoi(argv[2]), latency_ms = std::atoi(argv[3]), port = std::atoi(argv[4]);
    const std::size_t stack_kib = argc > 5 ? std::strtoul(argv[5], nullptr, 10) : 256;
    rlimit files{};  // a socket per request
    if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    const Figures f = async ? run_async(n, latency_ms, port) : run_threads(n, latency_ms, port, stack_kib);
    const double ideal = latency_ms / 1000.0;
    std::printf("%s floor, %d x %d ms%s: last request sent after %.1f ms, wall %.3f s = %.2f x ideal, %d failed\n",
                async ? "async" : "threads", n, latency_ms,
                async ? "" : (", " + std::to_string(stack_kib) + " KiB stacks").c_str(), f.last_sent * 1000, f.wall,
                ideal > 0 ? f.wall / ideal : 0.0, f.failed);
    return f.failed == 0 ? 0 : 1;
}
