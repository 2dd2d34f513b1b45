// A small, real host for one plugin instance inside a test: it loads the
// plugin's .so through the C ABI, keeps what the plugin emits in a bounded
// queue (so a test can hold messages, answer them in any order, or fill it
// up to force backpressure), records completions, metrics and log lines.
// It lets tests drive the Kafka plugin precisely without the full runtime.
#pragma once

#include <sluice/plugin.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test::kafka {

// A message the plugin emitted, copied.
struct Received {
  std::string payload;
  std::optional<std::string> key;
  std::string subject;
  std::vector<std::pair<std::string, std::string>> headers;
  std::map<std::string, std::string> attributes;
  int64_t timestamp_ms = 0;
  uint64_t ack_id = 0;

  int32_t partition() const { return std::stoi(attributes.at("partition")); }
  int64_t offset() const { return std::stoll(attributes.at("offset")); }
  std::optional<std::string> header(const std::string& name) const;
};

// A message to publish through the plugin.
struct Outgoing {
  std::string payload;
  std::optional<std::string> key;
  std::string subject;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timestamp_ms = 0;
};

struct CompletionResult {
  sluice_status status;
  std::string error;
};

class PluginHost {
 public:
  // Loads `<SLUICE_PLUGIN_DIR>/sluice-<plugin>.so`.
  explicit PluginHost(const std::string& plugin = "kafka", std::string node_id = "test-node");
  ~PluginHost();
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  const sluice_plugin_descriptor& descriptor() const { return *descriptor_; }
  const std::string& node_id() const { return node_id_; }
  const std::string& state_dir() const { return state_dir_; }

  // validate(): "" when valid, else the plugin's error text.
  std::string validate(const std::string& config_json) const;
  // create(): "" on success, else the error text.
  std::string create(const std::string& config_json);
  std::string subscribe(const std::string& pattern);
  std::string start();
  void stop();
  sluice_status flush(uint32_t timeout_ms);
  // health(): healthy flag and message.
  std::pair<bool, std::string> health();
  // Frees the instance (waits for it as destroy does). Idempotent.
  void destroy();

  // Ingress: emit() answers BUSY once `capacity` messages wait unread.
  void set_capacity(size_t capacity);
  // Stops accepting: emit() answers CLOSED.
  void close_ingress();
  std::optional<Received> next(std::chrono::milliseconds timeout);
  // Waits until `count` messages came (or timeout) and returns them.
  std::vector<Received> take(size_t count, std::chrono::milliseconds timeout);
  size_t emitted_total() const;
  size_t busy_answers() const;
  void ack(uint64_t ack_id, sluice_outcome outcome = SLUICE_OUTCOME_ACK);

  // Publishing: returns the status; on SLUICE_OK, *id names the completion.
  sluice_status publish(const Outgoing& message, uint64_t* id, std::string* error = nullptr);
  std::optional<CompletionResult> completion(uint64_t id);
  // Waits until every accepted publish has completed.
  bool wait_completions(std::chrono::milliseconds timeout);
  size_t pending_completions() const;

  double metric(const std::string& name) const;  // 0 when never set
  std::vector<std::string> logs() const;
  bool logged(const std::string& needle) const;

  // Called by the C host functions below.
  sluice_status on_emit(const sluice_message* m, uint64_t ack_id, uint32_t wait_ms);
  void on_complete(uint64_t id, sluice_status status, const char* error);
  void on_log(sluice_log_level level, const char* text);
  struct MetricCell;
  MetricCell* on_metric(const char* name);

 private:
  void* library_ = nullptr;
  const sluice_plugin_descriptor* descriptor_ = nullptr;
  sluice_host_api api_{};
  std::unique_ptr<struct sluice_host> handle_;
  sluice_instance* instance_ = nullptr;
  std::string node_id_;
  std::string state_dir_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Received> queue_;
  size_t capacity_ = 100000;
  bool closed_ = false;
  size_t emitted_ = 0;
  size_t busy_ = 0;
  uint64_t next_completion_ = 1;
  std::map<uint64_t, std::optional<CompletionResult>> completions_;
  std::map<std::string, std::unique_ptr<MetricCell>> metrics_;
  std::vector<std::string> logs_;
};

}  // namespace sluice::test::kafka
