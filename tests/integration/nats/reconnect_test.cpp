// nats-server stopped and restarted under sluice (a private server; the
// shared one is never touched): sluice reconnects by itself, health goes
// unhealthy then healthy, consuming resumes, and publishes made around the
// outage are not lost.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "fixture.hpp"

namespace sluice::test::nats {
namespace {

// Health of connector `name` in a status reply: 1 healthy, 0 not, -1 unknown.
int connector_health(const std::string& status, const std::string& name, std::string* message) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(status, ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("connectors")) return -1;
  for (const auto& c : doc.at("connectors").as_array()) {
    if (c.at("name") != name.c_str()) continue;
    if (message) *message = std::string(c.at("message").as_string());
    return c.at("healthy").as_bool() ? 1 : 0;
  }
  return -1;
}

size_t line_count(const std::string& path) {
  return std::filesystem::exists(path) ? read_lines(path).size() : 0;
}

TEST(NatsReconnect, ServerRestart_SluiceReconnectsAndConsumingResumes) {
  PrivateServer server;
  Client control(nats_url());
  TempDir dir;
  std::string prefix = unique_prefix("reconnect");
  std::string out = dir.file("out.txt");
  auto sluice = start_with_config(dir, config_header("node-re") + R"(
control_subject: ctl:)" + prefix + R"(.control
connectors:
  data:
    plugin: nats
    url: )" + server.url() + R"(
    reconnect_wait_ms: 50
    reconnect_wait_max_ms: 400
  ctl:
    plugin: nats
    url: )" + nats_url() + R"(
  out:
    plugin: file
    path: )" + out + R"(
    mode: sink
    batch_bytes: 1  # write (and confirm) each message at once
routes:
  - from: data:)" + prefix + R"(.in
    to: out
)");
  expect_ready(sluice, 2);
  std::string message;
  auto health = [&] {
    return connector_health(status_request(control, prefix + ".control"), "data", &message);
  };
  EXPECT_EQ(health(), 1) << message;
  {
    Client before(server.url());
    for (int i = 0; i < 100; ++i) before.publish(prefix + ".in", "before-" + std::to_string(i));
    before.flush();
  }
  ASSERT_TRUE(wait_until([&] { return line_count(out) >= 100; }, std::chrono::seconds(15)))
      << sluice.output();

  server.stop();
  EXPECT_TRUE(wait_until([&] { return health() == 0; }, std::chrono::seconds(10)))
      << sluice.output();
  EXPECT_NE(message.find("reconnecting"), std::string::npos) << message;
  EXPECT_TRUE(sluice.wait_for_output("lost the NATS connection", std::chrono::seconds(5)));
  EXPECT_TRUE(sluice.running());

  server.start();
  EXPECT_TRUE(wait_until([&] { return health() == 1; }, std::chrono::seconds(15)))
      << message << "\n"
      << sluice.output();
  EXPECT_TRUE(sluice.wait_for_output("reconnected to NATS server", std::chrono::seconds(5)));

  Client after(server.url());
  for (int i = 0; i < 100; ++i) after.publish(prefix + ".in", "after-" + std::to_string(i));
  after.flush();
  ASSERT_TRUE(wait_until([&] { return line_count(out) >= 200; }, std::chrono::seconds(15)))
      << sluice.output();
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  auto lines = read_lines(out);
  std::set<std::string> got(lines.begin(), lines.end());
  EXPECT_TRUE(got.count("before-99"));
  EXPECT_TRUE(got.count("after-99"));
  EXPECT_EQ(got.size(), 200u);
}

TEST(NatsReconnect, PublishesAcrossAnOutage_AreNotLost) {
  PrivateServer server;
  std::string prefix = unique_prefix("outage");
  std::string stream = "OUTAGE";
  {
    // A file-backed stream on the private server records what reached it,
    // across the restart.
    Client admin(server.url());
    jsCtx* js = nullptr;
    ASSERT_EQ(natsConnection_JetStream(&js, admin.get(), nullptr), NATS_OK);
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    std::string subject = prefix + ".out";
    const char* subjects[] = {subject.c_str()};
    cfg.Name = stream.c_str();
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    ASSERT_EQ(js_AddStream(nullptr, js, &cfg, nullptr, nullptr), NATS_OK);
    jsCtx_Destroy(js);
  }
  TempDir dir;
  std::string input = dir.file("in.txt");
  write_file(input, "");
  auto sluice = start_with_config(dir, config_header("node-out") + R"(
connectors:
  lines:
    plugin: file
    path: )" + input + R"(
    mode: source
    follow: true
    poll_interval_ms: 20
  data:
    plugin: nats
    url: )" + server.url() + R"(
    reconnect_wait_ms: 50
    reconnect_wait_max_ms: 400
    publish_timeout_ms: 2000
    retry: {max_attempts: 50, initial_backoff_ms: 50, max_backoff_ms: 500}
routes:
  - from: lines
    to: data:)" + prefix + R"(.out
)");
  expect_ready(sluice);
  auto append = [&](const std::string& tag, int n) {
    std::string text;
    for (int i = 0; i < n; ++i) text += tag + "-" + std::to_string(i) + "\n";
    append_file(input, text);
  };
  auto stored = [&]() -> uint64_t {
    try {
      Client c(server.url());
      jsCtx* js = nullptr;
      natsConnection_JetStream(&js, c.get(), nullptr);
      jsStreamInfo* si = nullptr;
      uint64_t n = 0;
      if (js_GetStreamInfo(&si, js, stream.c_str(), nullptr, nullptr) == NATS_OK) {
        n = si->State.Msgs;
        jsStreamInfo_Destroy(si);
      }
      jsCtx_Destroy(js);
      return n;
    } catch (const std::exception&) {
      return 0;
    }
  };
  append("before", 300);
  ASSERT_TRUE(wait_until([&] { return stored() >= 300; }, std::chrono::seconds(15)))
      << sluice.output();

  server.stop();
  append("during", 300);  // published while the server is down
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  server.start();
  append("after", 300);

  ASSERT_TRUE(wait_until([&] { return stored() >= 900; }, std::chrono::seconds(30)))
      << "stored " << stored() << " of 900\n"
      << sluice.output();
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
  // Duplicates are allowed (a retried publish), losses are not: read every
  // stored payload back.
  Client reader(server.url());
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, reader.get(), nullptr), NATS_OK);
  std::set<std::string> payloads;
  uint64_t total = stored();
  for (uint64_t seq = 1; seq <= total; ++seq) {
    natsMsg* m = nullptr;
    if (js_GetMsg(&m, js, stream.c_str(), seq, nullptr, nullptr) != NATS_OK) continue;
    payloads.insert(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)));
    natsMsg_Destroy(m);
  }
  jsCtx_Destroy(js);
  for (const char* tag : {"before", "during", "after"})
    for (int i = 0; i < 300; ++i)
      EXPECT_TRUE(payloads.count(std::string(tag) + "-" + std::to_string(i)))
          << "lost " << tag << "-" << i;
}

}  // namespace
}  // namespace sluice::test::nats
