// Shared pieces of the http plugin's integration tests: a sluice config
// around one webhook connector, and starting sluice until it listens.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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

// A config with a webhook connector `hook` on `port` (with `extra`
// settings, ", split: json_lines") routed into connector `out`, given as a
// YAML flow mapping.
inline std::string webhook_into(const TempDir& dir, uint16_t port, const std::string& out,
                                const std::string& extra = "") {
  return config_head(dir) +
         "connectors:\n  hook: { plugin: http, listen: \"127.0.0.1:" + std::to_string(port) +
         "\", paths: [\"/ingest/${subject}\"]" + extra + " }\n  out: " + out +
         "\nroutes:\n  - from: hook\n    to: out\n";
}

// The same into a file sink writing `out_path`.
inline std::string webhook_config(const TempDir& dir, uint16_t port, const std::string& out_path,
                                  const std::string& extra = "") {
  return webhook_into(dir, port, "{ plugin: file, mode: sink, path: \"" + out_path + "\" }", extra);
}

// Starts sluice on `config` and waits until it says it listens on `port`.
// Its own log line, not an open port: tests run in parallel, and a port
// another test's sluice took meanwhile would answer in its place.
inline SluiceProcess start_listening(const std::string& config, uint16_t port,
                                     const Env& env = {}) {
  auto sluice = SluiceProcess::run(config, {}, env);
  bool up = sluice.wait_for_output("listening on 127.0.0.1:" + std::to_string(port),
                                   std::chrono::seconds(30));
  if (!up || !sluice.running())
    throw std::runtime_error("sluice did not start listening on " + std::to_string(port) + ":\n" +
                             sluice.output());
  return sluice;
}

// A test around one sluice with a webhook: its directory, a free port, a
// path for a file sink's output, and the sluice process once started.
class WebhookTest : public testing::Test {
 protected:
  // Writes `config` and starts sluice on it until it listens on port_.
  void start(const std::string& config, const Env& env = {}) {
    write_file(dir_.file("sluice.yaml"), config);
    sluice_.emplace(start_listening(dir_.file("sluice.yaml"), port_, env));
  }
  // "<scheme>://127.0.0.1:<port><path>"
  std::string url(const std::string& path, const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  TempDir dir_;
  uint16_t port_ = free_tcp_port();
  std::string out_ = dir_.file("out.jsonl");
  std::optional<SluiceProcess> sluice_;
};

// What curl got: the status (0 when there was no HTTP answer: refused,
// failed TLS handshake), the body, and curl's own output (its errors).
struct CurlAnswer {
  int status = 0;
  std::string body;
  std::string output;
};

// `curl -sS <args...>` as the independent client; the body goes through a
// file in `dir`.
inline CurlAnswer curl(const TempDir& dir, const std::vector<std::string>& args) {
  std::string body_file = dir.file("curl-body");
  std::filesystem::remove(body_file);
  std::vector<std::string> argv{"curl", "-sS", "-o", body_file, "-w", "\n%{http_code}"};
  argv.insert(argv.end(), args.begin(), args.end());
  CurlAnswer out;
  run_command(argv, {}, &out.output, std::chrono::seconds(30));
  size_t last_line = out.output.rfind('\n');
  out.status = std::atoi(out.output.c_str() + (last_line == std::string::npos ? 0 : last_line + 1));
  if (std::filesystem::exists(body_file)) out.body = read_file(body_file);
  return out;
}

}  // namespace sluice::test::http
