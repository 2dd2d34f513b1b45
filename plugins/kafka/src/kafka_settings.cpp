#include "kafka_settings.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

namespace sluice::kafka {

const SettingsTable<KafkaSettings>& settings() {
  using O = KafkaSettings;
  static const SettingsTable<O> table{
      field(&O::brokers, "brokers")
          .require()
          .doc("Bootstrap brokers, `host:port`, as a list or a comma-separated string"),
      field(&O::group, "group")
          .def("sluice")
          .doc(
              "Consumer group id. Every sluice instance with the same group shares the partitions"),
      field(&O::topics, "topics")
          .def(std::vector<std::string>())
          .doc("Topics to consume: names, or regular expressions starting with `^`. Routes add the "
               "topic of their `from: connector:topic`"),
      field(&O::auto_offset_reset, "auto_offset_reset")
          .def("earliest")
          .one_of({"earliest", "latest"})
          .doc("Where a group without a committed offset starts reading"),
      field(&O::client_id, "client_id")
          .doc("Client id shown to the brokers; defaults to the `node_id`"),
      field(&O::sasl_mechanism, "sasl_mechanism")
          .one_of({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
          .doc("SASL authentication mechanism (needs `sasl_username` and `sasl_password`)"),
      field(&O::sasl_username, "sasl_username").doc("SASL user name"),
      field(&O::sasl_password, "sasl_password")
          .hide()
          .doc("SASL password; write `${KAFKA_PASSWORD}`"),
      field(&O::tls, "tls")
          .def(false)
          .doc("Connect with TLS (implied by `tls_ca`, `tls_cert` or `tls_key`)"),
      field(&O::tls_ca, "tls_ca").doc("CA certificate file (PEM) to verify the brokers with"),
      field(&O::tls_cert, "tls_cert").doc("Client certificate file (PEM), with `tls_key`"),
      field(&O::tls_key, "tls_key").doc("Client private key file (PEM), with `tls_cert`"),
      field(&O::compression, "compression")
          .def("none")
          .one_of({"none", "gzip", "snappy", "lz4", "zstd"})
          .doc("Compression of produced batches"),
      field(&O::linger_ms, "linger_ms")
          .def(5)
          .min(0)
          .max(900000)
          .doc("How long the producer waits to fill a batch"),
      field(&O::batch_size, "batch_size")
          .def(1000000)
          .min(1)
          .max(2147483647)
          .doc("Largest produced batch, in bytes"),
      field(&O::acks, "acks")
          .def("all")
          .one_of({"all", "1", "0"})
          .doc("Broker acknowledgements a produced message needs (`all` with `idempotence`)"),
      field(&O::idempotence, "idempotence")
          .def(true)
          .doc("Idempotent producer: retries never duplicate or reorder messages"),
      field(&O::properties, "properties")
          .def(boost::json::object())
          .doc("Any other librdkafka property, passed as is (e.g. `session.timeout.ms: 10000`)"),
      field(&O::default_topic, "default_topic")
          .def("")
          .doc("Topic for published messages that have no subject (topic) at all"),
      field(&O::dead_letter_topic, "dead_letter_topic")
          .def("")
          .doc("Where a consumed message goes when the host refuses it (NACK) instead of being "
               "read again; the offset then moves on"),
      field(&O::max_poll_batch, "max_poll_batch")
          .def(1000)
          .min(1)
          .max(1000000)
          .doc("Messages handed to the host per poll round before offsets are stored"),
      field(&O::queue_buffering_max_messages, "queue_buffering_max_messages")
          .def(100000)
          .min(1)
          .max(2147483647)
          .doc("Producer's local queue; when full, publishing reports busy (backpressure)"),
      field(&O::statistics_interval_ms, "statistics_interval_ms")
          .def(5000)
          .min(0)
          .max(86400000)
          .doc("How often librdkafka statistics update the metrics and health; 0 turns them off"),
      field(&O::commit_interval_ms, "commit_interval_ms")
          .def(1000)
          .min(1)
          .max(86400000)
          .doc("How often completed offsets are committed to the group"),
      field(&O::redelivery_delay, "redelivery_delay_ms")
          .def(std::chrono::milliseconds(1000))
          .min(0)
          .max(3600000)
          .doc("Wait before a refused (NACKed) message is read again"),
      field(&O::revoke_timeout, "revoke_timeout_ms")
          .def(std::chrono::milliseconds(5000))
          .min(0)
          .max(600000)
          .doc("On a rebalance, how long to wait for in-flight messages of revoked partitions"),
  };
  return table;
}

namespace {

void add(Properties& p, std::string name, std::string value) {
  p.emplace_back(std::move(name), std::move(value));
}

std::string join_brokers(const std::vector<std::string>& brokers) {
  std::string out;
  for (const auto& b : brokers) out += (out.empty() ? "" : ",") + b;
  return out;
}

// A setting without default: absent and empty mean the same.
const std::string& text(const std::optional<std::string>& setting) {
  static const std::string kEmpty;
  return setting ? *setting : kEmpty;
}

bool uses_tls(const KafkaSettings& s) {
  return s.tls || !text(s.tls_ca).empty() || !text(s.tls_cert).empty() || !text(s.tls_key).empty();
}

// The `properties` map as strings; numbers and booleans are written as
// librdkafka expects them.
bool property_text(const boost::json::value& v, std::string& out) {
  if (v.is_string()) {
    out = std::string(v.get_string());
  } else if (v.is_bool()) {
    out = v.get_bool() ? "true" : "false";
  } else if (v.is_int64()) {
    out = std::to_string(v.get_int64());
  } else if (v.is_uint64()) {
    out = std::to_string(v.get_uint64());
  } else if (v.is_double()) {
    std::ostringstream s;
    s << v.get_double();
    out = s.str();
  } else {
    return false;
  }
  return true;
}

// Properties sluice manages itself, and what to use instead.
const std::map<std::string, std::string, std::less<>>& reserved_properties() {
  static const std::map<std::string, std::string, std::less<>> reserved = {
      {"bootstrap.servers", "use the setting `brokers`"},
      {"metadata.broker.list", "use the setting `brokers`"},
      {"group.id", "use the setting `group`"},
      {"enable.auto.offset.store",
       "sluice stores offsets itself, only once messages are done (at-least-once)"},
      {"enable.auto.commit", "sluice commits completed offsets; see `commit_interval_ms`"},
  };
  return reserved;
}

void discard_log(const rd_kafka_t*, int, const char*, const char*) {}

// Creates (and at once destroys) a client with no brokers, which makes
// librdkafka check the combination of properties, e.g. acks with
// idempotence, or that TLS files can be read.
void check_client(const Properties& props, Role role, std::vector<std::string>& errors) {
  Properties offline;
  for (const auto& [name, value] : props)
    if (name != "bootstrap.servers") offline.emplace_back(name, value);
  std::string error;
  ConfPtr conf = make_conf(offline, error);
  if (!conf) {
    errors.push_back(error);
    return;
  }
  rd_kafka_conf_set_log_cb(conf.get(), &discard_log);
  char errstr[512] = {0};
  rd_kafka_t* rk = rd_kafka_new(role == Role::kConsumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER,
                                conf.get(), errstr, sizeof errstr);
  if (!rk) {
    errors.push_back(std::string(role == Role::kConsumer ? "consumer" : "producer") +
                     " configuration: " + errstr);
    return;
  }
  conf.release();  // owned by rk now
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

}  // namespace

Properties client_properties(const KafkaSettings& s, Role role, std::string_view node_id) {
  Properties p;
  add(p, "bootstrap.servers", join_brokers(s.brokers));
  const std::string& client_id = text(s.client_id);
  add(p, "client.id", client_id.empty() ? std::string(node_id) : client_id);

  const bool tls = uses_tls(s);
  const std::string& mechanism = text(s.sasl_mechanism);
  if (!mechanism.empty()) {
    add(p, "security.protocol", tls ? "sasl_ssl" : "sasl_plaintext");
    add(p, "sasl.mechanisms", mechanism);
    add(p, "sasl.username", text(s.sasl_username));
    add(p, "sasl.password", text(s.sasl_password));
  } else if (tls) {
    add(p, "security.protocol", "ssl");
  }
  if (!text(s.tls_ca).empty()) add(p, "ssl.ca.location", text(s.tls_ca));
  if (!text(s.tls_cert).empty()) add(p, "ssl.certificate.location", text(s.tls_cert));
  if (!text(s.tls_key).empty()) add(p, "ssl.key.location", text(s.tls_key));

  const std::string stats = std::to_string(s.statistics_interval_ms);
  if (role == Role::kConsumer) {
    add(p, "group.id", s.group);
    add(p, "auto.offset.reset", s.auto_offset_reset);
    // Offsets are stored by sluice once a message is done, then committed
    // in the background: at-least-once without a commit per message.
    add(p, "enable.auto.offset.store", "false");
    add(p, "enable.auto.commit", "true");
    add(p, "auto.commit.interval.ms", std::to_string(s.commit_interval_ms));
    add(p, "partition.assignment.strategy", "cooperative-sticky");
    add(p, "statistics.interval.ms", stats);
  } else {
    add(p, "compression.codec", s.compression);
    add(p, "linger.ms", std::to_string(s.linger_ms));
    add(p, "batch.size", std::to_string(s.batch_size));
    add(p, "acks", s.acks);
    add(p, "enable.idempotence", s.idempotence ? "true" : "false");
    add(p, "queue.buffering.max.messages", std::to_string(s.queue_buffering_max_messages));
    add(p, "statistics.interval.ms", stats);
  }

  for (const auto& [key, value] : s.properties) {
    std::string name(key);
    char owner = property_role(name);
    if (owner == 'C' && role != Role::kConsumer) continue;
    if (owner == 'P' && role != Role::kProducer) continue;
    std::string text;
    if (property_text(value, text)) add(p, name, text);
  }
  return p;
}

ConfPtr make_conf(const Properties& properties, std::string& error) {
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [name, value] : properties) {
    errstr[0] = '\0';
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      error = "property '" + name + "': " + errstr;
      return nullptr;
    }
  }
  return conf;
}

void validate_settings(const KafkaSettings& s, std::vector<std::string>& errors) {
  const size_t before = errors.size();
  if (s.brokers.empty() || join_brokers(s.brokers).find_first_not_of(", ") == std::string::npos)
    errors.push_back("setting 'brokers' is empty: name at least one broker, e.g. 127.0.0.1:9092");
  if (s.group.empty()) errors.push_back("setting 'group' must not be empty");

  const bool has_mechanism = !text(s.sasl_mechanism).empty();
  const bool has_user = !text(s.sasl_username).empty();
  const bool has_password = !text(s.sasl_password).empty();
  if (has_mechanism && (!has_user || !has_password))
    errors.push_back("setting 'sasl_mechanism' needs 'sasl_username' and 'sasl_password'");
  if (!has_mechanism && (has_user || has_password))
    errors.push_back(
        "'sasl_username'/'sasl_password' need 'sasl_mechanism' (PLAIN, SCRAM-SHA-256 or "
        "SCRAM-SHA-512)");
  if (text(s.tls_cert).empty() != text(s.tls_key).empty())
    errors.push_back("settings 'tls_cert' and 'tls_key' go together: set both or neither");
  if (s.idempotence && s.acks != "all")
    errors.push_back(
        "setting 'acks' must be 'all' while 'idempotence' is true (set "
        "idempotence: false to use acks " +
        s.acks + ")");

  for (const auto& [key, value] : s.properties) {
    auto reserved = reserved_properties().find(std::string_view(key));
    if (reserved != reserved_properties().end()) {
      errors.push_back("property '" + std::string(key) +
                       "' is managed by sluice: " + reserved->second);
      continue;
    }
    std::string text;
    if (!property_text(value, text))
      errors.push_back("property '" + std::string(key) +
                       "' must be a string, a number or true/false");
  }
  if (errors.size() != before) return;

  // Every property through librdkafka itself, per client role.
  for (Role role : {Role::kConsumer, Role::kProducer}) {
    Properties props = client_properties(s, role, "sluice");
    std::string error;
    if (!make_conf(props, error)) {
      errors.push_back(error);
      return;
    }
  }
  // Properties that neither role knows were skipped above only if librdkafka
  // gave them a role; unknown ones fail in make_conf. Now the combinations.
  check_client(client_properties(s, Role::kConsumer, "sluice"), Role::kConsumer, errors);
  if (errors.size() != before) return;
  check_client(client_properties(s, Role::kProducer, "sluice"), Role::kProducer, errors);
}

char property_role(std::string_view name) {
  // librdkafka's property table as it prints it: "name | C/P | range | ...".
  static const std::map<std::string, char, std::less<>> roles = [] {
    std::map<std::string, char, std::less<>> out;
    char* buffer = nullptr;
    size_t size = 0;
    FILE* f = open_memstream(&buffer, &size);
    if (!f) return out;
    rd_kafka_conf_properties_show(f);
    std::fclose(f);
    std::istringstream lines(std::string(buffer, size));
    std::free(buffer);
    std::string line;
    while (std::getline(lines, line)) {
      auto bar = line.find('|');
      if (bar == std::string::npos) continue;
      auto trim = [](std::string s) {
        s.erase(0, s.find_first_not_of(' '));
        s.erase(s.find_last_not_of(' ') + 1);
        return s;
      };
      std::string prop = trim(line.substr(0, bar));
      auto bar2 = line.find('|', bar + 1);
      if (bar2 == std::string::npos || prop.empty() || prop == "Property" || prop[0] == '-')
        continue;
      std::string who = trim(line.substr(bar + 1, bar2 - bar - 1));
      if (who.size() == 1 && (who[0] == 'C' || who[0] == 'P' || who[0] == '*'))
        out.emplace(prop, who[0]);
    }
    return out;
  }();
  auto it = roles.find(name);
  return it == roles.end() ? '\0' : it->second;
}

}  // namespace sluice::kafka
