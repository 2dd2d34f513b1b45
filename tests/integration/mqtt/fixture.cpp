// Running sluice against mosquitto in the integration tests (see fixture.hpp).
#include "fixture.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <sstream>

namespace sluice::test::mqtt {

namespace {

// Debian's mosquitto package ships it in the multiarch library directory.
std::string dynamic_security_plugin() {
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib")) {
    auto candidate = entry.path() / "mosquitto_dynamic_security.so";
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  ADD_FAILURE() << "mosquitto_dynamic_security.so not found under /usr/lib/*/";
  return "mosquitto_dynamic_security.so";
}

}  // namespace

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

std::vector<std::string> payloads_of(const std::vector<Received>& messages) {
  std::vector<std::string> out;
  for (const auto& r : messages) out.push_back(r.payload);
  return out;
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
  if (options_.websockets) {
    ws_port_ = free_tcp_port();
    conf += "listener " + std::to_string(ws_port_) + " 127.0.0.1\nprotocol websockets\n";
  }
  if (!options_.deny_subscribe.empty()) {
    // Everything allowed by default; anonymous clients (the dynamic-security
    // plugin's anonymous group) may not subscribe to deny_subscribe.
    boost::json::object deny{
        {"acltype", "subscribePattern"}, {"topic", options_.deny_subscribe}, {"allow", false}};
    boost::json::object dynsec{
        {"defaultACLAccess",
         {{"publishClientSend", true},
          {"publishClientReceive", true},
          {"subscribe", true},
          {"unsubscribe", true}}},
        {"clients", boost::json::array{}},
        {"groups", boost::json::array{boost::json::object{
                       {"groupname", "anonymous"},
                       {"roles", boost::json::array{boost::json::object{{"rolename", "deny"}}}}}}},
        {"roles", boost::json::array{boost::json::object{{"rolename", "deny"},
                                                         {"acls", boost::json::array{deny}}}}},
        {"anonymousGroup", "anonymous"}};
    write_file(dir_.file("dynsec.json"), boost::json::serialize(dynsec));
    conf += "plugin " + dynamic_security_plugin() + "\nplugin_opt_config_file " +
            dir_.file("dynsec.json") + "\n";
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
  for (uint16_t extra : {tls_port_, ws_port_}) {
    if (extra == 0) continue;
    up = wait_until([&] { return tcp_port_open("127.0.0.1", extra); }, std::chrono::seconds(10));
    ASSERT_TRUE(up) << process_->output();
  }
}

void PrivateBroker::kill() {
  if (!process_) return;
  process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(10));
}

std::string config_header_with_admin(const std::string& node_id, uint16_t admin_port) {
  return "node_id: " + node_id +
         "\nworkers: 2\nshutdown_timeout_ms: 10000\nadmin: {enabled: true, listen: 127.0.0.1:" +
         std::to_string(admin_port) + "}\n";
}

double scrape(uint16_t admin_port, const std::string& series) {
  std::string text = http_get("127.0.0.1", admin_port, "/metrics").body;
  size_t at = text.find("\n" + series);
  if (at == std::string::npos) return std::nan("");
  size_t value = text.find("} ", at);
  return value == std::string::npos ? std::nan("") : std::stod(text.substr(value + 2));
}

double mqtt_metric(uint16_t admin_port, const std::string& name, const std::string& connector) {
  return scrape(admin_port, "sluice_mqtt_" + name + "{connector=\"" + connector + "\",");
}

void expect_metric(uint16_t admin_port, const std::string& name, double value,
                   std::chrono::milliseconds timeout) {
  bool reached = wait_until([&] { return mqtt_metric(admin_port, name) == value; }, timeout);
  EXPECT_TRUE(reached) << "sluice_mqtt_" << name << " did not reach " << value << ":\n"
                       << http_get("127.0.0.1", admin_port, "/metrics").body;
}

std::vector<std::string> numbered(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

}  // namespace sluice::test::mqtt
