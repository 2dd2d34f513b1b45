#include "file_settings.hpp"

namespace sluice::file {

const SettingsTable<FileOptions>& file_settings() {
  using O = FileOptions;
  static const SettingsTable<O> table{
      field(&O::path, "path").require().doc("The file to read (source) or append to (sink)."),
      field(&O::mode, "mode")
          .def("auto")
          .one_of({"auto", "source", "sink"})
          .doc("`source` reads the file, `sink` appends to it; `auto` reads only when a route "
               "reads from this connector."),
      field(&O::subject, "subject")
          .def("")
          .doc("Subject of emitted lines; empty = the file's path."),
      choice(&O::start_at_end, "start_at", {{"beginning", false}, {"end", true}})
          .def("beginning")
          .doc("Where reading starts when there is no checkpoint yet."),
      field(&O::follow, "follow")
          .def(false)
          .doc("Keep reading appended lines like `tail -F`, across truncation and rotation; when "
               "false the source finishes at the end of the file."),
      field(&O::poll_interval_ms, "poll_interval_ms")
          .def(250)
          .min(10)
          .max(60000)
          .doc("How often a followed file is checked for new data, truncation and rotation."),
      field(&O::checkpoint, "checkpoint")
          .def("")
          .doc("Checkpoint file; empty = `<state_dir>/<connector>.checkpoint`."),
      field(&O::checkpoint_interval_ms, "checkpoint_interval_ms")
          .def(1000)
          .min(10)
          .max(600000)
          .doc("How often the checkpoint is written while reading (also on stop)."),
      field(&O::max_line_bytes, "max_line_bytes")
          .def(1048576)
          .min(16)
          .max(1 << 30)
          .doc("Longer lines are skipped with a warning and counted."),
      field(&O::max_uncommitted_lines, "max_uncommitted_lines")
          .def(100000)
          .min(100)
          .doc("Reading pauses while this many lines are not yet behind the checkpoint (bounds "
               "memory when a NACKed line holds it back)."),
      field(&O::format, "format")
          .def("raw")
          .one_of({"raw", "json"})
          .doc("Sink: `raw` writes the payload and a newline; `json` writes an object with "
               "subject, key, headers, timestamp and payload."),
      field(&O::fsync, "fsync")
          .def(false)
          .doc("Sink: complete a message only after its batch was fsynced (slower, survives power "
               "loss)."),
      field(&O::batch_bytes, "batch_bytes")
          .def(65536)
          .min(1)
          .doc("Sink: write as soon as this many bytes are buffered."),
      field(&O::flush_interval_ms, "flush_interval_ms")
          .def(100)
          .min(1)
          .max(60000)
          .doc("Sink: the longest a message waits in the buffer before it is written."),
      field(&O::max_pending_bytes, "max_pending_bytes")
          .def(8388608)
          .min(1024)
          .doc("Sink: beyond this many unwritten bytes publish answers BUSY (backpressure)."),
  };
  return table;
}

}  // namespace sluice::file
