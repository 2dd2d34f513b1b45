// The file plugin's settings, declared once: the table drives validation, the
// JSON Schema in the descriptor and the README's settings table, and fills
// FileOptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sluice/settings_table.hpp>
#include <string>

namespace sluice::file {

struct FileOptions {
  std::string path;
  std::string mode;     // auto | source | sink
  std::string subject;  // empty: the file's path
  bool start_at_end = false;
  bool follow = false;
  uint32_t poll_interval_ms = 0;
  std::string checkpoint;  // empty: <state_dir>/<connector>.checkpoint
  uint32_t checkpoint_interval_ms = 0;
  size_t max_line_bytes = 0;
  size_t max_uncommitted_lines = 0;
  std::string format;  // raw | json
  bool fsync = false;
  size_t batch_bytes = 0;
  uint32_t flush_interval_ms = 0;
  size_t max_pending_bytes = 0;
};

const SettingsTable<FileOptions>& file_settings();

}  // namespace sluice::file
