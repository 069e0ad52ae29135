// Registers the operator subcommands (status, workers, job, failed, dead, retry, dequeue,
// purge, pause, resume) on the program's CLI11 app. Each reads --config, -r/--redis and
// -n/--namespace like the daemon, and exits with its command's code (docs/cli.md).
#pragma once

namespace CLI {
class App;
}

namespace onyx::cli {

/// Adds the operator subcommands to `app`. Their option storage is owned by the callbacks, so
/// nothing here must outlive app.parse(). A subcommand's callback ends the process with
/// std::exit(code). Main thread only.
void add_operator_commands(CLI::App& app);

}  // namespace onyx::cli
