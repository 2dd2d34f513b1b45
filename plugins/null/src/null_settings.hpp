// The null plugin's settings, declared once: the table drives validation, the
// JSON Schema in the descriptor and the README's settings table, and fills
// NullOptions.
#pragma once

#include <cstdint>
#include <sluice/settings_table.hpp>

namespace sluice::null_sink {

struct NullOptions {
  uint32_t report_interval_ms = 0;  // 0: report only when destroyed
};

const SettingsTable<NullOptions>& null_settings();

}  // namespace sluice::null_sink
