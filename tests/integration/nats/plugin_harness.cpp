// A minimal recording host for the NATS plugin (see plugin_harness.hpp).
#include "plugin_harness.hpp"

#include <dlfcn.h>

#include <stdexcept>

#include "support/sluice_test.hpp"

namespace sluice::test::nats {
namespace {

PluginHarness* self(sluice_host* h) { return reinterpret_cast<PluginHarness*>(h); }

// Completions carry no host pointer in the ABI: the live harness (one per
// test) is remembered here.
std::atomic<PluginHarness*> live_harness{nullptr};

std::string view(sluice_bytes b) { return b.data ? std::string(b.data, b.len) : std::string(); }

struct ErrorBuffer {
  char text[4096] = "";
  sluice_error error{sizeof(sluice_error), text, sizeof text};
};

const sluice_plugin_descriptor* load(void** library) {
  std::string path = plugin_dir() + "/sluice-nats.so";
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) throw std::runtime_error("cannot load " + path + ": " + dlerror());
  auto entry = reinterpret_cast<sluice_plugin_entry_fn>(dlsym(lib, SLUICE_PLUGIN_ENTRY_SYMBOL));
  if (!entry) throw std::runtime_error(path + " has no " SLUICE_PLUGIN_ENTRY_SYMBOL);
  if (library) *library = lib;
  return entry();
}

}  // namespace

struct PluginHarness::Timer {
  std::thread thread;
  std::mutex mutex;
  std::condition_variable wake;
  bool cancelled = false;
};

std::string PluginHarness::validate(const std::string& config_json) {
  void* lib = nullptr;
  const auto* d = load(&lib);
  ErrorBuffer err;
  sluice_status s = d->vtable->validate(config_json.c_str(), &err.error);
  return s == SLUICE_OK ? std::string() : std::string(err.text);
}

PluginHarness::PluginHarness(const std::string& config_json, std::string node_id)
    : node_id_(std::move(node_id)) {
  descriptor_ = load(&library_);
  api_.struct_size = sizeof(sluice_host_api);
  api_.abi_major = SLUICE_ABI_MAJOR;
  api_.abi_minor = SLUICE_ABI_MINOR;
  api_.emit = [](sluice_host* h, const sluice_message* m, uint64_t id, uint32_t wait) {
    return self(h)->on_emit(m, id, wait);
  };
  api_.complete = [](sluice_completion* c, sluice_status s, const char* e,
                     const sluice_message* r) { live_harness.load()->on_complete(c, s, e, r); };
  api_.log = [](sluice_host* h, sluice_log_level l, const char* t) { self(h)->on_log(l, t); };
  api_.log_enabled = [](sluice_host*, sluice_log_level) { return 1; };
  api_.metric = [](sluice_host* h, sluice_metric_kind k, const char* n, const char*) {
    return self(h)->on_metric(k, n);
  };
  api_.metric_add = [](sluice_metric* m, double d) {
    reinterpret_cast<std::atomic<double>*>(m)->fetch_add(d);
  };
  api_.metric_set = [](sluice_metric* m, double v) {
    reinterpret_cast<std::atomic<double>*>(m)->store(v);
  };
  api_.timer_start = [](sluice_host* h, uint32_t delay, uint32_t period, sluice_timer_fn fn,
                        void* user) { return self(h)->on_timer_start(delay, period, fn, user); };
  api_.timer_cancel = [](sluice_host* h, uint64_t id) { self(h)->on_timer_cancel(id); };
  api_.node_id = [](sluice_host* h) { return self(h)->node_id_.c_str(); };
  api_.connector_name = [](sluice_host* h) { return self(h)->connector_name_.c_str(); };
  api_.state_dir = [](sluice_host* h) { return self(h)->state_dir_.c_str(); };
  api_.source_finished = [](sluice_host*) {};

  live_harness.store(this);
  ErrorBuffer err;
  instance_ = descriptor_->vtable->create(&api_, reinterpret_cast<sluice_host*>(this),
                                          config_json.c_str(), &err.error);
  if (!instance_) throw std::runtime_error(std::string("create failed: ") + err.text);
}

PluginHarness::~PluginHarness() {
  destroy();
  std::vector<uint64_t> ids;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, t] : timers_) ids.push_back(id);
  }
  for (auto id : ids) on_timer_cancel(id);
  // The library stays loaded: cnats keeps global threads alive.
}

std::string PluginHarness::subscribe(const std::string& pattern) {
  ErrorBuffer err;
  return descriptor_->vtable->subscribe(instance_, pattern.c_str(), &err.error) == SLUICE_OK
             ? ""
             : std::string(err.text);
}

std::string PluginHarness::start() {
  ErrorBuffer err;
  return descriptor_->vtable->start(instance_, &err.error) == SLUICE_OK ? ""
                                                                        : std::string(err.text);
}

void PluginHarness::stop() {
  if (!instance_ || stopped_) return;
  stopped_ = true;
  descriptor_->vtable->stop(instance_);
}

void PluginHarness::destroy() {
  if (!instance_) return;
  stop();
  descriptor_->vtable->destroy(instance_);
  instance_ = nullptr;
}

sluice_status PluginHarness::on_emit(const sluice_message* m, uint64_t ack_id, uint32_t wait_ms) {
  sluice_status answer = emit_answer_.load();
  if (answer == SLUICE_BUSY) {
    busy_answers_.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<uint32_t>(wait_ms, 20)));
    return SLUICE_BUSY;
  }
  if (answer != SLUICE_OK) return answer;
  Emitted e;
  e.subject = view(m->subject);
  e.payload = view(m->payload);
  e.reply_to = view(m->reply_to);
  for (size_t i = 0; i < m->header_count; ++i)
    e.headers[view(m->headers[i].name)] = view(m->headers[i].value);
  for (size_t i = 0; i < m->attribute_count; ++i)
    e.attributes[view(m->attributes[i].name)] = view(m->attributes[i].value);
  e.ack_id = ack_id;
  {
    std::lock_guard lock(mutex_);
    emitted_.push_back(std::move(e));
  }
  changed_.notify_all();
  return SLUICE_OK;
}

std::vector<Emitted> PluginHarness::emitted() const {
  std::lock_guard lock(mutex_);
  return emitted_;
}

size_t PluginHarness::emitted_count() const {
  std::lock_guard lock(mutex_);
  return emitted_.size();
}

bool PluginHarness::wait_emitted(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return emitted_.size() >= n; });
}

sluice_completion* PluginHarness::new_completion(int* id) {
  std::lock_guard lock(mutex_);
  int n = next_completion_++;
  auto c = std::make_unique<sluice_completion>(sluice_completion{n});
  auto* raw = c.get();
  open_[n] = std::move(c);
  if (id) *id = n;
  return raw;
}

namespace {

struct MessageBuilder {
  std::vector<sluice_header> headers;
  sluice_message message{};
  MessageBuilder(const std::string& subject, const std::string& payload,
                 const std::vector<std::pair<std::string, std::string>>& hs) {
    for (const auto& [n, v] : hs) headers.push_back({{n.data(), n.size()}, {v.data(), v.size()}});
    message.struct_size = sizeof(sluice_message);
    message.payload = {payload.data(), payload.size()};
    message.subject = {subject.data(), subject.size()};
    message.headers = headers.data();
    message.header_count = headers.size();
  }
};

}  // namespace

sluice_status PluginHarness::publish(const std::string& subject, const std::string& payload,
                                     int* id, std::string* error,
                                     const std::vector<std::pair<std::string, std::string>>& hs) {
  MessageBuilder b(subject, payload, hs);
  int n = 0;
  sluice_completion* c = new_completion(&n);
  ErrorBuffer err;
  sluice_status s = descriptor_->vtable->publish(instance_, &b.message, c, &err.error);
  if (s != SLUICE_OK) {
    std::lock_guard lock(mutex_);
    open_.erase(n);
    if (error) *error = err.text;
  } else if (id) {
    *id = n;
  }
  return s;
}

sluice_status PluginHarness::request(const std::string& subject, const std::string& payload,
                                     uint32_t timeout_ms, int* id, std::string* error) {
  MessageBuilder b(subject, payload, {});
  int n = 0;
  sluice_completion* c = new_completion(&n);
  ErrorBuffer err;
  sluice_status s = descriptor_->vtable->request(instance_, &b.message, timeout_ms, c, &err.error);
  if (s != SLUICE_OK) {
    std::lock_guard lock(mutex_);
    open_.erase(n);
    if (error) *error = err.text;
  } else if (id) {
    *id = n;
  }
  return s;
}

sluice_status PluginHarness::reply(const std::string& reply_to, const std::string& payload,
                                   int* id) {
  MessageBuilder b(reply_to, payload, {});
  int n = 0;
  sluice_completion* c = new_completion(&n);
  ErrorBuffer err;
  sluice_status s = descriptor_->vtable->reply(instance_, {reply_to.data(), reply_to.size()},
                                               &b.message, c, &err.error);
  if (s != SLUICE_OK) {
    std::lock_guard lock(mutex_);
    open_.erase(n);
  } else if (id) {
    *id = n;
  }
  return s;
}

void PluginHarness::ack(uint64_t ack_id, sluice_outcome outcome) {
  descriptor_->vtable->ack(instance_, ack_id, outcome);
}

sluice_status PluginHarness::flush(uint32_t timeout_ms) {
  return descriptor_->vtable->flush(instance_, timeout_ms);
}

void PluginHarness::on_complete(sluice_completion* c, sluice_status status, const char* error,
                                const sluice_message* reply) {
  Completed done;
  done.status = status;
  done.error = error ? error : "";
  if (reply) {
    done.has_reply = true;
    done.reply_payload = view(reply->payload);
    done.reply_subject = view(reply->subject);
  }
  {
    std::lock_guard lock(mutex_);
    int id = c->id;
    if (completed_.count(id)) ++double_completions_;
    completed_[id] = std::move(done);
    open_.erase(id);
  }
  changed_.notify_all();
}

std::optional<Completed> PluginHarness::completed(int id) const {
  std::lock_guard lock(mutex_);
  auto it = completed_.find(id);
  if (it == completed_.end()) return std::nullopt;
  return it->second;
}

bool PluginHarness::wait_completed(int id, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return completed_.count(id) > 0; });
}

size_t PluginHarness::open_completions() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

bool PluginHarness::healthy(std::string* message) {
  char text[1024] = "";
  sluice_health h{sizeof(sluice_health), 1, text, sizeof text};
  descriptor_->vtable->health(instance_, &h);
  if (message) *message = text;
  return h.healthy != 0;
}

void PluginHarness::on_log(sluice_log_level, const char* text) {
  std::lock_guard lock(mutex_);
  log_ += text;
  log_ += "\n";
}

std::string PluginHarness::log_text() const {
  std::lock_guard lock(mutex_);
  return log_;
}

sluice_metric* PluginHarness::on_metric(sluice_metric_kind, const char* name) {
  std::lock_guard lock(mutex_);
  auto& slot = metrics_[name];
  if (!slot) slot = std::make_unique<std::atomic<double>>(0.0);
  return reinterpret_cast<sluice_metric*>(slot.get());
}

double PluginHarness::metric(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = metrics_.find(name);
  return it == metrics_.end() ? -1 : it->second->load();
}

uint64_t PluginHarness::on_timer_start(uint32_t delay_ms, uint32_t period_ms, sluice_timer_fn fn,
                                       void* user) {
  auto timer = std::make_unique<Timer>();
  Timer* t = timer.get();
  uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_timer_++;
    timers_[id] = std::move(timer);
  }
  t->thread = std::thread([t, delay_ms, period_ms, fn, user] {
    std::unique_lock lock(t->mutex);
    auto wait = std::chrono::milliseconds(delay_ms);
    while (!t->wake.wait_for(lock, wait, [&] { return t->cancelled; })) {
      lock.unlock();
      fn(user);
      lock.lock();
      if (period_ms == 0) return;
      wait = std::chrono::milliseconds(period_ms);
    }
  });
  return id;
}

void PluginHarness::on_timer_cancel(uint64_t id) {
  std::unique_ptr<Timer> t;
  {
    std::lock_guard lock(mutex_);
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    t = std::move(it->second);
    timers_.erase(it);
  }
  {
    std::lock_guard lock(t->mutex);
    t->cancelled = true;
  }
  t->wake.notify_all();
  if (t->thread.get_id() == std::this_thread::get_id())
    t->thread.detach();
  else
    t->thread.join();
}

}  // namespace sluice::test::nats
