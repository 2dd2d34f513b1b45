// The generate plugin's settings, declared once: they drive validation, the
// JSON Schema in the descriptor and the README's settings table.
#pragma once

#include <sluice/settings.hpp>

namespace sluice::generate {

const SettingsSpec& generate_settings();

}  // namespace sluice::generate
