// An out-of-tree sluice plugin: a sink that appends each message's payload,
// upper-cased, as one line to a file. Small on purpose; the parts every
// plugin has are a settings table, a class and the SLUICE_PLUGIN line.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>

namespace {

struct TemplateOptions {
  std::string path;
};

// Declared once, each setting bound to the field it fills: drives validation
// (`sluice check`), the JSON Schema that `sluice plugins --json` shows, the
// README's settings table, and the options the constructor gets.
const sluice::SettingsTable<TemplateOptions>& template_settings() {
  static const sluice::SettingsTable<TemplateOptions> table{
      sluice::field(&TemplateOptions::path, "path")
          .require()
          .doc("File that the upper-cased payloads are appended to, one per line"),
  };
  return table;
}

class UpperCaseFileSink : public sluice::Plugin {
 public:
  UpperCaseFileSink(sluice::Host host, const TemplateOptions& options)
      : Plugin(std::move(host)),
        path_(options.path),
        lines_written_(this->host().counter("lines_written_total", "Lines appended to the file")) {}

  ~UpperCaseFileSink() override {
    if (file_) std::fclose(file_);
  }

  sluice::Status start(std::string& error) override {
    file_ = std::fopen(path_.c_str(), "a");
    if (!file_) {
      error = "cannot open " + path_ + " for appending: " + std::strerror(errno);
      return sluice::Status::kError;
    }
    host().logf(sluice::LogLevel::kInfo, "appending upper-cased payloads to %s", path_.c_str());
    return sluice::Status::kOk;
  }

  // Worker threads call this concurrently, hence the mutex. A line is
  // confirmed (completed) only once it reached the kernel, which is what
  // lets the source acknowledge the message.
  sluice::Status publish(const sluice::MessageView& message, sluice::Completion& completion,
                         std::string& error) override {
    std::string line(message.payload());
    std::transform(line.begin(), line.end(), line.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    line += '\n';
    {
      std::lock_guard lock(mutex_);
      if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
          std::fflush(file_) != 0) {
        error = "cannot write to " + path_ + ": " + std::strerror(errno);
        return sluice::Status::kError;
      }
    }
    lines_written_.add();
    completion.ok();
    return sluice::Status::kOk;
  }

 private:
  std::string path_;
  sluice::Metric lines_written_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace

SLUICE_PLUGIN(UpperCaseFileSink, "template", "0.1.0",
              "Appends message payloads, upper-cased, to a file", SLUICE_CAP_SINK,
              template_settings)
