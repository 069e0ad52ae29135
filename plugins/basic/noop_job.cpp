// Jobs::Noop: does nothing and completes; the job the throughput benchmarks run.
#include <onyx_background/job.hpp>

namespace {

class NoopJob : public onyx_background::Job {
public:
    void perform(onyx_background::JobContext&, const rapidjson::Value&) override {}
};

}  // namespace

ONYX_BACKGROUND_JOB("Jobs::Noop", NoopJob);
