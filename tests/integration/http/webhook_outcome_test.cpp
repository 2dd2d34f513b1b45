// What the webhook's response says when the outputs do not simply confirm:
// 504 when one never answers within request_timeout_ms, 500 when one fails
// the message for good; and JSON lines split into one message per line.
#include <gtest/gtest.h>

#include <csignal>

#include "http_harness.hpp"
#include "scripted_server.hpp"

namespace sluice::test::http {
namespace {

using namespace std::chrono_literals;

TEST(WebhookOutcome, AnswersGatewayTimeoutWhenAnOutputNeverConfirms) {
  // The `stall` test sink accepts every publish and never completes it.
  TempDir dir;
  uint16_t port = free_tcp_port();
  write_file(dir.file("sluice.yaml"),
             webhook_into(dir, port, "{ plugin: stall }", ", request_timeout_ms: 700"));
  auto sluice = start_listening(dir.file("sluice.yaml"), port);

  auto started = std::chrono::steady_clock::now();
  auto res = http_request("127.0.0.1", port, "POST", "/ingest/x", R"({"id":1})", {}, 10s);
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(res.status, 504) << res.error << res.body << sluice.output();
  EXPECT_NE(res.body.find("not every output confirmed"), std::string::npos) << res.body;
  EXPECT_GE(waited, 600ms);  // it waited for the sink, up to the timeout
  // The stalled sink never lets sluice finish a graceful shutdown.
  sluice.signal(SIGKILL);
  sluice.wait(10s);
}

TEST(WebhookOutcome, AnswersServerErrorWhenAnOutputFailsTheMessageForGood) {
  // The route's output is an HTTP service that refuses with 400: final, no
  // dead letter, so the host nacks the webhook's message.
  ScriptedServer refusing(
      [](const Request&) { return ScriptedServer::reply(400, R"({"error":"no"})"); });
  TempDir dir;
  uint16_t port = free_tcp_port();
  write_file(dir.file("sluice.yaml"),
             webhook_into(dir, port,
                          "{ plugin: http, mode: client, url: \"" + refusing.url("/x") +
                              "\", retry: { max_attempts: 1 } }"));
  auto sluice = start_listening(dir.file("sluice.yaml"), port);

  auto answer = curl(dir, {"-X", "POST", "--data", R"({"id":1})",
                           "http://127.0.0.1:" + std::to_string(port) + "/ingest/x"});
  EXPECT_EQ(answer.status, 500) << answer.output << sluice.output();
  EXPECT_NE(answer.body.find("an output failed"), std::string::npos) << answer.body;
  EXPECT_EQ(refusing.request_count(), 1u);
}

TEST(WebhookOutcome, SplitsJsonLinesIntoOneMessagePerLine) {
  TempDir dir;
  uint16_t port = free_tcp_port();
  std::string out = dir.file("out.jsonl");
  write_file(dir.file("sluice.yaml"), webhook_config(dir, port, out, ", split: json_lines"));
  auto sluice = start_listening(dir.file("sluice.yaml"), port);
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/ingest/lines";

  write_file(dir.file("body.jsonl"), "{\"n\":1}\n\n{\"n\":2}\n{\"n\":3}");
  auto answer = curl(dir, {"-X", "POST", "-H", "Content-Type: application/x-ndjson",
                           "--data-binary", "@" + dir.file("body.jsonl"), url});
  ASSERT_EQ(answer.status, 200) << answer.output << sluice.output();
  EXPECT_EQ(answer.body, R"({"messages":3})");  // the empty line is skipped
  EXPECT_EQ(read_lines(out), (std::vector<std::string>{R"({"n":1})", R"({"n":2})", R"({"n":3})"}));

  // One bad line refuses the whole body before anything is emitted.
  write_file(dir.file("bad.jsonl"), "{\"n\":4}\nnot json\n");
  auto bad = curl(dir, {"-X", "POST", "--data-binary", "@" + dir.file("bad.jsonl"), url});
  EXPECT_EQ(bad.status, 400) << bad.output;
  EXPECT_NE(bad.body.find("line 2"), std::string::npos) << bad.body;
  EXPECT_EQ(count_lines(out), 3u);
}

}  // namespace
}  // namespace sluice::test::http
