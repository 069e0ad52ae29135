// Jobs::Fail: always fails, with std::runtime_error and the "message" argument as its text.
#include <onyx_background/job.hpp>

#include <stdexcept>
#include <string>

namespace {

class FailJob : public onyx_background::Job {
public:
    void perform(onyx_background::JobContext&, const rapidjson::Value& args) override {
        std::string_view message = onyx_background::string_arg(args, "message", "Jobs::Fail failed, as asked");
        throw std::runtime_error(std::string(message));
    }
};

}  // namespace

ONYX_BACKGROUND_JOB("Jobs::Fail", FailJob);
