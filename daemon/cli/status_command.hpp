// `onyx-background status [-q Q1,Q2] [--json] [--watch [SECONDS]] [-v]`: the per-queue table
// of status_report.hpp, right-aligned numbers, as JSON for machines, refreshed in place, or
// with a footer (elapsed time, URL, namespace, where the queues and workers came from).
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>

namespace onyx::cli {

/// Options of the status command.
struct StatusOptions {
    bool json = false;                    ///< print one JSON object per snapshot
    bool verbose = false;                 ///< add the footer
    std::optional<double> watch_s;        ///< refresh every N seconds until SIGINT/SIGTERM
    std::optional<std::string> queues;    ///< -q text; nullopt = every known queue
};

/// Prints the status of `config`'s Redis and namespace. Returns 0, or 2 with one stderr line
/// naming the URL (password hidden) and the reason when Redis cannot be reached or -q/--watch
/// is bad. With --watch it returns 0 when interrupted. Main thread only (installs signal handlers
/// with --watch).
int run_status_command(const config::Config& config, const StatusOptions& options);

}  // namespace onyx::cli
