// The stdio plugin's settings, declared once: the table drives validation,
// the JSON Schema in the descriptor and the README's settings table, and
// fills StdioOptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sluice/settings_table.hpp>
#include <string>

namespace sluice::stdio {

struct StdioOptions {
  std::string mode;     // auto | source | sink | both
  std::string subject;  // of the messages read from stdin
  size_t max_line_bytes = 0;
  std::string format;  // raw | json
  size_t batch_bytes = 0;
  uint32_t flush_interval_ms = 0;
  size_t max_pending_bytes = 0;
};

const SettingsTable<StdioOptions>& stdio_settings();

}  // namespace sluice::stdio
