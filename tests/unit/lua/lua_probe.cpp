#include "lua_probe.hpp"

namespace sluice::test {
namespace {
std::mutex g_mutex;
std::map<std::string, LuaProbe*> g_instances;

const SettingsTable<LuaProbeOptions>& lua_probe_settings() {
  static const SettingsTable<LuaProbeOptions> table{field(&LuaProbeOptions::mode, "mode")
                                                        .def("record")
                                                        .one_of({"record", "fail"})
                                                        .doc("what publish does")};
  return table;
}

LuaRecorded record(const MessageView& m) {
  LuaRecorded r;
  r.payload = std::string(m.payload());
  r.subject = std::string(m.subject());
  if (m.has_key()) r.key = std::string(m.key());
  for (size_t i = 0; i < m.header_count(); ++i)
    r.headers[std::string(m.header_name(i))] = std::string(m.header_value(i));
  return r;
}
}  // namespace

LuaProbe::LuaProbe(Host host, const LuaProbeOptions& options)
    : Plugin(std::move(host)), mode_(options.mode) {
  std::lock_guard lock(g_mutex);
  g_instances[std::string(this->host().connector_name())] = this;
}

LuaProbe::~LuaProbe() {
  std::lock_guard lock(g_mutex);
  g_instances.erase(std::string(host().connector_name()));
}

LuaProbe* LuaProbe::get(const std::string& connector) {
  std::lock_guard lock(g_mutex);
  auto it = g_instances.find(connector);
  return it == g_instances.end() ? nullptr : it->second;
}

Status LuaProbe::publish(const MessageView& m, Completion& completion, std::string&) {
  if (mode_ == "fail") {
    completion.fail(Status::kError, "probe sink is failing");
    return Status::kOk;
  }
  {
    std::lock_guard lock(mutex_);
    recorded_.push_back(record(m));
  }
  completion.ok();
  return Status::kOk;
}

Status LuaProbe::request(const MessageView& m, uint32_t timeout_ms, Completion& completion,
                         std::string&) {
  if (mode_ == "fail") {
    completion.fail(Status::kTimeout, "no answer within " + std::to_string(timeout_ms) + " ms");
    return Status::kOk;
  }
  std::string text = "reply:" + std::string(m.payload());
  OutMessage answer;
  answer.payload = text;
  answer.subject = m.subject();
  completion.reply(answer);
  return Status::kOk;
}

Status LuaProbe::reply(std::string_view reply_to, const MessageView& m, Completion& completion,
                       std::string&) {
  auto r = record(m);
  r.reply_to = std::string(reply_to);
  {
    std::lock_guard lock(mutex_);
    replies_.push_back(std::move(r));
  }
  completion.ok();
  return Status::kOk;
}

void LuaProbe::ack(uint64_t ack_id, Outcome outcome) {
  std::lock_guard lock(mutex_);
  acks_.emplace_back(ack_id, outcome);
}

Status LuaProbe::emit_message(const LuaEmit& e, uint32_t wait_ms) {
  OutMessage m;
  m.payload = e.payload;
  if (!e.key.empty()) m.key = e.key;
  m.subject = e.subject;
  m.reply_to = e.reply_to;
  for (const auto& [n, v] : e.headers) m.headers.emplace_back(n, v);
  uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
  }
  return host().emit(m, id, wait_ms);
}

size_t LuaProbe::acked() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& a : acks_) n += a.second == Outcome::kAck;
  return n;
}
size_t LuaProbe::nacked() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& a : acks_) n += a.second == Outcome::kNack;
  return n;
}
std::vector<LuaRecorded> LuaProbe::recorded() const {
  std::lock_guard lock(mutex_);
  return recorded_;
}
std::vector<LuaRecorded> LuaProbe::replies() const {
  std::lock_guard lock(mutex_);
  return replies_;
}

}  // namespace sluice::test

using sluice::test::lua_probe_settings;
using sluice::test::LuaProbe;
SLUICE_PLUGIN_DESCRIPTOR(lua_probe_descriptor, LuaProbe, "lprobe", "1.0", "lua test probe",
                         SLUICE_CAP_SOURCE | SLUICE_CAP_SINK | SLUICE_CAP_REQUEST,
                         lua_probe_settings)
