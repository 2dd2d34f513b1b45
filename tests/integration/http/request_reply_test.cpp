// Requests through the webhook server answered by a Lua `on_request`
// handler: the status it sets with the reply header `http-status`, and a
// handler that calls an HTTP service itself through `sluice.request`.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http_harness.hpp"
#include "scripted_server.hpp"

namespace sluice::test::http {
namespace {

using namespace std::chrono_literals;

// Requests to a webhook `api` on /api/<subject> with reply: true, answered
// by the script `lua`; `extra` adds connectors.
class RequestReply : public WebhookTest {
 protected:
  void start_script(const std::string& lua, const std::string& extra = "") {
    write_file(dir_.file("routes.lua"), lua);
    start(config_head(dir_) + "script: " + dir_.file("routes.lua") +
          "\nconnectors:\n  api: { plugin: http, listen: \"127.0.0.1:" + std::to_string(port_) +
          "\", reply: true, paths: [\"/api/${subject}\"], request_timeout_ms: 10000 }\n" + extra);
  }
};

TEST_F(RequestReply, AHandlerSetsTheStatusAndTypeOfTheResponse) {
  start_script(
      "local orders = {}\n"
      "sluice.on_request(\"api:orders\", function(req)\n"
      "  local order = req:json()\n"
      "  orders[order.id] = order\n"
      "  return { created = order.id }, { [\"http-status\"] = 201 }\n"
      "end)\n"
      "sluice.on_request(\"api:orders.get\", function(req)\n"
      "  local order = orders[req:get(\"id\")]\n"
      "  if order then return order end\n"
      "  return \"no such order\\n\",\n"
      "         { [\"http-status\"] = 404, [\"content-type\"] = \"text/plain\" }\n"
      "end)\n"
      "sluice.on_request(\"api:broken\", function(req)\n"
      "  return \"?\", { [\"http-status\"] = \"twohundred\" }\n"
      "end)\n");

  auto created = http_request("127.0.0.1", port_, "POST", "/api/orders", R"({"id":"a7"})");
  EXPECT_EQ(created.status, 201) << created.error << created.body << sluice_->output();
  EXPECT_EQ(created.body, R"({"created":"a7"})");
  EXPECT_EQ(created.headers["content-type"], "application/json");
  EXPECT_EQ(created.headers.count("http-status"), 0u);  // consumed, not sent on

  auto found = http_request("127.0.0.1", port_, "POST", "/api/orders.get", R"({"id":"a7"})");
  EXPECT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.body, R"({"id":"a7"})");

  auto missing = curl(dir_, {"-X", "POST", "--data", R"({"id":"zz"})", url("/api/orders.get")});
  EXPECT_EQ(missing.status, 404) << missing.output;
  EXPECT_EQ(missing.body, "no such order\n");
  auto typed = http_request("127.0.0.1", port_, "POST", "/api/orders.get", R"({"id":"zz"})");
  EXPECT_EQ(typed.headers["content-type"], "text/plain");

  // A status that is no status is the handler's bug: 500, and a log line.
  auto broken = http_request("127.0.0.1", port_, "POST", "/api/broken", "{}");
  EXPECT_EQ(broken.status, 500) << broken.body;
  EXPECT_NE(broken.body.find("'twohundred' is not a status code"), std::string::npos)
      << broken.body;
  EXPECT_TRUE(wait_until(
      [&] {
        return sluice_->output().find("'twohundred' is not a status code") != std::string::npos;
      },
      10s))
      << sluice_->output();
}

TEST_F(RequestReply, AHandlerCallsAnHttpServiceThroughSluiceRequest) {
  // The service knows user 7 only; its answer, status included, comes back
  // to the handler as the reply message of sluice.request.
  ScriptedServer users([](const Request& req) -> std::optional<Response> {
    if (req.target() == "/users/7" && req.method_string() == "POST")
      return ScriptedServer::reply(200, R"({"name":"Ada"})",
                                   {{"Content-Type", "application/json"}});
    return ScriptedServer::reply(404, "unknown user");
  });
  start_script(
      "sluice.on_request(\"api:lookup\", function(req)\n"
      "  local id = req:get(\"id\")\n"
      "  local rep, err = sluice.request(\"users:\" .. id, req, { timeout_ms = 5000 })\n"
      "  if not rep then return { error = err }, { [\"http-status\"] = 502 } end\n"
      "  local status = tonumber(rep.headers.status)\n"
      "  if status ~= 200 then\n"
      "    return { error = rep.payload, upstream = status }, { [\"http-status\"] = "
      "status }\n"
      "  end\n"
      "  return { id = id, name = rep:json().name, type = rep.headers[\"content-type\"] "
      "}\n"
      "end)\n",
      "  users: { plugin: http, mode: client, url: \"" + users.url("/users/${subject}") + "\" }\n");

  auto known = http_request("127.0.0.1", port_, "POST", "/api/lookup", R"({"id":7})");
  ASSERT_EQ(known.status, 200) << known.error << known.body << sluice_->output();
  // Lua tables have no key order: compare documents.
  EXPECT_EQ(boost::json::parse(known.body),
            boost::json::parse(R"({"id":7,"name":"Ada","type":"application/json"})"));
  auto unknown = http_request("127.0.0.1", port_, "POST", "/api/lookup", R"({"id":8})");
  EXPECT_EQ(unknown.status, 404) << unknown.body << sluice_->output();
  EXPECT_EQ(boost::json::parse(unknown.body),
            boost::json::parse(R"({"error":"unknown user","upstream":404})"));
  ASSERT_EQ(users.request_count(), 2u);
  EXPECT_EQ(users.requests()[0].body(), R"({"id":7})");  // the request's payload, forwarded
}

}  // namespace
}  // namespace sluice::test::http
