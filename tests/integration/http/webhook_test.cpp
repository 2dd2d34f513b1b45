// The webhook server through the real `sluice` binary: the response tells
// the caller whether every output confirmed its message.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <csignal>
#include <thread>

#include "http_harness.hpp"
#include "request_auth.hpp"
#include "scripted_server.hpp"

namespace sluice::test::http {
namespace {

using namespace std::chrono_literals;

TEST(Webhook, AnswersOkOnlyOnceTheFileSinkHasTheMessage) {
  TempDir dir;
  uint16_t port = free_tcp_port();
  std::string out = dir.file("out.jsonl");
  write_file(dir.file("sluice.yaml"), webhook_config(dir, port, out));
  auto sluice = start_listening(dir.file("sluice.yaml"), port);

  auto res = http_request("127.0.0.1", port, "POST", "/ingest/orders", R"({"id":1})",
                          {{"Content-Type", "application/json"}});
  ASSERT_EQ(res.status, 200) << res.error << res.body << sluice.output();
  EXPECT_EQ(res.body, R"({"messages":1})");
  // 200 means confirmed: the line is there already, no waiting.
  EXPECT_EQ(read_lines(out), std::vector<std::string>{R"({"id":1})"});
}

TEST(Webhook, CurlPostsAnArraySplitIntoMessages) {
  TempDir dir;
  uint16_t port = free_tcp_port();
  std::string out = dir.file("out.jsonl");
  write_file(dir.file("sluice.yaml"), webhook_config(dir, port, out, ", split: json_array"));
  auto sluice = start_listening(dir.file("sluice.yaml"), port);

  std::string output;
  int status =
      run_command({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                   "Content-Type: application/json", "--data", R"([{"a":1},{"a":2}])",
                   "http://127.0.0.1:" + std::to_string(port) + "/ingest/batch"},
                  {}, &output, 30s);
  ASSERT_EQ(status, 0) << output;
  EXPECT_EQ(output, "200");
  EXPECT_EQ(read_lines(out), (std::vector<std::string>{R"({"a":1})", R"({"a":2})"}));

  // Bad JSON: 400 with the reason, nothing written.
  output.clear();
  run_command({"curl", "-sS", "-w", " %{http_code}", "-X", "POST", "--data", "[1,",
               "http://127.0.0.1:" + std::to_string(port) + "/ingest/batch"},
              {}, &output, 30s);
  EXPECT_NE(output.find("not JSON"), std::string::npos) << output;
  EXPECT_NE(output.find(" 400"), std::string::npos) << output;
  EXPECT_EQ(count_lines(out), 2u);
}

TEST(Webhook, ChecksTheHmacSignatureWithASecretFromTheEnvironment) {
  TempDir dir;
  uint16_t port = free_tcp_port();
  std::string out = dir.file("out.jsonl");
  write_file(dir.file("sluice.yaml"),
             webhook_config(dir, port, out, ", auth: hmac, hmac_secret: \"${WEBHOOK_SECRET}\""));
  auto sluice = start_listening(dir.file("sluice.yaml"), port, {{"WEBHOOK_SECRET", "s3cret"}});

  std::string body = R"({"action":"opened"})";
  auto bad = http_request("127.0.0.1", port, "POST", "/ingest/gh", body,
                          {{"X-Hub-Signature-256", "sha256=" + std::string(64, '0')}});
  EXPECT_EQ(bad.status, 401) << bad.error;
  EXPECT_NE(bad.body.find("signature does not match"), std::string::npos) << bad.body;
  auto missing = http_request("127.0.0.1", port, "POST", "/ingest/gh", body);
  EXPECT_EQ(missing.status, 401);

  std::string signature = "sha256=" + http_plugin::hmac_sha256_hex("s3cret", body);
  auto good = http_request("127.0.0.1", port, "POST", "/ingest/gh", body,
                           {{"X-Hub-Signature-256", signature}});
  EXPECT_EQ(good.status, 200) << good.error << good.body;
  EXPECT_EQ(read_lines(out), std::vector<std::string>{body});
}

TEST(Webhook, RefusesOversizedBodiesUnknownPathsAndMethods) {
  TempDir dir;
  uint16_t port = free_tcp_port();
  std::string out = dir.file("out.jsonl");
  write_file(dir.file("sluice.yaml"), webhook_config(dir, port, out, ", max_body_bytes: 100"));
  auto sluice = start_listening(dir.file("sluice.yaml"), port);

  auto big = http_request("127.0.0.1", port, "POST", "/ingest/x", std::string(101, 'x'));
  EXPECT_EQ(big.status, 413) << big.error;
  EXPECT_NE(big.body.find("larger than 100 bytes"), std::string::npos) << big.body;
  EXPECT_EQ(http_request("127.0.0.1", port, "POST", "/elsewhere", "x").status, 404);
  auto get = http_request("127.0.0.1", port, "GET", "/ingest/x");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.headers["allow"], "POST, PUT");
  EXPECT_EQ(count_lines(out), 0u);
}

TEST(Webhook, AnswersServiceUnavailableBeyondMaxConnections) {
  TempDir dir;
  uint16_t port = free_tcp_port();
  std::string out = dir.file("out.jsonl");
  write_file(dir.file("sluice.yaml"), webhook_config(dir, port, out, ", max_connections: 1"));
  auto sluice = start_listening(dir.file("sluice.yaml"), port);
  // The readiness probe's connection may still count: wait until a fresh
  // request gets through, then hold the one connection allowed.
  ASSERT_TRUE(wait_until(
      [&] { return http_request("127.0.0.1", port, "POST", "/ingest/x", "1").status == 200; },
      10s));
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket held(ioc);
  held.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  // Accepts are handled in order: the held connection is counted first.
  auto res = http_request("127.0.0.1", port, "POST", "/ingest/x", "2");
  EXPECT_EQ(res.status, 503) << res.error;
  EXPECT_EQ(res.headers["retry-after"], "1");
  held.close();
  EXPECT_TRUE(wait_until(
      [&] { return http_request("127.0.0.1", port, "POST", "/ingest/x", "3").status == 200; },
      10s));
}

TEST(Webhook, AnswersServiceUnavailableWhileSluicePushesBack) {
  // The sink is an HTTP service that never answers: its one connection is
  // taken, publishes answer BUSY, the worker waits, the ingress (1 slot)
  // fills and the webhook gets BUSY from emit.
  ScriptedServer wedged([](const Request&) { return std::nullopt; });
  TempDir dir;
  uint16_t port = free_tcp_port();
  write_file(dir.file("sluice.yaml"), config_head(dir, 1) +
                                          "connectors:\n"
                                          "  hook: { plugin: http, listen: \"127.0.0.1:" +
                                          std::to_string(port) +
                                          "\", request_timeout_ms: 60000, retry_after_s: 7 }\n"
                                          "  svc: { plugin: http, mode: client, url: \"" +
                                          wedged.url("/x") +
                                          "\", max_connections: 1, timeout_ms: 60000 }\n"
                                          "routes:\n"
                                          "  - from: hook\n"
                                          "    to: svc\n");
  auto sluice = start_listening(dir.file("sluice.yaml"), port);

  // Accepted requests wait for a confirmation that never comes; each is
  // given up client-side quickly and the next one is sent, until sluice's
  // queues are full and it says so.
  HttpResponse busy;
  ASSERT_TRUE(wait_until(
      [&] {
        busy = http_request("127.0.0.1", port, "POST", "/ingest/x", "{}", {}, 300ms);
        return busy.status == 503;
      },
      30s, 1ms))
      << sluice.output();
  EXPECT_EQ(busy.headers["retry-after"], "7");
  EXPECT_NE(busy.body.find("busy"), std::string::npos) << busy.body;
  // Its shutdown would wait for the wedged service: no need here.
  sluice.signal(SIGKILL);
  sluice.wait(10s);
}

TEST(Webhook, AnswersWithTheReplyOfAnOnRequestHandler) {
  TempDir dir;
  uint16_t port = free_tcp_port();
  write_file(dir.file("routes.lua"),
             "sluice.on_request(\"api:ping\", function(req)\n"
             "  return { echo = req.payload, path = req.subject }\n"
             "end)\n");
  write_file(dir.file("sluice.yaml"), config_head(dir) + "script: " + dir.file("routes.lua") +
                                          "\n"
                                          "connectors:\n"
                                          "  api: { plugin: http, listen: \"127.0.0.1:" +
                                          std::to_string(port) +
                                          "\", reply: true, paths: [\"/rpc/${subject}\"] }\n");
  auto sluice = start_listening(dir.file("sluice.yaml"), port);
  auto res = http_request("127.0.0.1", port, "POST", "/rpc/ping", "hello");
  ASSERT_EQ(res.status, 200) << res.error << res.body << sluice.output();
  EXPECT_EQ(res.headers["content-type"], "application/json");
  EXPECT_NE(res.body.find(R"("echo":"hello")"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find(R"("path":"ping")"), std::string::npos) << res.body;
}

}  // namespace
}  // namespace sluice::test::http
