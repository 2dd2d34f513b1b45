// The client sink and the poller through the real `sluice` binary, against
// a scripted in-test server.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "http_harness.hpp"
#include "scripted_server.hpp"

namespace sluice::test::http {
namespace {

using namespace std::chrono_literals;

// Runs sluice until done: the lines of `input` from a file source routed to
// `to` on connector `svc`, an http client with settings `svc` (a YAML
// flow-mapping's inside), and dead letters into `dead` as JSON.
void send_lines_through_client(const TempDir& dir, const std::string& input, const std::string& svc,
                               const std::string& to, const std::string& dead) {
  write_file(dir.file("in.jsonl"), input);
  write_file(dir.file("sluice.yaml"),
             config_head(dir) +
                 "connectors:\n"
                 "  in: { plugin: file, mode: source, path: \"" +
                 dir.file("in.jsonl") +
                 "\" }\n"
                 "  svc: { plugin: http, mode: client, " +
                 svc +
                 " }\n"
                 "  dlq: { plugin: file, mode: sink, format: json, path: \"" +
                 dead +
                 "\" }\n"
                 "routes:\n"
                 "  - from: in\n"
                 "    to: " +
                 to +
                 "\n"
                 "    dead_letter: dlq\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  auto status = sluice.wait(60s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  EXPECT_EQ(*status, 0) << sluice.output();
}

TEST(ClientSink, RetriesServerErrorsThenDeadLettersABadRequest) {
  // "ok" lines fail twice (503 with Retry-After, then 500), then succeed;
  // the "bad" line is refused with 400 and goes to the dead-letter file.
  std::mutex mutex;
  std::map<std::string, int> attempts;
  ScriptedServer service([&](const Request& req) -> std::optional<Response> {
    std::lock_guard lock(mutex);
    int n = ++attempts[req.body()];
    if (req.body().find("bad") != std::string::npos)
      return ScriptedServer::reply(400, R"({"error":"no such order"})");
    if (n == 1) return ScriptedServer::reply(503, "later", {{"Retry-After", "0"}});
    if (n == 2) return ScriptedServer::reply(500, "oops");
    return ScriptedServer::reply(200, "ok");
  });
  TempDir dir;
  std::string dead = dir.file("dead.jsonl");
  ASSERT_NO_FATAL_FAILURE(send_lines_through_client(
      dir, "{\"id\":\"ok1\"}\n{\"id\":\"bad\"}\n",
      "url: \"" + service.url("/orders/${subject}") +
          "\", method: PUT, headers: { X-Trace: \"t-${subject}\" }, retry_initial_ms: 10,"
          " retry: { max_attempts: 1 }",
      "svc:o", dead));

  std::lock_guard lock(mutex);
  EXPECT_EQ(attempts[R"({"id":"ok1"})"], 3);
  EXPECT_EQ(attempts[R"({"id":"bad"})"], 1);  // 400 is final: no retry
  auto requests = service.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0].method_string(), "PUT");
  EXPECT_EQ(requests[0].target(), "/orders/o");
  EXPECT_EQ(requests[0]["X-Trace"], "t-o");
  auto dead_lines = read_lines(dead);
  ASSERT_EQ(dead_lines.size(), 1u);
  EXPECT_NE(dead_lines[0].find("bad"), std::string::npos);
  EXPECT_NE(dead_lines[0].find("HTTP 400"), std::string::npos) << dead_lines[0];
}

TEST(ClientSink, FillsUrlAndHeadersFromPayloadFieldsAndDeadLettersWhatCannot) {
  ScriptedServer service([](const Request&) { return ScriptedServer::reply(200, "ok"); });
  TempDir dir;
  std::string dead = dir.file("dead.jsonl");
  ASSERT_NO_FATAL_FAILURE(send_lines_through_client(
      dir,
      "{\"data\":{\"id\":\"a/1 b\",\"tenant\":\"acme\"}}\n"
      "{\"data\":{\"id\":2,\"tenant\":\"beta\"}}\n"
      "{\"data\":{\"tenant\":\"acme\"}}\n"
      "not json\n",
      "url: \"" + service.url("/orders/${data.id}") +
          "\", headers: { X-Tenant: \"${data.tenant}\" }, retry: { max_attempts: 1 }",
      "svc", dead));

  // Requests run concurrently: compare them by target.
  std::map<std::string, std::string> tenant_by_target;
  for (const auto& req : service.requests())
    tenant_by_target[std::string(req.target())] = std::string(req["X-Tenant"]);
  EXPECT_EQ(tenant_by_target,
            (std::map<std::string, std::string>{{"/orders/a%2F1%20b", "acme"},  // one path segment
                                                {"/orders/2", "beta"}}));
  // No request to a wrong URL: the two that cannot fill it are dead letters.
  std::string dead_letters = read_file(dead);
  EXPECT_EQ(count_lines(dead), 2u) << dead_letters;
  EXPECT_NE(dead_letters.find("the payload has no field 'data.id'"), std::string::npos)
      << dead_letters;
  EXPECT_NE(dead_letters.find("the payload is not JSON"), std::string::npos) << dead_letters;
}

TEST(Poller, EmitsADocumentOnceWhileItsETagStaysTheSame) {
  std::mutex mutex;
  std::string etag = "\"v1\"";
  std::string body = R"({"items":[{"n":1},{"n":2}]})";
  std::atomic<int> conditional{0};
  ScriptedServer service([&](const Request& req) -> std::optional<Response> {
    std::lock_guard lock(mutex);
    if (req[boost::beast::http::field::if_none_match] == etag) {
      ++conditional;
      return ScriptedServer::reply(304);
    }
    return ScriptedServer::reply(200, body, {{"ETag", etag}, {"Content-Type", "application/json"}});
  });
  TempDir dir;
  std::string out = dir.file("out.jsonl");
  write_file(dir.file("sluice.yaml"), config_head(dir) +
                                          "connectors:\n"
                                          "  feed: { plugin: http, mode: poll, url: \"" +
                                          service.url("/items") +
                                          "\", interval_ms: 50, array_path: items }\n"
                                          "  out: { plugin: file, mode: sink, path: \"" +
                                          out +
                                          "\" }\n"
                                          "routes:\n"
                                          "  - from: feed\n"
                                          "    to: out\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  // Two polls answered 304 after the first: nothing more was emitted.
  ASSERT_TRUE(wait_until([&] { return conditional.load() >= 2 && count_lines(out) >= 2; }, 30s))
      << sluice.output();
  EXPECT_EQ(read_lines(out), (std::vector<std::string>{R"({"n":1})", R"({"n":2})"}));

  {
    std::lock_guard lock(mutex);
    etag = "\"v2\"";
    body = R"({"items":[{"n":3}]})";
  }
  ASSERT_TRUE(wait_until([&] { return count_lines(out) >= 3; }, 30s)) << sluice.output();
  EXPECT_EQ(read_lines(out).back(), R"({"n":3})");
}

TEST(Check, ExplainsBadHttpSettings) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             config_head(dir) +
                 "connectors:\n"
                 "  hook: { plugin: http, auth: hmac, listen: nowhere }\n"
                 "  svc: { plugin: http, mode: client }\n"
                 "  feed: { plugin: http, mode: poll, url: \"ftp://x\" }\n");
  std::string output;
  int status = run_sluice({"check", "-c", dir.file("sluice.yaml")}, &output);
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(output.find("needs 'hmac_secret'"), std::string::npos) << output;
  EXPECT_NE(output.find("'listen' must be host:port"), std::string::npos) << output;
  EXPECT_NE(output.find("needs setting 'url'"), std::string::npos) << output;
  EXPECT_NE(output.find("must start with http:// or https://"), std::string::npos) << output;
}

}  // namespace
}  // namespace sluice::test::http
