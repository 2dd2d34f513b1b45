// The `generate` plugin: a source of synthetic messages built from
// templates, at a precise rate or as fast as the pipeline takes them. For
// demos, load tests and benchmarks (e.g. vehicle-tracking events for 1,000
// devices) without a real producer.
#include <atomic>
#include <cctype>
#include <chrono>
#include <optional>
#include <random>
#include <sluice/common/line_io/emit_retry.hpp>
#include <sluice/common/line_io/stop_signal.hpp>
#include <sluice/plugin.hpp>
#include <string>
#include <thread>
#include <vector>

#include "generate_settings.hpp"
#include "pacer.hpp"
#include "template.hpp"

namespace sluice::generate {
namespace {

// The compiled templates of one connector.
struct Templates {
  std::vector<std::string> var_names;
  std::vector<Template> vars;
  Template payload, subject, key;
  bool has_key = false;

  static Templates compile(const GenerateOptions& options) {
    Templates t;
    for (const auto& [name, value] : options.vars) {
      std::string n(name);
      if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_') ||
          n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
              std::string::npos)
        throw ConfigError("vars: '" + n + "' is not a valid name (letters, digits, _)");
      if (is_builtin_placeholder(n))
        throw ConfigError("vars: '" + n + "' is a built-in placeholder; choose another name");
      if (!value.is_string()) throw ConfigError("vars: '" + n + "' must be a string template");
      // A variable may use the ones declared before it.
      t.vars.push_back(Template::compile(value.get_string(), t.var_names, "vars." + n));
      t.var_names.push_back(n);
    }
    t.payload = Template::compile(options.payload, t.var_names, "payload");
    t.subject = Template::compile(options.subject, t.var_names, "subject");
    t.has_key = !options.key.empty();
    t.key = Template::compile(options.key, t.var_names, "key");
    return t;
  }
};

class GeneratePlugin : public Plugin {
 public:
  // Subjects come from the user's template: any syntax.
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_ANY;

  GeneratePlugin(Host host, const GenerateOptions& options)
      : Plugin(std::move(host)),
        templates_(Templates::compile(options)),
        count_(options.count),
        rate_(options.rate),
        seed_(options.seed) {
    emitted_ = this->host().counter("messages_total", "Messages generated and accepted");
    nacks_ = this->host().counter("nacks_total", "Generated messages that were not delivered");
  }

  // Config checks beyond the table, for `sluice check`.
  static void validate(const GenerateOptions& options, std::vector<std::string>& errors) {
    try {
      Templates::compile(options);
    } catch (const std::exception& e) {
      errors.emplace_back(e.what());
    }
  }

  ~GeneratePlugin() override { stop(); }

  Status start(std::string&) override {
    generator_ = std::thread([this] { run(); });
    return Status::kOk;
  }

  void stop() override {
    stop_.request();
    if (generator_.joinable()) generator_.join();
  }

  void ack(uint64_t, Outcome outcome) override {
    if (outcome == Outcome::kNack) nacks_.add();  // synthetic: nothing to redeliver
  }

 private:
  void run() {
    std::mt19937_64 rng(seed_ ? seed_ : std::random_device{}());
    std::vector<std::string> var_values(templates_.vars.size());
    std::string payload, subject, key;
    std::optional<Pacer> pacer;
    if (rate_ > 0) pacer.emplace(rate_, Pacer::Clock::now());
    for (uint64_t n = 0; count_ == 0 || n < count_; ++n) {
      if (pacer) {
        while (!pacer->ready(n, Pacer::Clock::now()) && !stop_.requested())
          stop_.sleep_until(pacer->due(n));
      }
      if (stop_.requested()) return;
      RenderContext context;
      context.counter = n + 1;
      context.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      context.rng = &rng;
      context.vars = &var_values;
      for (size_t i = 0; i < templates_.vars.size(); ++i) {
        var_values[i].clear();
        templates_.vars[i].render(var_values[i], context);
      }
      payload.clear();
      subject.clear();
      templates_.payload.render(payload, context);
      templates_.subject.render(subject, context);
      sluice_message message = common::line_io::simple_message(payload, subject);
      if (templates_.has_key) {
        key.clear();
        templates_.key.render(key, context);
        message.key = to_bytes(key);
      }
      message.timestamp_ms = context.now_ms;
      Status status = common::line_io::emit_with_retry(host(), message, n, stop_);
      if (status == Status::kOk) {
        emitted_.add();
      } else if (status != Status::kRejected) {
        return;  // closed or stopping
      }
    }
    host().source_finished();
  }

  const Templates templates_;
  const uint64_t count_;
  const double rate_;
  const uint64_t seed_;
  common::line_io::StopSignal stop_;
  std::thread generator_;
  Metric emitted_;
  Metric nacks_;
};

}  // namespace
}  // namespace sluice::generate

using sluice::generate::GeneratePlugin;
SLUICE_PLUGIN(GeneratePlugin, "generate", "1.0.0",
              "Generates synthetic messages from templates, at a fixed rate or as fast as "
              "possible",
              SLUICE_CAP_SOURCE, sluice::generate::generate_settings)
