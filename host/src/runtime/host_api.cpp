#include "runtime/host_api.hpp"

#include <filesystem>

#include "log/logger.hpp"
#include "runtime/runtime.hpp"

namespace sluice::runtime {
namespace {

Runtime& runtime_of(sluice_host* h) { return h->connector->runtime(); }

sluice_status emit(sluice_host* h, const sluice_message* m, uint64_t ack_id, uint32_t wait_ms) {
  return runtime_of(h).engine().ingest(*h->connector, m, ack_id, wait_ms);
}

sluice_status emit_batch(sluice_host* h, const sluice_message* messages, const uint64_t* ack_ids,
                         size_t count, uint32_t wait_ms, size_t* accepted) {
  if (!accepted) return SLUICE_REJECTED;  // the plugin could not tell what was taken
  size_t taken = 0;
  sluice_status s =
      runtime_of(h).engine().ingest_batch(*h->connector, messages, ack_ids, count, wait_ms, taken);
  *accepted = taken;
  return s;
}

void complete(sluice_completion* c, sluice_status status, const char* error,
              const sluice_message* reply) {
  if (c) c->engine->complete(c, status, error, reply);
}

log::Level to_level(sluice_log_level level) {
  switch (level) {
    case SLUICE_LOG_TRACE:
      return log::Level::kTrace;
    case SLUICE_LOG_DEBUG:
      return log::Level::kDebug;
    case SLUICE_LOG_INFO:
      return log::Level::kInfo;
    case SLUICE_LOG_WARN:
      return log::Level::kWarn;
    default:
      return log::Level::kError;
  }
}

void write_log(sluice_host* h, sluice_log_level level, const char* text) {
  log::write(to_level(level), h->connector->name(), text ? text : "");
}

int log_enabled(sluice_host*, sluice_log_level level) {
  return log::Logger::instance().enabled(to_level(level)) ? 1 : 0;
}

sluice_metric* metric(sluice_host* h, sluice_metric_kind kind, const char* name, const char* help) {
  return reinterpret_cast<sluice_metric*>(h->connector->plugin_metric(
      kind == SLUICE_METRIC_COUNTER, name ? name : "unnamed", help ? help : ""));
}

void metric_add(sluice_metric* m, double delta) {
  auto* pm = reinterpret_cast<PluginMetric*>(m);
  if (!pm) return;
  if (pm->counter) {
    if (delta > 0) pm->counter->add(delta);
  } else if (pm->gauge) {
    pm->gauge->add(delta);
  }
}

void metric_set(sluice_metric* m, double value) {
  auto* pm = reinterpret_cast<PluginMetric*>(m);
  if (pm && pm->gauge) pm->gauge->set(value);
}

uint64_t timer_start(sluice_host* h, uint32_t delay_ms, uint32_t period_ms, sluice_timer_fn fn,
                     void* user) {
  return runtime_of(h).timers().start(std::chrono::milliseconds(delay_ms),
                                      std::chrono::milliseconds(period_ms),
                                      [fn, user] { fn(user); });
}

void timer_cancel(sluice_host* h, uint64_t id) { runtime_of(h).timers().cancel(id); }

const char* node_id(sluice_host* h) { return runtime_of(h).config().node_id.c_str(); }
const char* connector_name(sluice_host* h) { return h->connector->name().c_str(); }
const char* state_dir(sluice_host* h) {
  const auto& dir = runtime_of(h).config().state_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir.c_str();
}
void source_finished(sluice_host* h) { runtime_of(h).source_finished(*h->connector); }

const sluice_host_api kApi = {sizeof(sluice_host_api),
                              SLUICE_ABI_MAJOR,
                              SLUICE_ABI_MINOR,
                              &emit,
                              &complete,
                              &write_log,
                              &log_enabled,
                              &metric,
                              &metric_add,
                              &metric_set,
                              &timer_start,
                              &timer_cancel,
                              &node_id,
                              &connector_name,
                              &state_dir,
                              &source_finished,
                              &emit_batch};

}  // namespace

const sluice_host_api* host_api() { return &kApi; }

}  // namespace sluice::runtime
