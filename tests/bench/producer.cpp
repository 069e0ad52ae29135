// onyx_bench_producer: enqueues N jobs with onyx_background::Client::enqueue_many and prints
// one JSON line: {"n":..,"seconds":..,"rate":..}. Timing starts after the connection is made
// and the requests are built, so it measures the pipelined writes only.
//   onyx_bench_producer <redis-url> <n> [class] [args-json] [queue] [namespace]
#include <onyx_background/client.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <redis-url> <n> [class] [args-json] [queue] [namespace]\n", argv[0]);
        return 2;
    }
    onyx_background::ClientOptions options;
    options.redis_url = argv[1];
    if (argc > 6) options.ns = argv[6];
    const long n = std::strtol(argv[2], nullptr, 10);
    onyx_background::JobRequest job;
    job.job_class = argc > 3 ? argv[3] : "Jobs::Noop";
    job.args_json = argc > 4 ? argv[4] : "{}";
    job.queue = argc > 5 ? argv[5] : "default";
    try {
        onyx_background::Client client(options);
        // Batches of 100,000 requests keep the producer's own memory bounded for large N.
        constexpr long kChunk = 100000;
        std::vector<onyx_background::JobRequest> chunk(static_cast<size_t>(std::min(n, kChunk)), job);
        const auto t0 = std::chrono::steady_clock::now();
        for (long done = 0; done < n; done += kChunk) {
            const long m = std::min(kChunk, n - done);
            if (static_cast<long>(chunk.size()) != m) chunk.resize(static_cast<size_t>(m), job);
            client.enqueue_many(chunk);
        }
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("{\"n\": %ld, \"seconds\": %.6f, \"rate\": %.1f}\n", n, s, static_cast<double>(n) / s);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "onyx_bench_producer: %s\n", e.what());
        return 1;
    }
    return 0;
}
