// A plugin linked into the runtime tests (through the real C ABI, via
// PluginRegistry::add_linked): a source the test drives by hand and a sink
// that records, holds or fails what it is given.
#pragma once

#include <map>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <vector>

namespace sluice::test {

struct Recorded {
  std::string payload;
  std::string subject;
  std::map<std::string, std::string> headers;
};

struct ProbeOptions {
  std::string mode;  // record | hold | fail | reject
};

class ProbePlugin : public Plugin {
 public:
  ProbePlugin(Host host, const ProbeOptions& options);
  ~ProbePlugin() override;

  Status start(std::string&) override { return Status::kOk; }
  Status publish(const MessageView& message, Completion& completion, std::string& error) override;
  void ack(uint64_t ack_id, Outcome outcome) override;

  // Test side.
  Status emit(const std::string& payload, const std::string& key, uint32_t wait_ms = 1000);
  // One emit_batch call (ABI 1.2) with these payloads, all with `key`;
  // `accepted` is how many the host took.
  Status emit_batch(const std::vector<std::string>& payloads, const std::string& key,
                    uint32_t wait_ms, size_t& accepted);
  void ack_batch(const uint64_t* ack_ids, const sluice_outcome* outcomes, size_t count) override;
  size_t ack_batches() const;  // ack_batch calls so far
  size_t acked() const;
  size_t nacked() const;
  std::vector<Recorded> recorded() const;
  size_t held() const;
  void complete_held();
  static ProbePlugin* get(const std::string& connector);

 private:
  mutable std::mutex mutex_;
  std::string mode_;
  uint64_t next_id_ = 1;
  std::vector<std::pair<uint64_t, Outcome>> acks_;
  size_t ack_batches_ = 0;
  std::vector<Recorded> recorded_;
  std::vector<Completion> held_;
};

}  // namespace sluice::test

const sluice_plugin_descriptor* probe_plugin_descriptor();
