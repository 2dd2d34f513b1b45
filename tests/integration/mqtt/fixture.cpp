// Running sluice against mosquitto in the integration tests (see fixture.hpp).
#include "fixture.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <sstream>

namespace sluice::test::mqtt {

std::string unique_root(const std::string& name) {
  static std::atomic<int> counter{0};
  return "t/" + name + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

HostPort shared_broker() { return split_host_port(mqtt_addr()); }

std::string connector_yaml(const std::string& name, const HostPort& broker,
                           const std::string& extra) {
  return "  " + name + ":\n    plugin: mqtt\n    url: tcp://" + broker.host + ":" +
         std::to_string(broker.port) + "\n" + extra;
}

Subscriber::Subscriber(const HostPort& broker, std::vector<std::string> filters, int qos,
                       std::vector<std::string> extra_args)
    : filters_(filters.size()) {
  // stdbuf: mosquitto_sub writes through stdio, fully buffered into a file.
  std::vector<std::string> argv = {"stdbuf",
                                   "-oL",
                                   "mosquitto_sub",
                                   "-d",
                                   "-h",
                                   broker.host,
                                   "-p",
                                   std::to_string(broker.port),
                                   "-q",
                                   std::to_string(qos),
                                   "-F",
                                   "MSG %q %r %t %p"};
  for (auto& f : filters) argv.insert(argv.end(), {"-t", f});
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv);
}

void Subscriber::wait_subscribed() {
  bool ok =
      wait_until([&] { return count_occurrences(process_->output(), "received SUBACK") >= 1; },
                 std::chrono::seconds(10));
  ASSERT_TRUE(ok) << "mosquitto_sub did not subscribe:\n" << process_->output();
}

std::vector<Received> Subscriber::messages() const {
  std::vector<Received> out;
  std::istringstream in(process_->output());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("MSG ") || line.size() < 9) continue;
    Received r;
    r.qos = line[4] - '0';
    r.retained = line[6] == '1';
    size_t space = line.find(' ', 8);
    r.topic = line.substr(8, space == std::string::npos ? space : space - 8);
    if (space != std::string::npos) r.payload = line.substr(space + 1);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Received> Subscriber::wait_for(size_t count, std::chrono::milliseconds timeout) {
  wait_until([&] { return messages().size() >= count; }, timeout);
  return messages();
}

void publish(const HostPort& broker, const std::string& topic, const std::string& payload, int qos,
             std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {"mosquitto_pub",
                                   "-h",
                                   broker.host,
                                   "-p",
                                   std::to_string(broker.port),
                                   "-q",
                                   std::to_string(qos),
                                   "-t",
                                   topic,
                                   "-m",
                                   payload};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::string output;
  ASSERT_EQ(run_command(argv, {}, &output, std::chrono::seconds(20)), 0) << output;
}

void publish_lines(const HostPort& broker, const std::string& topic,
                   const std::vector<std::string>& lines, int qos) {
  TempDir dir;
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write_file(dir.file("lines"), text);
  Process pub({"mosquitto_pub", "-h", broker.host, "-p", std::to_string(broker.port), "-q",
               std::to_string(qos), "-t", topic, "-l"},
              {}, ProcessOptions{.stdin_file = dir.file("lines")});
  auto status = pub.wait(std::chrono::seconds(60));
  ASSERT_TRUE(status && *status == 0) << pub.output();
}

PrivateBroker::PrivateBroker(Options options) : options_(options) {
  port_ = free_tcp_port();
  // `user`: as root, mosquitto would switch to the mosquitto account.
  // max_queued_messages: the kill test queues thousands for a dead sluice.
  std::string conf = "per_listener_settings false\npersistence false\nmax_queued_messages 100000\n";
  if (const passwd* pw = getpwuid(getuid())) conf += std::string("user ") + pw->pw_name + "\n";
  conf += "listener " + std::to_string(port_) + " 127.0.0.1\n";
  if (options_.tls) {
    tls_port_ = free_tcp_port();
    std::string d = dir_.path().string();
    std::string script =
        "set -e; cd '" + d +
        "'; openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
        "-subj /CN=sluice-test-ca >/dev/null 2>&1; "
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=127.0.0.1 >/dev/null 2>&1; "
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext; "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out server.pem -days 2 -extfile san.ext >/dev/null 2>&1";
    std::string out;
    EXPECT_EQ(run_command({"sh", "-c", script}, {}, &out), 0) << out;
    conf += "listener " + std::to_string(tls_port_) + " 127.0.0.1\n";
    conf += "cafile " + dir_.file("ca.pem") + "\ncertfile " + dir_.file("server.pem") +
            "\nkeyfile " + dir_.file("server.key") + "\n";
  }
  if (options_.password) {
    std::string out;
    EXPECT_EQ(run_command({"mosquitto_passwd", "-b", "-c", dir_.file("passwd"), "sluice", "secret"},
                          {}, &out),
              0)
        << out;
    conf += "allow_anonymous false\npassword_file " + dir_.file("passwd") + "\n";
  } else {
    conf += "allow_anonymous true\n";
  }
  write_file(dir_.file("mosquitto.conf"), conf);
}

PrivateBroker::~PrivateBroker() {
  if (process_) process_->stop(std::chrono::seconds(5));
}

void PrivateBroker::start() {
  process_ = std::make_unique<Process>(
      std::vector<std::string>{"mosquitto", "-c", dir_.file("mosquitto.conf")});
  bool up = wait_until([&] { return tcp_port_open("127.0.0.1", port_); }, std::chrono::seconds(10));
  ASSERT_TRUE(up) << "private mosquitto did not start:\n" << process_->output();
  if (options_.tls) {
    up =
        wait_until([&] { return tcp_port_open("127.0.0.1", tls_port_); }, std::chrono::seconds(10));
    ASSERT_TRUE(up) << process_->output();
  }
}

void PrivateBroker::kill() {
  if (!process_) return;
  process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(10));
}

std::vector<std::string> numbered(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

}  // namespace sluice::test::mqtt
