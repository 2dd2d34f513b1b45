#include "client_events.hpp"

#include <string>

namespace sluice::kafka {

void ClientEvents::install_callbacks(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_log_cb(conf, &ClientEvents::log_cb);
  rd_kafka_conf_set_error_cb(conf, &ClientEvents::error_cb);
  rd_kafka_conf_set_stats_cb(conf, &ClientEvents::stats_cb);
}

void ClientEvents::log_cb(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  auto* self = from_opaque(rd_kafka_opaque(rk));
  if (!self) return;
  // librdkafka logs with syslog levels.
  LogLevel l = level <= 3   ? LogLevel::kError
               : level == 4 ? LogLevel::kWarn
               : level <= 6 ? LogLevel::kInfo
                            : LogLevel::kDebug;
  if (!self->host_.log_enabled(l)) return;
  self->host_.logf(l, "librdkafka %s [%s]: %s", self->role(), facility, text);
}

void ClientEvents::error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = from_opaque(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  switch (code) {
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
      self->health_.brokers_down(self->client_, reason);
      self->host_.logf(LogLevel::kWarn, "%s: all brokers are down: %s", self->role(), reason);
      return;
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      self->health_.brokers_down(self->client_, std::string("authentication failed: ") + reason);
      self->host_.logf(LogLevel::kError, "%s: authentication failed: %s", self->role(), reason);
      return;
    case RD_KAFKA_RESP_ERR__FATAL: {
      char text[512] = {0};
      rd_kafka_resp_err_t original = rd_kafka_fatal_error(rk, text, sizeof text);
      std::string what = std::string(rd_kafka_err2name(original)) + ": " + text;
      self->health_.fatal(self->client_, what);
      self->host_.logf(LogLevel::kError, "%s failed for good: %s", self->role(), what.c_str());
      return;
    }
    default:
      self->host_.logf(LogLevel::kWarn, "%s: %s: %s", self->role(), rd_kafka_err2name(code),
                       reason);
  }
}

int ClientEvents::stats_cb(rd_kafka_t*, char* json, size_t json_len, void* opaque) {
  auto* self = from_opaque(opaque);
  auto stats = parse_statistics(std::string_view(json, json_len));
  if (!stats) return 0;
  if (stats->brokers_up > 0) self->health_.brokers_reachable(self->client_);
  self->on_statistics(*stats);
  return 0;  // librdkafka frees the JSON
}

}  // namespace sluice::kafka
