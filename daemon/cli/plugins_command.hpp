// `onyx-background plugins`: loads the plugin directory the way a worker would and lists the
// job classes it provides, so an operator can check a deployment without starting a worker.
#pragma once

#include "plugins/plugin_registry.hpp"

#include <string>

namespace onyx::cli {

/// Loads every *.so in `plugin_dir` (always non-strict, so every broken file is reported; the
/// other fields of `options`, such as the `[plugin.<name>]` settings, are used as given) and
/// prints the classes to stdout: an aligned table (CLASS, PLUGIN, VERSION, FILE) or, when
/// `json`, one JSON object {"plugin_dir", "classes": [{"class", "plugin", "version", "file"}],
/// "errors": [text]}. Each load error also goes to stderr as "error: <text>". Returns 0 when
/// every file loaded, 1 when a file failed or the directory could not be read.
/// Main thread only: it loads and unloads plugins (their init and fini run).
int run_plugins_command(const std::string& plugin_dir, const onyx::plugins::LoadOptions& options, bool json);

}  // namespace onyx::cli
