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

using WebhookOutcome = WebhookTest;

TEST_F(WebhookOutcome, AnswersGatewayTimeoutWhenAnOutputNeverConfirms) {
  // The `stall` test sink accepts every publish and never completes it.
  start(webhook_into(dir_, port_, "{ plugin: stall }", ", request_timeout_ms: 700"));
  auto started = std::chrono::steady_clock::now();
  auto res = http_request("127.0.0.1", port_, "POST", "/ingest/x", R"({"id":1})", {}, 10s);
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(res.status, 504) << res.error << res.body << sluice_->output();
  EXPECT_NE(res.body.find("not every output confirmed"), std::string::npos) << res.body;
  EXPECT_GE(waited, 600ms);  // it waited for the sink, up to the timeout
  // The stalled sink never lets sluice finish a graceful shutdown.
  sluice_->signal(SIGKILL);
  sluice_->wait(10s);
}

TEST_F(WebhookOutcome, AnswersServerErrorWhenAnOutputFailsTheMessageForGood) {
  // The route's output is an HTTP service that refuses with 400: final, no
  // dead letter, so the host nacks the webhook's message.
  ScriptedServer refusing(
      [](const Request&) { return ScriptedServer::reply(400, R"({"error":"no"})"); });
  start(webhook_into(dir_, port_,
                     "{ plugin: http, mode: client, url: \"" + refusing.url("/x") +
                         "\", retry: { max_attempts: 1 } }"));
  auto answer = curl(dir_, {"-X", "POST", "--data", R"({"id":1})", url("/ingest/x")});
  EXPECT_EQ(answer.status, 500) << answer.output << sluice_->output();
  EXPECT_NE(answer.body.find("an output failed"), std::string::npos) << answer.body;
  EXPECT_EQ(refusing.request_count(), 1u);
}

TEST_F(WebhookOutcome, SplitsJsonLinesIntoOneMessagePerLine) {
  start(webhook_config(dir_, port_, out_, ", split: json_lines"));
  write_file(dir_.file("body.jsonl"), "{\"n\":1}\n\n{\"n\":2}\n{\"n\":3}");
  auto answer = curl(dir_, {"-X", "POST", "-H", "Content-Type: application/x-ndjson",
                            "--data-binary", "@" + dir_.file("body.jsonl"), url("/ingest/lines")});
  ASSERT_EQ(answer.status, 200) << answer.output << sluice_->output();
  EXPECT_EQ(answer.body, R"({"messages":3})");  // the empty line is skipped
  EXPECT_EQ(read_lines(out_), (std::vector<std::string>{R"({"n":1})", R"({"n":2})", R"({"n":3})"}));

  // One bad line refuses the whole body before anything is emitted.
  write_file(dir_.file("bad.jsonl"), "{\"n\":4}\nnot json\n");
  auto bad = curl(
      dir_, {"-X", "POST", "--data-binary", "@" + dir_.file("bad.jsonl"), url("/ingest/lines")});
  EXPECT_EQ(bad.status, 400) << bad.output;
  EXPECT_NE(bad.body.find("line 2"), std::string::npos) << bad.body;
  EXPECT_EQ(count_lines(out_), 3u);
}

}  // namespace
}  // namespace sluice::test::http
