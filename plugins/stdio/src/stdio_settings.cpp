#include "stdio_settings.hpp"

namespace sluice::stdio {

const SettingsSpec& stdio_settings() {
  static const SettingsSpec spec{
      Setting::string("mode")
          .def("\"auto\"")
          .one_of({"auto", "source", "sink", "both"})
          .doc("`source` reads stdin, `sink` writes stdout, `both` does both; `auto` reads stdin "
               "only when a route reads from this connector (the host subscribes it)."),
      Setting::string("subject").def("\"stdin\"").doc("Subject of the messages read from stdin."),
      Setting::integer("max_line_bytes")
          .def("1048576")
          .min(16)
          .max(1 << 30)
          .doc("Longer stdin lines are skipped with a warning and counted."),
      Setting::string("format")
          .def("\"raw\"")
          .one_of({"raw", "json"})
          .doc("`raw` writes the payload and a newline; `json` writes one object per line with "
               "subject, key, headers, timestamp and payload (embedded as JSON when it is JSON, "
               "else as a string)."),
      Setting::integer("batch_bytes")
          .def("65536")
          .min(1)
          .doc("stdout is written as soon as this many bytes are buffered."),
      Setting::integer("flush_interval_ms")
          .def("100")
          .min(1)
          .max(60000)
          .doc("The longest a message waits in the buffer before stdout is written."),
      Setting::integer("max_pending_bytes")
          .def("8388608")
          .min(1024)
          .doc("Beyond this many unwritten bytes publish answers BUSY (backpressure)."),
  };
  return spec;
}

}  // namespace sluice::stdio
