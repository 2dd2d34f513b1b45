// Running sluice against mosquitto in the integration tests: unique topics,
// mosquitto_sub/mosquitto_pub as the independent clients, a private
// mosquitto (free port, optional password file and TLS listener with a test
// CA) for tests that stop the broker or need authentication.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/sluice_test.hpp"

namespace sluice::test::mqtt {

// "t/<name>-<pid>-<counter>": a topic root no other test run shares.
std::string unique_root(const std::string& name);

// host and port of the shared mosquitto (SLUICE_TEST_MQTT_ADDR).
HostPort shared_broker();

// A connector block (`  <name>:\n    plugin: mqtt\n    url: ...`) plus `extra`
// lines (each indented by 4 spaces by the caller).
std::string connector_yaml(const std::string& name, const HostPort& broker,
                           const std::string& extra = "");

struct Received {
  int qos = 0;
  bool retained = false;
  std::string topic;
  std::string payload;
};

// The payloads of `messages`, in order.
std::vector<std::string> payloads_of(const std::vector<Received>& messages);

// mosquitto_sub on `filters`, printing "MSG <qos> <retain> <topic> <payload>" lines.
class Subscriber {
 public:
  Subscriber(const HostPort& broker, std::vector<std::string> filters, int qos,
             std::vector<std::string> extra_args = {});
  // Waits until mosquitto_sub has its SUBACK(s).
  void wait_subscribed();
  std::vector<Received> messages() const;
  // Waits until at least `count` messages arrived; returns them.
  std::vector<Received> wait_for(size_t count, std::chrono::milliseconds timeout);
  std::string output() const { return process_->output(); }

 private:
  size_t filters_;
  std::unique_ptr<Process> process_;
};

// mosquitto_pub of one message; extra_args e.g. {"-r"} or {"-V", "mqttv5"}.
void publish(const HostPort& broker, const std::string& topic, const std::string& payload, int qos,
             std::vector<std::string> extra_args = {});
// mosquitto_pub -l: one message per line of `lines`, in one connection.
void publish_lines(const HostPort& broker, const std::string& topic,
                   const std::vector<std::string>& lines, int qos);

// A mosquitto of the test's own on free loopback ports.
class PrivateBroker {
 public:
  struct Options {
    bool password = false;    // user "sluice" / password "secret", anonymous refused
    bool tls = false;         // a second listener with a certificate of a test CA
    bool websockets = false;  // a listener speaking MQTT over WebSocket (ws://)
    // Topic filter whose subscription the broker refuses (SUBACK 0x87 / 0x80).
    // mosquitto 2.0's acl_file cannot: it grants the subscription and only
    // withholds the messages. The dynamic-security plugin checks at SUBSCRIBE.
    std::string deny_subscribe;
  };
  explicit PrivateBroker(Options options);
  ~PrivateBroker();
  void start();
  void kill();  // SIGKILL, as a crash
  HostPort plain() const { return {"127.0.0.1", port_}; }
  HostPort tls() const { return {"127.0.0.1", tls_port_}; }
  HostPort websockets() const { return {"127.0.0.1", ws_port_}; }
  std::string ca_file() const { return dir_.file("ca.pem"); }
  std::string output() const { return process_ ? process_->output() : ""; }

 private:
  Options options_;
  TempDir dir_;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
  uint16_t ws_port_ = 0;
  std::unique_ptr<Process> process_;
};

// config_header with the admin server on 127.0.0.1:<admin_port>.
std::string config_header_with_admin(const std::string& node_id, uint16_t admin_port);
// The value of `series` (a metric's name and its first labels, e.g.
// `sluice_route_parse_errors_total{route="r"`) on /metrics; NaN if absent.
double scrape(uint16_t admin_port, const std::string& series);
// sluice_mqtt_<name>{connector="<connector>",...} from /metrics; NaN if absent.
double mqtt_metric(uint16_t admin_port, const std::string& name,
                   const std::string& connector = "m");
// Waits until the metric equals `value`; fails the test with /metrics if not.
void expect_metric(uint16_t admin_port, const std::string& name, double value,
                   std::chrono::milliseconds timeout = std::chrono::seconds(20));

// "<prefix><i>" for i in [0, n).
std::vector<std::string> numbered(const std::string& prefix, int n);

}  // namespace sluice::test::mqtt
