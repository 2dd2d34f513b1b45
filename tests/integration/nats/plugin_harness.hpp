// Drives the built NATS plugin (.so) through its C ABI with a minimal,
// recording host: what it emits, how completions end, its log lines and
// metrics. For behaviour the host does not expose yet (outgoing requests,
// BUSY ingress, NAKs, health transitions), against a real nats-server.
#pragma once

#include <sluice/plugin.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// The harness's own completion record (the ABI's opaque type; the real host
// is not linked into this test).
struct sluice_completion {
  int id;
};

namespace sluice::test::nats {

struct Emitted {
  std::string subject;
  std::string payload;
  std::string reply_to;
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> attributes;
  uint64_t ack_id = 0;
};

struct Completed {
  sluice_status status = SLUICE_OK;
  std::string error;
  bool has_reply = false;
  std::string reply_payload;
  std::string reply_subject;
};

class PluginHarness {
 public:
  // Loads $SLUICE_PLUGIN_DIR/sluice-nats.so and creates an instance with
  // `config_json`; throws std::runtime_error with the plugin's error.
  explicit PluginHarness(const std::string& config_json, std::string node_id = "harness");
  ~PluginHarness();
  PluginHarness(const PluginHarness&) = delete;
  PluginHarness& operator=(const PluginHarness&) = delete;

  // validate() of the loaded plugin: "" or the error text.
  static std::string validate(const std::string& config_json);

  std::string subscribe(const std::string& pattern);
  std::string start();
  void stop();
  void destroy();

  // What emit answers: SLUICE_OK (recorded), SLUICE_BUSY or SLUICE_CLOSED.
  void set_emit_answer(sluice_status status) { emit_answer_.store(status); }
  std::vector<Emitted> emitted() const;
  size_t emitted_count() const;
  bool wait_emitted(size_t n, std::chrono::milliseconds timeout) const;
  // Emit calls answered BUSY so far.
  size_t busy_answers() const { return busy_answers_.load(); }

  // Calls into the plugin. Each returns the call's status; when it is
  // SLUICE_OK the completion `id` is filled and later shows in completed().
  sluice_status publish(const std::string& subject, const std::string& payload, int* id,
                        std::string* error = nullptr,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});
  sluice_status request(const std::string& subject, const std::string& payload, uint32_t timeout_ms,
                        int* id, std::string* error = nullptr);
  sluice_status reply(const std::string& reply_to, const std::string& payload, int* id);
  void ack(uint64_t ack_id, sluice_outcome outcome);
  sluice_status flush(uint32_t timeout_ms);

  std::optional<Completed> completed(int id) const;
  bool wait_completed(int id, std::chrono::milliseconds timeout) const;
  // Completions handed out but not completed yet.
  size_t open_completions() const;
  // Completions completed more than once (an ABI violation): must stay 0.
  int double_completions() const { return double_completions_.load(); }

  bool healthy(std::string* message = nullptr);
  double metric(const std::string& name) const;
  std::string log_text() const;

  // Host API callbacks (public for the C function table).
  sluice_status on_emit(const sluice_message* m, uint64_t ack_id, uint32_t wait_ms);
  void on_complete(sluice_completion* c, sluice_status status, const char* error,
                   const sluice_message* reply);
  void on_log(sluice_log_level level, const char* text);
  sluice_metric* on_metric(sluice_metric_kind kind, const char* name);
  uint64_t on_timer_start(uint32_t delay_ms, uint32_t period_ms, sluice_timer_fn fn, void* user);
  void on_timer_cancel(uint64_t id);

  std::string node_id_;
  std::string state_dir_ = "/tmp";
  std::string connector_name_ = "bus";

 private:
  struct Timer;
  sluice_completion* new_completion(int* id);

  void* library_ = nullptr;
  const sluice_plugin_descriptor* descriptor_ = nullptr;
  sluice_host_api api_{};
  sluice_instance* instance_ = nullptr;
  bool stopped_ = false;

  std::atomic<sluice_status> emit_answer_{SLUICE_OK};
  std::atomic<size_t> busy_answers_{0};
  std::atomic<int> double_completions_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<Emitted> emitted_;
  std::map<int, std::unique_ptr<sluice_completion>> open_;
  std::map<int, Completed> completed_;
  int next_completion_ = 1;
  std::string log_;
  std::map<std::string, std::unique_ptr<std::atomic<double>>> metrics_;
  std::map<uint64_t, std::unique_ptr<Timer>> timers_;
  uint64_t next_timer_ = 1;
};

}  // namespace sluice::test::nats
