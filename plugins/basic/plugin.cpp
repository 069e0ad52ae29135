// Names the plugin: its INI section would be [plugin.basic] (it reads none).
#include <onyx_background/job.hpp>

ONYX_BACKGROUND_PLUGIN("basic", "1.0");
