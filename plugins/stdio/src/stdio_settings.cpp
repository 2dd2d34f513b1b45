#include "stdio_settings.hpp"

namespace sluice::stdio {

const SettingsTable<StdioOptions>& stdio_settings() {
  using O = StdioOptions;
  static const SettingsTable<O> table{
      field(&O::mode, "mode")
          .def("auto")
          .one_of({"auto", "source", "sink", "both"})
          .doc("`source` reads stdin, `sink` writes stdout, `both` does both; `auto` reads stdin "
               "only when a route reads from this connector (the host subscribes it)."),
      field(&O::subject, "subject").def("stdin").doc("Subject of the messages read from stdin."),
      field(&O::max_line_bytes, "max_line_bytes")
          .def(1048576)
          .min(16)
          .max(1 << 30)
          .doc("Longer stdin lines are skipped with a warning and counted."),
      field(&O::format, "format")
          .def("raw")
          .one_of({"raw", "json"})
          .doc("`raw` writes the payload and a newline; `json` writes one object per line with "
               "subject, key, headers, timestamp and payload (embedded as JSON when it is JSON, "
               "else as a string)."),
      field(&O::batch_bytes, "batch_bytes")
          .def(65536)
          .min(1)
          .doc("stdout is written as soon as this many bytes are buffered."),
      field(&O::flush_interval_ms, "flush_interval_ms")
          .def(100)
          .min(1)
          .max(60000)
          .doc("The longest a message waits in the buffer before stdout is written."),
      field(&O::max_pending_bytes, "max_pending_bytes")
          .def(8388608)
          .min(1024)
          .doc("Beyond this many unwritten bytes publish answers BUSY (backpressure)."),
  };
  return table;
}

}  // namespace sluice::stdio
