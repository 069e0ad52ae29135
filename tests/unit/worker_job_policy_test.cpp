// Which timeout and retry limit apply: job fields beat the class override beat the queue.
#include "worker/job_policy.hpp"

#include <gtest/gtest.h>

namespace onyx::worker {
namespace {

config::Config config_with_mail_queue() {
    config::Config config;
    auto& mail = config.queue_settings["mail"];
    mail.retries = 2;
    mail.backoff_base_ms = 1000;
    mail.backoff_cap_ms = 10000;
    mail.backoff_jitter = 0;
    mail.timeout_ms = 3000;
    return config;
}

protocol::ClaimedJob job_on(std::string queue, uint32_t failed_before = 0) {
    protocol::ClaimedJob job;
    job.queue = std::move(queue);
    job.failed_before = failed_before;
    return job;
}

TEST(JobPolicy, TimeoutJobBeatsClassBeatsQueue) {
    const auto config = config_with_mail_queue();
    plugins::JobClass plain{}, slow{}, unlimited{};
    slow.timeout_ms = 9000;
    unlimited.timeout_ms = -1;
    auto job = job_on("mail");
    EXPECT_EQ(timeout_for(config, job, plain), 3000);
    EXPECT_EQ(timeout_for(config, job, slow), 9000);
    EXPECT_EQ(timeout_for(config, job, unlimited), 0);
    job.timeout_ms = 500;
    EXPECT_EQ(timeout_for(config, job, slow), 500);
    EXPECT_EQ(timeout_for(config, job_on("other"), plain), 0) << "the default queue has no timeout";
}

TEST(JobPolicy, RetryUsesTheQueuePolicyUntilItsLimit) {
    const auto config = config_with_mail_queue();
    plugins::JobClass plain{};
    EXPECT_EQ(retry_time(config, job_on("mail", 0), &plain, "E", 100, 0.0), 1100);
    EXPECT_EQ(retry_time(config, job_on("mail", 1), &plain, "E", 100, 0.0), 2100);
    EXPECT_EQ(retry_time(config, job_on("mail", 2), &plain, "E", 100, 0.0), std::nullopt) << "2 retries used";
}

TEST(JobPolicy, RetryLimitJobBeatsClassBeatsQueue) {
    const auto config = config_with_mail_queue();
    plugins::JobClass never{}, five{};
    never.retry_limit = -1;
    five.retry_limit = 5;
    EXPECT_EQ(retry_time(config, job_on("mail", 0), &never, "E", 0, 0.0), std::nullopt);
    EXPECT_TRUE(retry_time(config, job_on("mail", 4), &five, "E", 0, 0.0).has_value());
    auto job = job_on("mail", 0);
    job.retry_limit = 0;
    EXPECT_EQ(retry_time(config, job, &five, "E", 0, 0.0), std::nullopt) << "the job's rty wins";
    EXPECT_TRUE(retry_time(config, job_on("mail", 0), nullptr, "UnknownJobClass", 0, 0.0).has_value());
}

TEST(JobPolicy, InvalidArgumentsIsFinalAtOnce) {
    const auto config = config_with_mail_queue();
    EXPECT_EQ(retry_time(config, job_on("mail", 0), nullptr, "InvalidArguments", 0, 0.0), std::nullopt);
}

}  // namespace
}  // namespace onyx::worker
