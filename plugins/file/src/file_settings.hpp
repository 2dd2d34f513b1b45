// The file plugin's settings, declared once: they drive validation, the JSON Schema
// in the descriptor and the README's settings table.
#pragma once

#include <sluice/settings.hpp>

namespace sluice::file {

const SettingsSpec& file_settings();

}  // namespace sluice::file
