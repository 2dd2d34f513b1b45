#include "file_settings.hpp"

namespace sluice::file {

const SettingsSpec& file_settings() {
  static const SettingsSpec spec{
      Setting::string("path").require().doc("The file to read (source) or append to (sink)."),
      Setting::string("mode")
          .def("\"auto\"")
          .one_of({"auto", "source", "sink"})
          .doc("`source` reads the file, `sink` appends to it; `auto` reads only when a route "
               "reads from this connector."),
      Setting::string("subject").def("\"\"").doc(
          "Subject of emitted lines; empty = the file's path."),
      Setting::string("start_at")
          .def("\"beginning\"")
          .one_of({"beginning", "end"})
          .doc("Where reading starts when there is no checkpoint yet."),
      Setting::boolean("follow").def("false").doc(
          "Keep reading appended lines like `tail -F`, across truncation and rotation; when "
          "false the source finishes at the end of the file."),
      Setting::integer("poll_interval_ms")
          .def("250")
          .min(10)
          .max(60000)
          .doc("How often a followed file is checked for new data, truncation and rotation."),
      Setting::string("checkpoint")
          .def("\"\"")
          .doc("Checkpoint file; empty = `<state_dir>/<connector>.checkpoint`."),
      Setting::integer("checkpoint_interval_ms")
          .def("1000")
          .min(10)
          .max(600000)
          .doc("How often the checkpoint is written while reading (also on stop)."),
      Setting::integer("max_line_bytes")
          .def("1048576")
          .min(16)
          .max(1 << 30)
          .doc("Longer lines are skipped with a warning and counted."),
      Setting::integer("max_uncommitted_lines")
          .def("100000")
          .min(100)
          .doc("Reading pauses while this many lines are not yet behind the checkpoint (bounds "
               "memory when a NACKed line holds it back)."),
      Setting::string("format")
          .def("\"raw\"")
          .one_of({"raw", "json"})
          .doc("Sink: `raw` writes the payload and a newline; `json` writes an object with "
               "subject, key, headers, timestamp and payload."),
      Setting::boolean("fsync").def("false").doc(
          "Sink: complete a message only after its batch was fsynced (slower, survives power "
          "loss)."),
      Setting::integer("batch_bytes")
          .def("65536")
          .min(1)
          .doc("Sink: write as soon as this many bytes are buffered."),
      Setting::integer("flush_interval_ms")
          .def("100")
          .min(1)
          .max(60000)
          .doc("Sink: the longest a message waits in the buffer before it is written."),
      Setting::integer("max_pending_bytes")
          .def("8388608")
          .min(1024)
          .doc("Sink: beyond this many unwritten bytes publish answers BUSY (backpressure)."),
  };
  return spec;
}

}  // namespace sluice::file
