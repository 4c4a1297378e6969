#pragma once
// The five ways to fetch a workload, each a short function against Fetcher only, so the same
// code runs natively and in the browser (std::thread is a pthread under Emscripten).
#include "../fetcher.h"

namespace fetchlab {

// Blocking modes: they return when every request has been fetched.
void run_sequential(Fetcher& fetcher);
void run_threads(Fetcher& fetcher);
void run_pool(Fetcher& fetcher, int workers);

// Async modes: they start requests and return; completions arrive as the transport is pumped.
void start_async(Fetcher& fetcher);
void start_bounded(Fetcher& fetcher, int window);

}  // namespace fetchlab
