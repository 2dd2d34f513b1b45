// C++ helper over the C ABI in plugin.h: a plugin is one class deriving
// from sluice::Plugin plus one SLUICE_PLUGIN(...) line. Header-only; nothing
// here crosses the ABI except through plugin.h's C types.
#pragma once

#include <sluice/plugin.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sluice/settings_table.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sluice {

enum class Status {
  kOk = SLUICE_OK,
  kBusy = SLUICE_BUSY,
  kError = SLUICE_ERROR,
  kClosed = SLUICE_CLOSED,
  kTimeout = SLUICE_TIMEOUT,
  kUnsupported = SLUICE_UNSUPPORTED,
  kRejected = SLUICE_REJECTED,
};

enum class Outcome { kAck = SLUICE_OUTCOME_ACK, kNack = SLUICE_OUTCOME_NACK };

enum class LogLevel {
  kTrace = SLUICE_LOG_TRACE,
  kDebug = SLUICE_LOG_DEBUG,
  kInfo = SLUICE_LOG_INFO,
  kWarn = SLUICE_LOG_WARN,
  kError = SLUICE_LOG_ERROR,
};

inline std::string_view to_view(sluice_bytes b) {
  return b.data ? std::string_view(b.data, b.len) : std::string_view();
}
inline sluice_bytes to_bytes(std::string_view s) { return sluice_bytes{s.data(), s.size()}; }

// Writes `text` into a host-owned error buffer, truncating if needed.
inline void sluice_error_set(sluice_error* error, std::string_view text) {
  if (!error || !error->message || error->capacity == 0) return;
  size_t n = std::min(text.size(), error->capacity - 1);
  std::memcpy(error->message, text.data(), n);
  error->message[n] = '\0';
}

// A borrowed, read-only view of a message passed into the plugin.
class MessageView {
 public:
  explicit MessageView(const sluice_message* m) : m_(m) {}
  std::string_view payload() const { return to_view(m_->payload); }
  bool has_key() const { return m_->key.data != nullptr; }
  std::string_view key() const { return to_view(m_->key); }
  std::string_view subject() const { return to_view(m_->subject); }
  int64_t timestamp_ms() const { return m_->timestamp_ms; }
  std::string_view reply_to() const { return to_view(m_->reply_to); }
  size_t header_count() const { return m_->header_count; }
  std::string_view header_name(size_t i) const { return to_view(m_->headers[i].name); }
  std::string_view header_value(size_t i) const { return to_view(m_->headers[i].value); }
  std::optional<std::string_view> header(std::string_view name) const {
    for (size_t i = 0; i < m_->header_count; ++i)
      if (header_name(i) == name) return header_value(i);
    return std::nullopt;
  }
  const sluice_message* c_message() const { return m_; }

 private:
  const sluice_message* m_;
};

// A message the plugin builds to emit or to reply with. The views must stay
// valid until the call that takes it returns (the host copies).
struct OutMessage {
  std::string_view payload;
  std::optional<std::string_view> key;
  std::string_view subject;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::vector<std::pair<std::string_view, std::string_view>> attributes;
  int64_t timestamp_ms = 0;
  std::string_view reply_to;

  // Fills `out` (and the arrays it points to) from this message.
  void to_c(sluice_message& out, std::vector<sluice_header>& header_storage,
            std::vector<sluice_header>& attribute_storage) const {
    header_storage.clear();
    for (const auto& [n, v] : headers) header_storage.push_back({to_bytes(n), to_bytes(v)});
    attribute_storage.clear();
    for (const auto& [n, v] : attributes) attribute_storage.push_back({to_bytes(n), to_bytes(v)});
    out = sluice_message{};
    out.struct_size = sizeof(sluice_message);
    out.payload = to_bytes(payload);
    out.key = key ? to_bytes(*key) : sluice_bytes{nullptr, 0};
    out.subject = to_bytes(subject);
    out.headers = header_storage.data();
    out.header_count = header_storage.size();
    out.timestamp_ms = timestamp_ms;
    out.reply_to = to_bytes(reply_to);
    out.attributes = attribute_storage.data();
    out.attribute_count = attribute_storage.size();
  }
};

// One pending publish/request/reply. Move-only; completes exactly once. If
// it is destroyed while still pending, it completes with an error so that a
// plugin bug shows up as a failed message rather than a hang.
class Completion {
 public:
  Completion() = default;
  Completion(const sluice_host_api* api, sluice_completion* c) : api_(api), c_(c) {}
  Completion(Completion&& other) noexcept
      : api_(other.api_), c_(std::exchange(other.c_, nullptr)) {}
  Completion& operator=(Completion&& other) noexcept {
    if (this != &other) {
      finish(SLUICE_ERROR, "completion replaced before it was completed", nullptr);
      api_ = other.api_;
      c_ = std::exchange(other.c_, nullptr);
    }
    return *this;
  }
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;
  ~Completion() { finish(SLUICE_ERROR, "plugin dropped the completion", nullptr); }

  explicit operator bool() const { return c_ != nullptr; }

  void ok() { finish(SLUICE_OK, nullptr, nullptr); }
  void fail(Status status, std::string_view error) {
    std::string text(error);
    finish(static_cast<sluice_status>(status), text.c_str(), nullptr);
  }
  void reply(const OutMessage& reply) {
    sluice_message m;
    std::vector<sluice_header> h, a;
    reply.to_c(m, h, a);
    finish(SLUICE_OK, nullptr, &m);
  }
  // Gives the handle back without completing it (the call was refused).
  sluice_completion* release() { return std::exchange(c_, nullptr); }

 private:
  void finish(sluice_status status, const char* error, const sluice_message* reply) {
    if (auto* c = std::exchange(c_, nullptr)) api_->complete(c, status, error, reply);
  }
  const sluice_host_api* api_ = nullptr;
  sluice_completion* c_ = nullptr;
};

class Metric {
 public:
  Metric() = default;
  Metric(const sluice_host_api* api, sluice_metric* m) : api_(api), m_(m) {}
  void add(double delta = 1) const {
    if (m_) api_->metric_add(m_, delta);
  }
  void set(double value) const {
    if (m_) api_->metric_set(m_, value);
  }

 private:
  const sluice_host_api* api_ = nullptr;
  sluice_metric* m_ = nullptr;
};

// The host as a plugin instance sees it.
class Host {
 public:
  Host(const sluice_host_api* api, sluice_host* host) : api_(api), host_(host) {}

  Status emit(const OutMessage& message, uint64_t ack_id, uint32_t wait_ms = 0) const {
    sluice_message m;
    std::vector<sluice_header> h, a;
    message.to_c(m, h, a);
    return static_cast<Status>(api_->emit(host_, &m, ack_id, wait_ms));
  }
  Status emit(const sluice_message& m, uint64_t ack_id, uint32_t wait_ms = 0) const {
    return static_cast<Status>(api_->emit(host_, &m, ack_id, wait_ms));
  }
  // Several messages in one call (plugin.h's emit_batch): sets `accepted`
  // to how many the host took, from the first. kOk: all of them; otherwise
  // the answer for messages[accepted] (kBusy: offer it and the rest again;
  // kRejected: that one is refused, go on after it; kClosed). A host
  // older than ABI 1.2 gets them one emit at a time, with the same answer.
  Status emit_batch(const sluice_message* messages, const uint64_t* ack_ids, size_t count,
                    uint32_t wait_ms, size_t& accepted) const {
    accepted = 0;
    if (SLUICE_HAS_FIELD(api_, sluice_host_api, emit_batch) && api_->emit_batch)
      return static_cast<Status>(
          api_->emit_batch(host_, messages, ack_ids, count, wait_ms, &accepted));
    for (; accepted < count; ++accepted) {
      auto s = static_cast<Status>(
          api_->emit(host_, &messages[accepted], ack_ids[accepted], accepted == 0 ? wait_ms : 0));
      if (s != Status::kOk) return s;
    }
    return Status::kOk;
  }

  bool log_enabled(LogLevel level) const {
    return api_->log_enabled(host_, static_cast<sluice_log_level>(level)) != 0;
  }
  void log(LogLevel level, std::string_view text) const {
    std::string s(text);
    api_->log(host_, static_cast<sluice_log_level>(level), s.c_str());
  }
  __attribute__((format(printf, 3, 4))) void logf(LogLevel level, const char* fmt, ...) const {
    if (!log_enabled(level)) return;
    char buf[2048];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    api_->log(host_, static_cast<sluice_log_level>(level), buf);
  }

  Metric counter(const char* name, const char* help) const {
    return Metric(api_, api_->metric(host_, SLUICE_METRIC_COUNTER, name, help));
  }
  Metric gauge(const char* name, const char* help) const {
    return Metric(api_, api_->metric(host_, SLUICE_METRIC_GAUGE, name, help));
  }

  // Runs `fn` after delay_ms, then every period_ms (0 = once). The returned
  // id cancels it. `fn` runs on a host timer thread and must not block.
  uint64_t timer_start(uint32_t delay_ms, uint32_t period_ms, std::function<void()> fn) const {
    auto* holder = new TimerHolder{std::move(fn), period_ms == 0};
    uint64_t id = api_->timer_start(host_, delay_ms, period_ms, &TimerHolder::run, holder);
    std::lock_guard lock(timers_->mutex);
    timers_->holders[id] = std::unique_ptr<TimerHolder>(holder);
    return id;
  }
  void timer_cancel(uint64_t id) const {
    api_->timer_cancel(host_, id);
    std::lock_guard lock(timers_->mutex);
    timers_->holders.erase(id);
  }

  std::string_view node_id() const { return api_->node_id(host_); }
  std::string_view connector_name() const { return api_->connector_name(host_); }
  std::string_view state_dir() const { return api_->state_dir(host_); }
  void source_finished() const { api_->source_finished(host_); }

  const sluice_host_api* api() const { return api_; }
  sluice_host* handle() const { return host_; }

 private:
  struct TimerHolder {
    std::function<void()> fn;
    bool once;
    static void run(void* user) { static_cast<TimerHolder*>(user)->fn(); }
  };
  // Owned timer callbacks; freed on cancel or with the Host's last copy.
  struct Timers {
    std::mutex mutex;
    std::unordered_map<uint64_t, std::unique_ptr<TimerHolder>> holders;
  };
  const sluice_host_api* api_;
  sluice_host* host_;
  std::shared_ptr<Timers> timers_ = std::make_shared<Timers>();
};

struct Health {
  bool healthy = true;
  std::string message;
};

// Base class of a C++ plugin. Override what the plugin's capabilities need.
// The constructor takes (Host, const Options&), Options being the struct its
// SettingsTable fills, and throws ConfigError (or any std::exception) to
// refuse a configuration. An optional `static void validate(const Options&,
// std::vector<std::string>& errors)` checks what the table cannot, for
// `sluice check` as well.
class Plugin {
 public:
  // The wildcard syntax of the subjects this source emits (plugin.h's
  // sluice_subject_syntax); a plugin class declares its own, e.g.
  //   static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_NATS;
  static constexpr uint32_t subject_syntax = SLUICE_SUBJECT_SYNTAX_ANY;

  explicit Plugin(Host host) : host_(std::move(host)) {}
  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  virtual Status subscribe(std::string_view /*pattern*/, std::string& /*error*/) {
    return Status::kOk;
  }
  virtual Status start(std::string& error) = 0;
  virtual void stop() {}
  // Take `completion` (std::move it) only when returning kOk.
  virtual Status publish(const MessageView& /*message*/, Completion& /*completion*/,
                         std::string& error) {
    error = "this plugin is not a sink";
    return Status::kUnsupported;
  }
  virtual Status request(const MessageView& /*message*/, uint32_t /*timeout_ms*/,
                         Completion& /*completion*/, std::string& error) {
    error = "this plugin does not send requests";
    return Status::kUnsupported;
  }
  virtual Status reply(std::string_view /*reply_to*/, const MessageView& /*message*/,
                       Completion& /*completion*/, std::string& error) {
    error = "this plugin does not answer requests";
    return Status::kUnsupported;
  }
  virtual void ack(uint64_t /*ack_id*/, Outcome /*outcome*/) {}
  // Several answers at once (ABI 1.2); by default one ack() each. Override
  // where one lock or one broker call can cover them all.
  virtual void ack_batch(const uint64_t* ack_ids, const sluice_outcome* outcomes, size_t count) {
    for (size_t i = 0; i < count; ++i) ack(ack_ids[i], static_cast<Outcome>(outcomes[i]));
  }
  virtual Status flush(uint32_t /*timeout_ms*/) { return Status::kOk; }
  virtual Health health() { return {}; }

  const Host& host() const { return host_; }

 private:
  Host host_;
};

namespace detail {

template <class T, class Options>
concept HasStaticValidate = requires(const Options& o, std::vector<std::string>& e) {
  T::validate(o, e);
};

// Adapts a Plugin subclass T to the C function table. `table_fn` returns the
// plugin's SettingsTable, whose Options T's constructor takes.
template <class T, class Table, const Table& (*table_fn)()>
struct Adapter {
  using Options = typename Table::Options;

  static const Table& table() { return table_fn(); }

  static T* self(sluice_instance* i) { return reinterpret_cast<T*>(i); }

  static sluice_status validate(const char* config_json, sluice_error* error) {
    try {
      auto errors = table().validate(config_json);
      if (errors.empty()) {
        if constexpr (HasStaticValidate<T, Options>)
          T::validate(table().parse(config_json), errors);
      }
      if (errors.empty()) return SLUICE_OK;
      sluice_error_set(error, SettingsSpec::join(errors));
    } catch (const std::exception& e) {
      sluice_error_set(error, e.what());
    }
    return SLUICE_ERROR;
  }

  static sluice_instance* create(const sluice_host_api* api, sluice_host* host,
                                 const char* config_json, sluice_error* error) {
    try {
      Options options = table().parse(config_json);
      if constexpr (HasStaticValidate<T, Options>) {
        std::vector<std::string> errors;
        T::validate(options, errors);
        if (!errors.empty()) throw ConfigError(SettingsSpec::join(errors));
      }
      return reinterpret_cast<sluice_instance*>(new T(Host(api, host), options));
    } catch (const std::exception& e) {
      sluice_error_set(error, e.what());
      return nullptr;
    }
  }

  template <class F>
  static sluice_status guarded(sluice_error* error, F&& f) {
    try {
      std::string text;
      Status s = f(text);
      if (s != Status::kOk) sluice_error_set(error, text);
      return static_cast<sluice_status>(s);
    } catch (const std::exception& e) {
      sluice_error_set(error, e.what());
      return SLUICE_ERROR;
    }
  }

  static sluice_status subscribe(sluice_instance* i, const char* pattern, sluice_error* error) {
    return guarded(error, [&](std::string& e) { return self(i)->subscribe(pattern, e); });
  }
  static sluice_status start(sluice_instance* i, sluice_error* error) {
    return guarded(error, [&](std::string& e) { return self(i)->start(e); });
  }
  static void stop(sluice_instance* i) {
    try {
      self(i)->stop();
    } catch (...) {
    }
  }

  // Runs a call that may take the completion; a refused call gives it back
  // uncompleted, as the ABI requires.
  template <class F>
  static sluice_status with_completion(const sluice_host_api* api, sluice_completion* c,
                                       sluice_error* error, F&& f) {
    Completion completion(api, c);
    sluice_status s = guarded(error, [&](std::string& e) { return f(completion, e); });
    if (s != SLUICE_OK) completion.release();
    return s;
  }

  static sluice_status publish(sluice_instance* i, const sluice_message* m, sluice_completion* c,
                               sluice_error* error) {
    T* p = self(i);
    return with_completion(p->host().api(), c, error, [&](Completion& comp, std::string& e) {
      return p->publish(MessageView(m), comp, e);
    });
  }
  static sluice_status request(sluice_instance* i, const sluice_message* m, uint32_t timeout_ms,
                               sluice_completion* c, sluice_error* error) {
    T* p = self(i);
    return with_completion(p->host().api(), c, error, [&](Completion& comp, std::string& e) {
      return p->request(MessageView(m), timeout_ms, comp, e);
    });
  }
  static sluice_status reply(sluice_instance* i, sluice_bytes reply_to, const sluice_message* m,
                             sluice_completion* c, sluice_error* error) {
    T* p = self(i);
    return with_completion(p->host().api(), c, error, [&](Completion& comp, std::string& e) {
      return p->reply(to_view(reply_to), MessageView(m), comp, e);
    });
  }
  static void ack(sluice_instance* i, uint64_t ack_id, sluice_outcome outcome) {
    try {
      self(i)->ack(ack_id, static_cast<Outcome>(outcome));
    } catch (...) {
    }
  }
  static void ack_batch(sluice_instance* i, const uint64_t* ack_ids, const sluice_outcome* outcomes,
                        size_t count) {
    try {
      self(i)->ack_batch(ack_ids, outcomes, count);
    } catch (...) {
    }
  }
  static sluice_status flush(sluice_instance* i, uint32_t timeout_ms) {
    try {
      return static_cast<sluice_status>(self(i)->flush(timeout_ms));
    } catch (...) {
      return SLUICE_ERROR;
    }
  }
  static void health(sluice_instance* i, sluice_health* out) {
    try {
      Health h = self(i)->health();
      out->healthy = h.healthy ? 1 : 0;
      if (out->message && out->capacity) {
        size_t n = std::min(h.message.size(), out->capacity - 1);
        std::memcpy(out->message, h.message.data(), n);
        out->message[n] = '\0';
      }
    } catch (...) {
      out->healthy = 0;
    }
  }
  static void destroy(sluice_instance* i) { delete self(i); }

  static const sluice_plugin_vtable* vtable() {
    static const sluice_plugin_vtable table = {sizeof(sluice_plugin_vtable),
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
                                               &ack_batch};
    return &table;
  }
};

}  // namespace detail
}  // namespace sluice

// Defines `const sluice_plugin_descriptor* fn()` for a plugin class without
// exporting anything: for plugins linked statically (tests, embedding).
#define SLUICE_PLUGIN_DESCRIPTOR(fn, Class, name, version, description, capabilities, settings_fn) \
  const sluice_plugin_descriptor* fn() {                                                           \
    using PluginAdapter =                                                                          \
        sluice::detail::Adapter<Class, std::remove_cvref_t<decltype(settings_fn())>,               \
                                &settings_fn>;                                                     \
    static const std::string schema = settings_fn().schema_json();                                 \
    static const sluice_plugin_descriptor descriptor = {sizeof(sluice_plugin_descriptor),          \
                                                        SLUICE_ABI_MAJOR,                          \
                                                        SLUICE_ABI_MINOR,                          \
                                                        name,                                      \
                                                        version,                                   \
                                                        description,                               \
                                                        capabilities,                              \
                                                        schema.c_str(),                            \
                                                        PluginAdapter::vtable(),                   \
                                                        Class::subject_syntax};                    \
    return &descriptor;                                                                            \
  }

// Declares the plugin's entry point, the one exported symbol. `settings_fn`
// is a function returning the plugin's `const sluice::SettingsTable<Options>&`;
// the class's constructor takes (Host, const Options&).
//
//   SLUICE_PLUGIN(EchoPlugin, "echo", "1.0.0", "Echoes messages",
//                 SLUICE_CAP_SOURCE | SLUICE_CAP_SINK, echo_settings)
// The descriptor function has a fixed name (one plugin per shared object)
// rather than one pasted from `Class`, which may be namespace-qualified.
#define SLUICE_PLUGIN(Class, name, version, description, capabilities, settings_fn)              \
  SLUICE_PLUGIN_DESCRIPTOR(sluice_plugin_exported_descriptor, Class, name, version, description, \
                           capabilities, settings_fn)                                            \
  extern "C" SLUICE_EXPORT const sluice_plugin_descriptor* sluice_plugin_entry(void) {           \
    return sluice_plugin_exported_descriptor();                                                  \
  }
