#include "support/env.hpp"

#include <cstdlib>

#ifndef SLUICE_TEST_DEFAULT_BIN  // set by tests/support/CMakeLists.txt
#define SLUICE_TEST_DEFAULT_BIN ""
#define SLUICE_TEST_DEFAULT_PLUGIN_DIR ""
#define SLUICE_TEST_DEFAULT_TEST_PLUGIN_DIR ""
#define SLUICE_TEST_DEFAULT_SOURCE_DIR ""
#define SLUICE_TEST_DEFAULT_BUILD_DIR ""
#endif

namespace sluice::test {
namespace {

// The exported variable, else the path this build was configured with.
std::string required_path(const char* name, const char* what, const char* build_default) {
  std::string value = env_or_empty(name);
  if (value.empty()) value = build_default;
  if (value.empty()) {
    throw MissingEnvironment(std::string(name) + " is not set (" + what +
                             "). Run the tests through ctest (ctest --test-dir build), "
                             "which exports it, or export it yourself.");
  }
  return value;
}

std::string required_broker(const char* name, const char* broker) {
  std::string value = env_or_empty(name);
  if (value.empty()) {
    throw MissingEnvironment(std::string(name) + " is not set: this test needs the shared " +
                             broker +
                             " test broker. Start the brokers with `scripts/brokers.sh start` "
                             "and eval its export lines (or source its env.sh), or run "
                             "scripts/test.sh which does both.");
  }
  return value;
}

}  // namespace

std::string env_or_empty(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? value : "";
}

std::string sluice_bin() {
  return required_path("SLUICE_BIN", "the sluice executable", SLUICE_TEST_DEFAULT_BIN);
}
std::string plugin_dir() {
  return required_path("SLUICE_PLUGIN_DIR", "build/plugins", SLUICE_TEST_DEFAULT_PLUGIN_DIR);
}
std::string test_plugin_dir() {
  return required_path("SLUICE_TEST_PLUGIN_DIR", "build/test-plugins",
                       SLUICE_TEST_DEFAULT_TEST_PLUGIN_DIR);
}
std::string source_dir() {
  return required_path("SLUICE_SOURCE_DIR", "the source tree", SLUICE_TEST_DEFAULT_SOURCE_DIR);
}
std::string build_dir() {
  return required_path("SLUICE_BUILD_DIR", "the build tree", SLUICE_TEST_DEFAULT_BUILD_DIR);
}

std::string nats_url() { return required_broker("SLUICE_TEST_NATS_URL", "NATS"); }
std::string nats_monitor() {
  return required_broker("SLUICE_TEST_NATS_MONITOR", "NATS (monitoring port)");
}
std::string redis_addr() { return required_broker("SLUICE_TEST_REDIS_ADDR", "Redis"); }
std::string mqtt_addr() { return required_broker("SLUICE_TEST_MQTT_ADDR", "MQTT (mosquitto)"); }
std::string amqp_url() { return required_broker("SLUICE_TEST_AMQP_URL", "RabbitMQ"); }
std::string kafka_brokers() {
  return required_broker("SLUICE_TEST_KAFKA_BROKERS", "Kafka (mock cluster)");
}

}  // namespace sluice::test
