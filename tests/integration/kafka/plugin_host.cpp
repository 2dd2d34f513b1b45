#include "plugin_host.hpp"

#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "support/sluice_test.hpp"

// The opaque handles of plugin.h, as this test host defines them.
struct sluice_host {
  sluice::test::kafka::PluginHost* self;
};
struct sluice_completion {
  sluice::test::kafka::PluginHost* self;
  uint64_t id;
};
struct sluice_metric {
  std::atomic<double> value{0};
};

namespace sluice::test::kafka {

struct PluginHost::MetricCell : sluice_metric {};

namespace {

std::string view(sluice_bytes b) { return b.data ? std::string(b.data, b.len) : std::string(); }

sluice_status host_emit(sluice_host* h, const sluice_message* m, uint64_t ack_id,
                        uint32_t wait_ms) {
  return h->self->on_emit(m, ack_id, wait_ms);
}
void host_complete(sluice_completion* c, sluice_status status, const char* error,
                   const sluice_message*) {
  c->self->on_complete(c->id, status, error);
  delete c;
}
void host_log(sluice_host* h, sluice_log_level level, const char* text) {
  h->self->on_log(level, text);
}
int host_log_enabled(sluice_host*, sluice_log_level level) {
  return level >= SLUICE_LOG_INFO || std::getenv("SLUICE_TEST_VERBOSE") ? 1 : 0;
}
sluice_metric* host_metric(sluice_host* h, sluice_metric_kind, const char* name, const char*) {
  return h->self->on_metric(name);
}
void host_metric_add(sluice_metric* m, double delta) {
  double cur = m->value.load();
  while (!m->value.compare_exchange_weak(cur, cur + delta)) {
  }
}
void host_metric_set(sluice_metric* m, double value) { m->value.store(value); }
// The Kafka plugin uses no timers; a timer that never fires keeps this host small.
uint64_t host_timer_start(sluice_host*, uint32_t, uint32_t, sluice_timer_fn, void*) {
  static std::atomic<uint64_t> next{1};
  return next++;
}
void host_timer_cancel(sluice_host*, uint64_t) {}
const char* host_node_id(sluice_host* h);
const char* host_connector_name(sluice_host*) { return "kafka-under-test"; }
const char* host_state_dir(sluice_host* h);
void host_source_finished(sluice_host*) {}

}  // namespace

std::optional<std::string> Received::header(const std::string& name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return std::nullopt;
}

PluginHost::PluginHost(const std::string& plugin, std::string node_id)
    : node_id_(std::move(node_id)) {
  std::string path = plugin_dir() + "/sluice-" + plugin + ".so";
  library_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library_) throw std::runtime_error("cannot load " + path + ": " + dlerror());
  auto entry =
      reinterpret_cast<sluice_plugin_entry_fn>(dlsym(library_, SLUICE_PLUGIN_ENTRY_SYMBOL));
  if (!entry) throw std::runtime_error(path + " has no " SLUICE_PLUGIN_ENTRY_SYMBOL);
  descriptor_ = entry();
  handle_ = std::make_unique<sluice_host>(sluice_host{this});
  state_dir_ = std::filesystem::temp_directory_path().string();
  api_.struct_size = sizeof api_;
  api_.abi_major = SLUICE_ABI_MAJOR;
  api_.abi_minor = SLUICE_ABI_MINOR;
  api_.emit = &host_emit;
  api_.complete = &host_complete;
  api_.log = &host_log;
  api_.log_enabled = &host_log_enabled;
  api_.metric = &host_metric;
  api_.metric_add = &host_metric_add;
  api_.metric_set = &host_metric_set;
  api_.timer_start = &host_timer_start;
  api_.timer_cancel = &host_timer_cancel;
  api_.node_id = &host_node_id;
  api_.connector_name = &host_connector_name;
  api_.state_dir = &host_state_dir;
  api_.source_finished = &host_source_finished;
}

PluginHost::~PluginHost() {
  destroy();
  // The library stays loaded: librdkafka keeps background state that must
  // not be unmapped under it within the test process.
}

namespace {
const char* host_node_id(sluice_host* h) { return h->self->node_id().c_str(); }
const char* host_state_dir(sluice_host* h) { return h->self->state_dir().c_str(); }
}  // namespace

std::string PluginHost::validate(const std::string& config_json) const {
  char buf[8192] = "";
  sluice_error err{sizeof(sluice_error), buf, sizeof buf};
  if (descriptor_->vtable->validate(config_json.c_str(), &err) == SLUICE_OK) return "";
  return buf[0] ? buf : "invalid (no message)";
}

std::string PluginHost::create(const std::string& config_json) {
  char buf[8192] = "";
  sluice_error err{sizeof(sluice_error), buf, sizeof buf};
  instance_ = descriptor_->vtable->create(&api_, handle_.get(), config_json.c_str(), &err);
  if (instance_) return "";
  return buf[0] ? buf : "create failed (no message)";
}

std::string PluginHost::subscribe(const std::string& pattern) {
  char buf[4096] = "";
  sluice_error err{sizeof(sluice_error), buf, sizeof buf};
  if (descriptor_->vtable->subscribe(instance_, pattern.c_str(), &err) == SLUICE_OK) return "";
  return buf[0] ? buf : "subscribe failed";
}

std::string PluginHost::start() {
  char buf[4096] = "";
  sluice_error err{sizeof(sluice_error), buf, sizeof buf};
  if (descriptor_->vtable->start(instance_, &err) == SLUICE_OK) return "";
  return buf[0] ? buf : "start failed";
}

void PluginHost::stop() {
  if (instance_) descriptor_->vtable->stop(instance_);
}

sluice_status PluginHost::flush(uint32_t timeout_ms) {
  return descriptor_->vtable->flush(instance_, timeout_ms);
}

std::pair<bool, std::string> PluginHost::health() {
  char buf[2048] = "";
  sluice_health h{sizeof(sluice_health), 1, buf, sizeof buf};
  descriptor_->vtable->health(instance_, &h);
  return {h.healthy != 0, buf};
}

void PluginHost::destroy() {
  if (!instance_) return;
  descriptor_->vtable->destroy(instance_);
  instance_ = nullptr;
}

void PluginHost::set_capacity(size_t capacity) {
  std::lock_guard lock(mutex_);
  capacity_ = capacity;
  changed_.notify_all();
}

void PluginHost::close_ingress() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

sluice_status PluginHost::on_emit(const sluice_message* m, uint64_t ack_id, uint32_t wait_ms) {
  Received r;
  r.payload = view(m->payload);
  if (m->key.data) r.key = view(m->key);
  r.subject = view(m->subject);
  for (size_t i = 0; i < m->header_count; ++i)
    r.headers.emplace_back(view(m->headers[i].name), view(m->headers[i].value));
  for (size_t i = 0; i < m->attribute_count; ++i)
    r.attributes[view(m->attributes[i].name)] = view(m->attributes[i].value);
  r.timestamp_ms = m->timestamp_ms;
  r.ack_id = ack_id;

  std::unique_lock lock(mutex_);
  auto room = [&] { return closed_ || queue_.size() < capacity_; };
  if (!room()) changed_.wait_for(lock, std::chrono::milliseconds(wait_ms), room);
  if (closed_) return SLUICE_CLOSED;
  if (queue_.size() >= capacity_) {
    ++busy_;
    return SLUICE_BUSY;
  }
  queue_.push_back(std::move(r));
  ++emitted_;
  changed_.notify_all();
  return SLUICE_OK;
}

std::optional<Received> PluginHost::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return !queue_.empty(); })) return std::nullopt;
  Received r = std::move(queue_.front());
  queue_.pop_front();
  changed_.notify_all();
  return r;
}

std::vector<Received> PluginHost::take(size_t count, std::chrono::milliseconds timeout) {
  std::vector<Received> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto r = next(left);
    if (!r) break;
    out.push_back(std::move(*r));
  }
  return out;
}

size_t PluginHost::emitted_total() const {
  std::lock_guard lock(mutex_);
  return emitted_;
}

size_t PluginHost::busy_answers() const {
  std::lock_guard lock(mutex_);
  return busy_;
}

void PluginHost::ack(uint64_t ack_id, sluice_outcome outcome) {
  descriptor_->vtable->ack(instance_, ack_id, outcome);
}

sluice_status PluginHost::publish(const Outgoing& out, uint64_t* id, std::string* error) {
  std::vector<sluice_header> headers;
  for (const auto& [n, v] : out.headers)
    headers.push_back({{n.data(), n.size()}, {v.data(), v.size()}});
  sluice_message m{};
  m.struct_size = sizeof m;
  m.payload = {out.payload.data(), out.payload.size()};
  m.key = out.key ? sluice_bytes{out.key->data(), out.key->size()} : sluice_bytes{nullptr, 0};
  m.subject = {out.subject.data(), out.subject.size()};
  m.headers = headers.data();
  m.header_count = headers.size();
  m.timestamp_ms = out.timestamp_ms;

  uint64_t cid;
  {
    std::lock_guard lock(mutex_);
    cid = next_completion_++;
    completions_[cid] = std::nullopt;
  }
  auto* c = new sluice_completion{this, cid};
  char buf[2048] = "";
  sluice_error err{sizeof(sluice_error), buf, sizeof buf};
  sluice_status s = descriptor_->vtable->publish(instance_, &m, c, &err);
  if (s != SLUICE_OK) {
    delete c;  // refused: the plugin did not take it
    std::lock_guard lock(mutex_);
    completions_.erase(cid);
    if (error) *error = buf;
    return s;
  }
  if (id) *id = cid;
  return s;
}

void PluginHost::on_complete(uint64_t id, sluice_status status, const char* error) {
  std::lock_guard lock(mutex_);
  completions_[id] = CompletionResult{status, error ? error : ""};
  changed_.notify_all();
}

std::optional<CompletionResult> PluginHost::completion(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = completions_.find(id);
  return it == completions_.end() ? std::nullopt : it->second;
}

size_t PluginHost::pending_completions() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [id, r] : completions_)
    if (!r) ++n;
  return n;
}

bool PluginHost::wait_completions(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    for (const auto& [id, r] : completions_)
      if (!r) return false;
    return true;
  });
}

void PluginHost::on_log(sluice_log_level level, const char* text) {
  static const char* names[] = {"trace", "debug", "info", "warn", "error"};
  std::string line = std::string(names[level]) + ": " + text;
  if (std::getenv("SLUICE_TEST_VERBOSE")) std::fprintf(stderr, "[plugin] %s\n", line.c_str());
  std::lock_guard lock(mutex_);
  logs_.push_back(std::move(line));
}

PluginHost::MetricCell* PluginHost::on_metric(const char* name) {
  std::lock_guard lock(mutex_);
  auto& cell = metrics_[name];
  if (!cell) cell = std::make_unique<MetricCell>();
  return cell.get();
}

double PluginHost::metric(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = metrics_.find(name);
  return it == metrics_.end() ? 0 : it->second->value.load();
}

std::vector<std::string> PluginHost::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

bool PluginHost::logged(const std::string& needle) const {
  std::lock_guard lock(mutex_);
  for (const auto& l : logs_)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace sluice::test::kafka
