#include "route_test/stand_in_connectors.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <cstring>

#include "routing/message_context.hpp"

// The ABI's opaque instance handle, for the stand-ins.
struct sluice_instance {};

namespace sluice::route_test {

struct MemoryBus::Instance : sluice_instance {
  MemoryBus* bus = nullptr;
  const sluice_host_api* api = nullptr;
  sluice_host* host = nullptr;
  std::string name;
};

namespace {

constexpr const char* kBusKey = "sluice_test_bus";

void set_error(sluice_error* error, const std::string& text) {
  if (!error || !error->message || error->capacity == 0) return;
  std::snprintf(error->message, error->capacity, "%s", text.c_str());
}

std::string text_of(sluice_bytes b) { return b.data ? std::string(b.data, b.len) : std::string(); }

ReceivedMessage received_of(const sluice_message& m, bool request) {
  ReceivedMessage r;
  r.payload = text_of(m.payload);
  if (m.key.data) r.key = text_of(m.key);
  r.subject = text_of(m.subject);
  for (size_t i = 0; i < m.header_count; ++i)
    r.headers.push_back({text_of(m.headers[i].name), text_of(m.headers[i].value)});
  r.request = request;
  return r;
}

MemoryBus::Instance* as_instance(sluice_instance* i) {
  return static_cast<MemoryBus::Instance*>(i);
}

// --- the plugin functions, shared by every stand-in descriptor ---

sluice_status validate(const char*, sluice_error*) { return SLUICE_OK; }

sluice_instance* create(const sluice_host_api* api, sluice_host* host, const char* config_json,
                        sluice_error* error) {
  boost::system::error_code ec;
  auto settings = boost::json::parse(config_json ? config_json : "", ec);
  const boost::json::value* bus =
      !ec && settings.is_object() ? settings.as_object().if_contains(kBusKey) : nullptr;
  if (!bus || !(bus->is_uint64() || bus->is_int64())) {
    set_error(error, "a sluice test stand-in connector needs its bus");
    return nullptr;
  }
  auto* memory = reinterpret_cast<MemoryBus*>(static_cast<uintptr_t>(bus->to_number<uint64_t>()));
  return memory->attach(api, host);
}

sluice_status subscribe(sluice_instance*, const char*, sluice_error*) { return SLUICE_OK; }
sluice_status start(sluice_instance*, sluice_error*) { return SLUICE_OK; }
void stop(sluice_instance*) {}

sluice_status publish(sluice_instance* i, const sluice_message* m, sluice_completion* done,
                      sluice_error* error) {
  auto* self = as_instance(i);
  return self->bus->publish(*self, *m, done, error);
}

sluice_status request(sluice_instance* i, const sluice_message* m, uint32_t,
                      sluice_completion* done, sluice_error* error) {
  auto* self = as_instance(i);
  return self->bus->request(*self, *m, done, error);
}

sluice_status reply(sluice_instance* i, sluice_bytes handle, const sluice_message* m,
                    sluice_completion* done, sluice_error* error) {
  auto* self = as_instance(i);
  return self->bus->reply(*self, handle, *m, done, error);
}

void ack(sluice_instance* i, uint64_t ack_id, sluice_outcome outcome) {
  as_instance(i)->bus->ack(ack_id, outcome);
}

sluice_status flush(sluice_instance*, uint32_t) { return SLUICE_OK; }

void health(sluice_instance* i, sluice_health* h) {
  auto* self = as_instance(i);
  h->healthy = self->bus->healthy(*self) ? 1 : 0;
  if (!h->healthy && h->message && h->capacity > 0)
    std::snprintf(h->message, h->capacity, "%s", "unhealthy (as the test case says)");
}

void destroy(sluice_instance* i) {
  auto* self = as_instance(i);
  self->bus->detach(self);
}

const sluice_plugin_vtable kVtable = {sizeof(sluice_plugin_vtable),
                                      &validate,
                                      &create,
                                      &subscribe,
                                      &start,
                                      &stop,
                                      &publish,
                                      &request,
                                      &reply,
                                      &ack,
                                      &flush,
                                      &health,
                                      &destroy,
                                      nullptr /* ack_batch: one ack at a time */};

}  // namespace

MemoryBus::MemoryBus(std::vector<RequestStub> stubs,
                     std::map<std::string, StandInBehaviour> behaviour)
    : stubs_(std::move(stubs)), behaviour_(std::move(behaviour)) {}

MemoryBus::~MemoryBus() = default;

std::string MemoryBus::settings_json() const {
  return boost::json::serialize(
      boost::json::object{{kBusKey, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(this))}});
}

MemoryBus::Instance* MemoryBus::attach(const sluice_host_api* api, sluice_host* host) {
  auto instance = std::make_unique<Instance>();
  instance->bus = this;
  instance->api = api;
  instance->host = host;
  instance->name = api->connector_name(host);
  std::lock_guard lock(mutex_);
  Instance* raw = instance.get();
  instances_[raw->name] = std::move(instance);
  return raw;
}

void MemoryBus::detach(Instance* instance) {
  std::lock_guard lock(mutex_);
  instances_.erase(instance->name);
}

sluice_status MemoryBus::send(const std::string& connector, const InputMessage& message,
                              const std::string& reply_handle, uint64_t ack_id) {
  Instance* instance = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = instances_.find(connector);
    if (it == instances_.end()) return SLUICE_CLOSED;
    instance = it->second.get();
  }
  std::vector<sluice_header> headers;
  for (const auto& h : message.headers)
    headers.push_back({{h.name.data(), h.name.size()}, {h.value.data(), h.value.size()}});
  sluice_message m{};
  m.struct_size = sizeof m;
  m.payload = {message.payload.data(), message.payload.size()};
  m.key = message.key ? sluice_bytes{message.key->data(), message.key->size()}
                      : sluice_bytes{nullptr, 0};
  m.subject = {message.subject.data(), message.subject.size()};
  m.headers = headers.data();
  m.header_count = headers.size();
  m.reply_to = {reply_handle.data(), reply_handle.size()};
  m.timestamp_ms = message.timestamp_ms;
  // Waits for room like a plugin would; the worker keeps draining meanwhile.
  return instance->api->emit(instance->host, &m, ack_id, 60'000);
}

std::vector<ReceivedMessage> MemoryBus::received(const std::string& connector) const {
  std::lock_guard lock(mutex_);
  auto it = received_.find(connector);
  return it == received_.end() ? std::vector<ReceivedMessage>{} : it->second;
}

std::optional<ReceivedMessage> MemoryBus::reply(const std::string& handle) const {
  std::lock_guard lock(mutex_);
  auto it = replies_.find(handle);
  if (it == replies_.end()) return std::nullopt;
  return it->second;
}

size_t MemoryBus::nacked() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [id, outcome] : outcomes_) n += outcome == SLUICE_OUTCOME_NACK ? 1 : 0;
  return n;
}

bool MemoryBus::healthy(const Instance& instance) const {
  auto it = behaviour_.find(instance.name);
  return it == behaviour_.end() || it->second.healthy;
}

sluice_status MemoryBus::publish(Instance& from, const sluice_message& message,
                                 sluice_completion* done, sluice_error* error) {
  {
    std::lock_guard lock(mutex_);
    received_[from.name].push_back(received_of(message, false));
  }
  auto it = behaviour_.find(from.name);
  if (it != behaviour_.end() && it->second.fail) {
    // Refused for good (no retries): the route's dead letter gets it at once.
    set_error(error, *it->second.fail);
    return SLUICE_REJECTED;
  }
  from.api->complete(done, SLUICE_OK, nullptr, nullptr);
  return SLUICE_OK;
}

const RequestStub* MemoryBus::stub_for(const std::string& connector,
                                       const message::Envelope& request) const {
  for (const auto& stub : stubs_) {
    if (stub.connector != connector) continue;
    if (stub.subject && *stub.subject != request.subject) continue;
    if (stub.fields) {
      routing::MessageContext ctx{request, request.origin, "", nullptr};
      if (!stub.fields->matches(ctx)) continue;
    }
    return &stub;
  }
  return nullptr;
}

sluice_status MemoryBus::request(Instance& from, const sluice_message& message,
                                 sluice_completion* done, sluice_error*) {
  {
    std::lock_guard lock(mutex_);
    received_[from.name].push_back(received_of(message, true));
  }
  auto request = message::Envelope::from_c(message);
  const RequestStub* stub = stub_for(from.name, *request);
  if (!stub) {
    std::string why = "no stub answers requests to " + from.name +
                      (request->subject.empty() ? "" : ":" + request->subject) +
                      " (add one under `stubs:` in the test file)";
    from.api->complete(done, SLUICE_ERROR, why.c_str(), nullptr);
    return SLUICE_OK;
  }
  if (stub->error) {
    from.api->complete(done, SLUICE_ERROR, stub->error->c_str(), nullptr);
    return SLUICE_OK;
  }
  std::vector<sluice_header> headers;
  for (const auto& h : stub->reply_headers)
    headers.push_back({{h.name.data(), h.name.size()}, {h.value.data(), h.value.size()}});
  sluice_message answer{};
  answer.struct_size = sizeof answer;
  answer.payload = {stub->reply_payload.data(), stub->reply_payload.size()};
  answer.subject = message.subject;
  answer.headers = headers.data();
  answer.header_count = headers.size();
  from.api->complete(done, SLUICE_OK, nullptr, &answer);
  return SLUICE_OK;
}

sluice_status MemoryBus::reply(Instance& from, sluice_bytes handle, const sluice_message& message,
                               sluice_completion* done, sluice_error*) {
  {
    std::lock_guard lock(mutex_);
    replies_[text_of(handle)] = received_of(message, false);
  }
  from.api->complete(done, SLUICE_OK, nullptr, nullptr);
  return SLUICE_OK;
}

void MemoryBus::ack(uint64_t ack_id, sluice_outcome outcome) {
  std::lock_guard lock(mutex_);
  outcomes_[ack_id] = outcome;
}

std::string StandInPlugins::add(const std::string& name, const loader::LoadedPlugin* real,
                                loader::PluginRegistry& into) {
  names_.push_back(name);
  sluice_plugin_descriptor d{};
  d.struct_size = sizeof d;
  d.abi_major = SLUICE_ABI_MAJOR;
  d.abi_minor = SLUICE_ABI_MINOR;
  d.name = names_.back().c_str();
  d.version = "test stand-in";
  d.description = "in-memory stand-in for sluice test";
  d.capabilities = real ? real->descriptor->capabilities
                        : (SLUICE_CAP_SOURCE | SLUICE_CAP_SINK | SLUICE_CAP_REQUEST);
  d.config_schema = "{}";
  d.vtable = &kVtable;
  d.subject_syntax = SLUICE_SUBJECT_SYNTAX_ANY;
  if (real && SLUICE_HAS_FIELD(real->descriptor, sluice_plugin_descriptor, subject_syntax))
    d.subject_syntax = real->descriptor->subject_syntax;
  descriptors_.push_back(d);
  return into.add_linked(&descriptors_.back(), "sluice test stand-in for '" + name + "'");
}

}  // namespace sluice::route_test
