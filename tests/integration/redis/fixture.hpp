// Running sluice against Redis in the integration tests: redis-cli as the
// independent client, unique key names, a private redis-server for tests
// that kill the server, and `sluice run` waited for until connected.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/sluice_test.hpp"

namespace sluice::test::redis {

// "<name>-<pid>-<counter>": keys no other test run shares.
std::string unique_name(const std::string& name);

// redis://host:port/0 of the shared test server.
std::string redis_url();

// redis-cli against `port` (the shared server's when 0): the command's raw
// output (one line per reply element). Fails the test on a non-zero exit.
std::string cli(const std::vector<std::string>& args, uint16_t port = 0);
// The reply as a number (XLEN, LLEN, ...).
int64_t cli_int(const std::vector<std::string>& args, uint16_t port = 0);
// Sends every line of `commands` (redis-cli syntax) through one redis-cli.
void cli_pipe(const std::string& commands, uint16_t port = 0);
uint16_t shared_port();

// Entries still pending in `group` of `stream` (the XPENDING summary's count).
int64_t pending_count(const std::string& stream, const std::string& group, uint16_t port = 0);

// Waits until sluice logged `count` "Redis connector ready" lines.
inline void expect_ready(Process& sluice, int count = 1,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  expect_logged(sluice, "Redis connector ready", count, timeout);
}

// A redis-server of the test's own on a free loopback port, with an
// append-only file fsynced on every write, so that a kill -9 loses nothing.
class PrivateRedis {
 public:
  // On `port`, or a free one when 0.
  explicit PrivateRedis(std::vector<std::string> extra_args = {}, uint16_t port = 0);
  ~PrivateRedis();
  uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  void kill9();
  void start();

 private:
  TempDir dir_;
  uint16_t port_;
  std::vector<std::string> extra_;
  std::unique_ptr<Process> server_;
};

// A sentinel (redis-server --sentinel) of the test's own watching `master_port` as `name`,
// deciding alone (quorum 1) after 1 s without answers.
class PrivateSentinel {
 public:
  PrivateSentinel(const std::string& name, uint16_t master_port);
  uint16_t port() const { return port_; }

 private:
  TempDir dir_;
  uint16_t port_;
  std::unique_ptr<Process> sentinel_;
};

}  // namespace sluice::test::redis
