// Redis test fixture (see fixture.hpp).
#include "fixture.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <csignal>

namespace sluice::test::redis {

std::string unique_name(const std::string& name) {
  static std::atomic<int> counter{0};
  return name + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

uint16_t shared_port() {
  std::string addr = redis_addr();
  return static_cast<uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
}

std::string redis_url() { return "redis://" + redis_addr() + "/0"; }

static std::vector<std::string> cli_argv(const std::vector<std::string>& args, uint16_t port) {
  std::vector<std::string> argv = {"redis-cli", "-h", "127.0.0.1", "-p",
                                   std::to_string(port ? port : shared_port())};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string cli(const std::vector<std::string>& args, uint16_t port) {
  std::string out;
  int status = run_command(cli_argv(args, port), {}, &out);
  EXPECT_EQ(status, 0) << "redis-cli failed: " << out;
  return out;
}

int64_t cli_int(const std::vector<std::string>& args, uint16_t port) {
  std::string out = cli(args, port);
  try {
    return std::stoll(out);
  } catch (const std::exception&) {
    ADD_FAILURE() << "redis-cli did not answer a number: " << out;
    return -1;
  }
}

void cli_pipe(const std::string& commands, uint16_t port) {
  TempDir dir;
  std::string path = dir.file("commands.txt");
  write_file(path, commands);
  ProcessOptions options;
  options.stdin_file = path;
  Process p(cli_argv({}, port), {}, options);
  auto status = p.wait(std::chrono::seconds(120));
  ASSERT_TRUE(status.has_value() && *status == 0) << p.output();
}

int64_t pending_count(const std::string& stream, const std::string& group, uint16_t port) {
  std::string out = cli({"XPENDING", stream, group}, port);
  try {
    return std::stoll(out);  // the summary's first line is the count
  } catch (const std::exception&) {
    return -1;
  }
}

PrivateRedis::PrivateRedis(std::vector<std::string> extra_args, uint16_t port)
    : port_(port ? port : free_tcp_port()), extra_(std::move(extra_args)) {
  start();
}

PrivateRedis::~PrivateRedis() {
  if (server_) server_->stop(std::chrono::seconds(5));
}

void PrivateRedis::start() {
  std::vector<std::string> argv = {"redis-server",
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "yes",
                                   "--appendfsync",
                                   "always",
                                   "--daemonize",
                                   "no",
                                   "--dir",
                                   dir_.path().string()};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  server_ = std::make_unique<Process>(argv);
  bool up = wait_until(
      [&] {
        std::string out;
        return run_command(cli_argv({"PING"}, port_), {}, &out) == 0 &&
               out.find("PONG") != std::string::npos;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(20));
  ASSERT_TRUE(up) << server_->output();
}

PrivateSentinel::PrivateSentinel(const std::string& name, uint16_t master_port)
    : port_(free_tcp_port()) {
  std::string conf = dir_.file("sentinel.conf");
  write_file(conf, "port " + std::to_string(port_) + "\nbind 127.0.0.1\ndaemonize no\ndir " +
                       dir_.path().string() + "\nsentinel monitor " + name + " 127.0.0.1 " +
                       std::to_string(master_port) + " 1\nsentinel down-after-milliseconds " +
                       name + " 1000\nsentinel failover-timeout " + name + " 5000\n");
  sentinel_ =
      std::make_unique<Process>(std::vector<std::string>{"redis-server", conf, "--sentinel"});
  bool up = wait_until(
      [&] {
        std::string out;
        return run_command(cli_argv({"SENTINEL", "get-master-addr-by-name", name}, port_), {},
                           &out) == 0 &&
               out.find(std::to_string(master_port)) != std::string::npos;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50));
  if (!up) ADD_FAILURE() << "redis-sentinel did not come up: " << sentinel_->output();
}

void PrivateRedis::kill9() {
  server_->signal(SIGKILL);
  server_->wait(std::chrono::seconds(10));
  server_.reset();
}

}  // namespace sluice::test::redis
