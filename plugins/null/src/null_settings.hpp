// The null plugin's settings, declared once: they drive validation, the JSON
// Schema in the descriptor and the README's settings table.
#pragma once

#include <sluice/settings.hpp>

namespace sluice::null_sink {

const SettingsSpec& null_settings();

}  // namespace sluice::null_sink
