// Shared pieces of the http plugin's integration tests: a sluice config
// around one webhook connector, and starting sluice until it listens.
#pragma once

#include <string>

#include "support/sluice_test.hpp"

namespace sluice::test::http {

// The top of a config: one worker, no admin server, state in `dir`.
inline std::string config_head(const TempDir& dir, int queue_capacity = 8192) {
  return "workers: 1\n"
         "queue_capacity: " +
         std::to_string(queue_capacity) +
         "\n"
         "admin: { enabled: false }\n"
         "state_dir: " +
         dir.file("state") + "\n";
}

// Starts sluice on `config` and waits until `port` accepts connections.
inline SluiceProcess start_listening(const std::string& config, uint16_t port,
                                     const Env& env = {}) {
  auto sluice = SluiceProcess::run(config, {}, env);
  bool up = wait_until([&] { return tcp_port_open("127.0.0.1", port) || !sluice.running(); },
                       std::chrono::seconds(30));
  if (!up || !sluice.running())
    throw std::runtime_error("sluice did not start listening on " + std::to_string(port) + ":\n" +
                             sluice.output());
  return sluice;
}

}  // namespace sluice::test::http
