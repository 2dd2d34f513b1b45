// Paths and broker addresses that ctest and scripts/brokers.sh export to the
// tests. A broker getter throws MissingEnvironment (which fails the test with
// its message) when its variable is unset, so a test never silently skips.
// The path getters fall back to this build's own paths, else throw too.
#pragma once

#include <stdexcept>
#include <string>

namespace sluice::test {

struct MissingEnvironment : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The value of `name`, or "" when unset.
std::string env_or_empty(const std::string& name);

// Built artefacts and the source tree (exported by ctest, see tests/CMakeLists.txt).
std::string sluice_bin();       // SLUICE_BIN: the sluice executable
std::string plugin_dir();       // SLUICE_PLUGIN_DIR: build/plugins
std::string test_plugin_dir();  // SLUICE_TEST_PLUGIN_DIR: build/test-plugins
std::string source_dir();       // SLUICE_SOURCE_DIR
std::string build_dir();        // SLUICE_BUILD_DIR

// Shared test brokers started by `scripts/brokers.sh start`.
std::string nats_url();       // SLUICE_TEST_NATS_URL, e.g. nats://127.0.0.1:14222
std::string nats_monitor();   // SLUICE_TEST_NATS_MONITOR, e.g. 127.0.0.1:18222 (HTTP)
std::string redis_addr();     // SLUICE_TEST_REDIS_ADDR, e.g. 127.0.0.1:16379
std::string mqtt_addr();      // SLUICE_TEST_MQTT_ADDR, e.g. 127.0.0.1:11883
std::string amqp_url();       // SLUICE_TEST_AMQP_URL, e.g. amqp://guest:guest@127.0.0.1:15673/
std::string kafka_brokers();  // SLUICE_TEST_KAFKA_BROKERS, e.g. 127.0.0.1:P1,127.0.0.1:P2

}  // namespace sluice::test
