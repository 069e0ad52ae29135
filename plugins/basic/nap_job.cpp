// Jobs::Nap {"sleep": seconds}: sleeps (fractions allowed) in short steps, so that a timeout or
// a shutdown stops it within one step (it then fails with JobCancelled).
#include <onyx_background/job.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;
constexpr auto kStep = 10ms;       // how late a cancellation may be noticed
constexpr double kMaxSleep = 86400; // a day: beyond that the argument is a mistake

class NapJob : public onyx_background::Job {
public:
    void perform(onyx_background::JobContext& ctx, const rapidjson::Value& args) override {
        double seconds = onyx_background::number_arg(args, "sleep", 0.0);
        if (!(seconds >= 0 && seconds <= kMaxSleep))
            throw onyx_background::InvalidArguments("\"sleep\" must be between 0 and 86400 seconds");
        using Clock = std::chrono::steady_clock;
        auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
        for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
            ctx.throw_if_cancelled();
            std::this_thread::sleep_for(std::min<Clock::duration>(deadline - now, kStep));
        }
        ctx.debug("slept " + std::to_string(seconds) + " s");
    }
};

}  // namespace

ONYX_BACKGROUND_JOB("Jobs::Nap", NapJob);
