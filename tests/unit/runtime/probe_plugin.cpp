#include "probe_plugin.hpp"

namespace sluice::test {
namespace {
std::mutex g_mutex;
std::map<std::string, ProbePlugin*> g_instances;

const SettingsTable<ProbeOptions>& probe_settings() {
  static const SettingsTable<ProbeOptions> table{field(&ProbeOptions::mode, "mode")
                                                     .def("record")
                                                     .one_of({"record", "hold", "fail", "reject"})
                                                     .doc("what publish does")};
  return table;
}
}  // namespace

ProbePlugin::ProbePlugin(Host host, const ProbeOptions& options)
    : Plugin(std::move(host)), mode_(options.mode) {
  std::lock_guard lock(g_mutex);
  g_instances[std::string(this->host().connector_name())] = this;
}

ProbePlugin::~ProbePlugin() {
  std::lock_guard lock(g_mutex);
  g_instances.erase(std::string(host().connector_name()));
}

ProbePlugin* ProbePlugin::get(const std::string& connector) {
  std::lock_guard lock(g_mutex);
  auto it = g_instances.find(connector);
  return it == g_instances.end() ? nullptr : it->second;
}

Status ProbePlugin::publish(const MessageView& m, Completion& completion, std::string& error) {
  std::lock_guard lock(mutex_);
  if (mode_ == "reject") {
    error = "rejected by probe";
    return Status::kRejected;
  }
  if (mode_ == "fail") {
    completion.fail(Status::kError, "probe sink is failing");
    return Status::kOk;
  }
  Recorded r{std::string(m.payload()), std::string(m.subject()), {}};
  for (size_t i = 0; i < m.header_count(); ++i)
    r.headers[std::string(m.header_name(i))] = std::string(m.header_value(i));
  recorded_.push_back(std::move(r));
  if (mode_ == "hold")
    held_.push_back(std::move(completion));
  else
    completion.ok();
  return Status::kOk;
}

void ProbePlugin::ack(uint64_t ack_id, Outcome outcome) {
  std::lock_guard lock(mutex_);
  acks_.emplace_back(ack_id, outcome);
}

Status ProbePlugin::emit(const std::string& payload, const std::string& key, uint32_t wait_ms) {
  OutMessage m;
  m.payload = payload;
  m.key = key;
  m.subject = "probe";
  uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
  }
  return host().emit(m, id, wait_ms);
}

Status ProbePlugin::emit_batch(const std::vector<std::string>& payloads, const std::string& key,
                               uint32_t wait_ms, size_t& accepted) {
  std::vector<sluice_message> batch(payloads.size());
  std::vector<uint64_t> ids(payloads.size());
  {
    std::lock_guard lock(mutex_);
    for (auto& id : ids) id = next_id_++;
  }
  for (size_t i = 0; i < payloads.size(); ++i) {
    batch[i] = sluice_message{};
    batch[i].struct_size = sizeof(sluice_message);
    batch[i].payload = to_bytes(payloads[i]);
    batch[i].key = to_bytes(key);
    batch[i].subject = to_bytes(std::string_view("probe"));
  }
  return host().emit_batch(batch.data(), ids.data(), batch.size(), wait_ms, accepted);
}

void ProbePlugin::ack_batch(const uint64_t* ack_ids, const sluice_outcome* outcomes, size_t count) {
  {
    std::lock_guard lock(mutex_);
    ++ack_batches_;
  }
  Plugin::ack_batch(ack_ids, outcomes, count);  // one ack() each
}

size_t ProbePlugin::ack_batches() const {
  std::lock_guard lock(mutex_);
  return ack_batches_;
}

size_t ProbePlugin::acked() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& a : acks_) n += a.second == Outcome::kAck;
  return n;
}
size_t ProbePlugin::nacked() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& a : acks_) n += a.second == Outcome::kNack;
  return n;
}
std::vector<Recorded> ProbePlugin::recorded() const {
  std::lock_guard lock(mutex_);
  return recorded_;
}
size_t ProbePlugin::held() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}
void ProbePlugin::complete_held() {
  std::vector<Completion> held;
  {
    std::lock_guard lock(mutex_);
    held.swap(held_);
  }
  for (auto& c : held) c.ok();
}

}  // namespace sluice::test

using sluice::test::probe_settings;
using sluice::test::ProbePlugin;
SLUICE_PLUGIN_DESCRIPTOR(probe_plugin_descriptor, ProbePlugin, "probe", "1.0", "test probe",
                         SLUICE_CAP_SOURCE | SLUICE_CAP_SINK, probe_settings)
