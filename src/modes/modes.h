#pragma once
// The five ways to fetch a workload, each a short function against Fetcher only, so the same
// code runs natively and in the browser (std::thread is a pthread under Emscripten).
#include <thread>
#include <vector>

#include "../fetcher.h"

namespace fetchlab {

// Blocking, on the calling thread: returns when every request has been fetched.
void run_sequential(Fetcher& fetcher);

// Thread modes start their threads on the calling thread and return them; whoever calls joins
// them (Run does, on its runner thread). Starting them from the thread that owns the run matters
// in a browser: there a thread started from another thread waits for the main thread's next turn.
std::vector<std::thread> start_threads(Fetcher& fetcher);
std::vector<std::thread> start_pool(Fetcher& fetcher, int workers);

// Async modes: they start requests and return; completions arrive as the transport is pumped.
void start_async(Fetcher& fetcher);
void start_bounded(Fetcher& fetcher, int window);

}  // namespace fetchlab
