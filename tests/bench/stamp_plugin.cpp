// Jobs::BenchStamp, the latency benchmark's job: records when its handler started.
// Arguments {"t": <us>} (the producer's send time, or the due time for scheduled jobs, in
// CLOCK_REALTIME microseconds). The handler appends "<t> <start_us>\n" to the file named by
// the environment variable ONYX_BENCH_STAMPS (opened once, O_APPEND; one write(2) per job).
#include <onyx_background/job.hpp>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace {

int64_t realtime_us() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

int stamp_fd() {
    static const int fd = [] {
        const char* path = std::getenv("ONYX_BENCH_STAMPS");
        return path != nullptr ? ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
    }();
    return fd;
}

class BenchStampJob : public onyx_background::Job {
public:
    void perform(onyx_background::JobContext&, const rapidjson::Value& args) override {
        const int64_t start = realtime_us();
        const int64_t t = args.IsObject() && args.HasMember("t") && args["t"].IsInt64() ? args["t"].GetInt64() : 0;
        char line[64];
        const int len = std::snprintf(line, sizeof line, "%lld %lld\n", static_cast<long long>(t),
                                      static_cast<long long>(start));
        if (stamp_fd() >= 0 && len > 0) (void)!::write(stamp_fd(), line, static_cast<size_t>(len));
    }
};

}  // namespace

ONYX_BACKGROUND_PLUGIN("bench", "1.0");
ONYX_BACKGROUND_JOB("Jobs::BenchStamp", BenchStampJob);
