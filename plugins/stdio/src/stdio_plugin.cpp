// The `stdio` plugin: reads standard input one message per line and writes
// messages to standard output, raw or as JSON lines. Handy for pipelines
// (`producer | sluice run | consumer`), debugging and tests.
#include <unistd.h>

#include <memory>
#include <sluice/common/line_io/batch_writer.hpp>
#include <sluice/common/line_io/line_format.hpp>
#include <sluice/common/line_io/tail_repair.hpp>
#include <sluice/plugin.hpp>
#include <string>

#include "stdin_source.hpp"
#include "stdio_settings.hpp"

namespace sluice::stdio {
namespace {

class StdioPlugin : public Plugin {
 public:
  // Subjects are the configured `subject` or, with envelope lines, whatever
  // the input carries: any syntax.
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_ANY;

  StdioPlugin(Host host, const StdioOptions& options) : Plugin(std::move(host)), options_(options) {
    format_ = common::line_io::parse_line_format(options.format);
    messages_ = this->host().counter("sink_messages_total", "Messages written to stdout");
    torn_lines_cut_ = this->host().counter(
        "sink_torn_lines_cut_total",
        "Half-written last lines (left by a crash) cut off stdout's file at start");
  }

  ~StdioPlugin() override {
    source_.reset();
    writer_.reset();  // writes what is buffered and completes it
  }

  Status subscribe(std::string_view, std::string&) override {
    subscribed_ = true;
    return Status::kOk;
  }

  Status start(std::string& error) override {
    const std::string& mode = options_.mode;
    bool reads = mode == "source" || mode == "both" || (mode == "auto" && subscribed_);
    common::line_io::BatchWriter::Options o;
    o.batch_bytes = options_.batch_bytes;
    o.flush_interval_ms = options_.flush_interval_ms;
    o.max_pending_bytes = options_.max_pending_bytes;
    o.name = "stdout";
    if (mode != "source") repair_stdout();  // a `mode: auto` connector may be written to
    writer_ = std::make_unique<common::line_io::BatchWriter>(
        STDOUT_FILENO, o, [this](const std::string& e) { host().log(LogLevel::kError, e); });
    if (!reads) {
      host().source_finished();
      return Status::kOk;
    }
    StdinSource::Options so;
    so.subject = options_.subject;
    so.max_line_bytes = options_.max_line_bytes;
    source_ = std::make_unique<StdinSource>(host(), so);
    return source_->start(error);
  }

  void stop() override {
    if (source_) source_->stop();
  }

  Status publish(const MessageView& message, Completion& completion, std::string& error) override {
    if (!writer_) {
      error = "not started";
      return Status::kError;
    }
    if (!writer_->append(
            [&](std::string& out) { common::line_io::append_line(out, message, format_); },
            completion))
      return Status::kBusy;
    messages_.add();
    return Status::kOk;
  }

  void ack(uint64_t ack_id, Outcome outcome) override {
    if (source_) source_->ack(ack_id, outcome);
  }

  Status flush(uint32_t timeout_ms) override {
    if (!writer_) return Status::kOk;
    return writer_->flush(timeout_ms) ? Status::kOk : Status::kTimeout;
  }

  Health health() override {
    if (!writer_) return {};
    std::string error = writer_->last_error();
    if (!error.empty()) return Health{false, error};
    return {};
  }

 private:
  // stdout redirected with `>>` to a file that a crash (kill -9 during a
  // write) left ending in part of a line: cut that part, so the first line
  // written now starts on a line of its own. Pipes and terminals are left
  // alone (the repair only touches regular files opened for appending).
  void repair_stdout() {
    common::line_io::TailRepair repair = common::line_io::cut_unterminated_last_line(STDOUT_FILENO);
    if (!repair.error.empty()) {
      host().log(LogLevel::kWarn,
                 "cannot check whether stdout ends with a half-written line: " + repair.error);
    } else if (repair.bytes_cut > 0) {
      torn_lines_cut_.add();
      host().log(LogLevel::kWarn, common::line_io::describe_repair(repair, "stdout"));
    }
  }

  StdioOptions options_;
  common::line_io::LineFormat format_;
  bool subscribed_ = false;
  Metric messages_;
  Metric torn_lines_cut_;
  std::unique_ptr<common::line_io::BatchWriter> writer_;
  std::unique_ptr<StdinSource> source_;
};

}  // namespace
}  // namespace sluice::stdio

using sluice::stdio::StdioPlugin;
SLUICE_PLUGIN(StdioPlugin, "stdio", "1.0.0",
              "Reads stdin one message per line; writes messages to stdout (raw or JSON lines)",
              SLUICE_CAP_SOURCE | SLUICE_CAP_SINK, sluice::stdio::stdio_settings)
