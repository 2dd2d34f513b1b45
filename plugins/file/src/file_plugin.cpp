// The `file` plugin: reads a file line by line (optionally following it,
// with a checkpoint for at-least-once) and appends messages to a file.
// One connector reads or writes: `mode` says which, or `auto` decides from
// whether a route reads from the connector.
#include <memory>
#include <optional>
#include <sluice/plugin.hpp>
#include <string>

#include "file_settings.hpp"
#include "file_sink.hpp"
#include "file_source.hpp"

namespace sluice::file {
namespace {

class FilePlugin : public Plugin {
 public:
  // Subjects are a path, the configured `subject` or, with envelope lines,
  // whatever the file carries: any syntax.
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_ANY;

  FilePlugin(Host host, const FileOptions& options) : Plugin(std::move(host)), options_(options) {
    reads_ = options.mode == "source";
    writes_ = options.mode == "sink";
    sink_ = std::make_unique<FileSink>(this->host(), sink_options(options));
  }

  ~FilePlugin() override {
    source_.reset();
    sink_.reset();
  }

  Status subscribe(std::string_view, std::string&) override {
    subscribed_ = true;
    return Status::kOk;
  }

  Status start(std::string& error) override {
    if (options_.mode == "auto") {
      reads_ = subscribed_;
      writes_ = !subscribed_;
    }
    if (writes_) {
      error = sink_->open();
      if (!error.empty()) return Status::kError;
    }
    if (!reads_) {
      // Nothing to read ever: tell the host so `--exit-when-done` can end.
      host().source_finished();
      return Status::kOk;
    }
    source_ = std::make_unique<FileSource>(host(), source_options(options_));
    return source_->start(error);
  }

  void stop() override {
    if (source_) source_->stop();
  }

  Status publish(const MessageView& message, Completion& completion, std::string& error) override {
    if (reads_) {
      // Appending to the file this connector reads would feed it back in.
      error = "connector '" + std::string(host().connector_name()) + "' reads " + options_.path +
              "; write to it through another connector";
      return Status::kRejected;
    }
    return sink_->publish(message, completion, error);
  }

  void ack_batch(const uint64_t* ack_ids, const sluice_outcome* outcomes, size_t count) override {
    if (source_) source_->ack_batch(ack_ids, outcomes, count);
  }
  void ack(uint64_t ack_id, Outcome outcome) override {
    if (source_) source_->ack(ack_id, outcome);
  }

  Status flush(uint32_t timeout_ms) override { return sink_->flush(timeout_ms); }

  Health health() override {
    if (source_) {
      Health h = source_->health();
      if (!h.healthy) return h;
    }
    return sink_->health();
  }

 private:
  FileSource::Options source_options(const FileOptions& options) const {
    FileSource::Options o;
    o.path = options.path;
    o.subject = options.subject;
    if (o.subject.empty()) o.subject = o.path;
    o.follow = options.follow;
    o.start_at_end = options.start_at_end;
    o.checkpoint_path = options.checkpoint;
    if (o.checkpoint_path.empty())
      o.checkpoint_path = std::string(host().state_dir()) + "/" +
                          std::string(host().connector_name()) + ".checkpoint";
    o.checkpoint_interval_ms = options.checkpoint_interval_ms;
    o.poll_interval_ms = options.poll_interval_ms;
    o.max_line_bytes = options.max_line_bytes;
    o.max_uncommitted_lines = options.max_uncommitted_lines;
    return o;
  }

  static FileSink::Options sink_options(const FileOptions& options) {
    FileSink::Options o;
    o.path = options.path;
    o.format = common::line_io::parse_line_format(options.format);
    o.fsync = options.fsync;
    o.batch_bytes = options.batch_bytes;
    o.flush_interval_ms = options.flush_interval_ms;
    o.max_pending_bytes = options.max_pending_bytes;
    return o;
  }

  FileOptions options_;
  bool subscribed_ = false;
  bool reads_ = false;
  bool writes_ = false;
  std::unique_ptr<FileSource> source_;
  std::unique_ptr<FileSink> sink_;
};

}  // namespace
}  // namespace sluice::file

using sluice::file::FilePlugin;
SLUICE_PLUGIN(FilePlugin, "file", "1.0.0",
              "Reads a file line by line (optionally following it, checkpointed) and appends "
              "messages to a file",
              SLUICE_CAP_SOURCE | SLUICE_CAP_SINK, sluice::file::file_settings)
