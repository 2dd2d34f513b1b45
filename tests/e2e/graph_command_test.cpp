// `sluice graph`: the topology of a config as Graphviz DOT, checked for
// what it must show and parsed by graphviz's own `dot`.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

bool dot_installed() { return run_command({"sh", "-c", "command -v dot"}) == 0; }

// Runs `dot -Tsvg` on `dot_text`; returns its exit status, SVG in `svg`.
int render_svg(const std::string& dot_text, std::string& svg) {
  TempDir dir;
  write_file(dir.file("graph.dot"), dot_text);
  int status =
      run_command({"dot", "-Tsvg", "-o", dir.file("graph.svg"), dir.file("graph.dot")}, {}, &svg);
  if (status == 0) svg = read_file(dir.file("graph.svg"));
  return status;
}

TEST(SluiceGraph, YamlAndLuaRoutesAndHandlers_AreAllDrawn) {
  TempDir dir;
  write_file(dir.file("app.lua"), R"(
sluice.route { name = "lua-route", from = "in:orders.>", to = sluice.fallback { "out", "spare" } }
sluice.on_request("in:api", function(req) return { ok = true } end, { name = "api" })
)");
  write_file(dir.file("app.yaml"), R"(script: app.lua
connectors:
  in: { plugin: imaginary_broker }
  out: { plugin: imaginary_broker }
  spare: { plugin: imaginary_broker }
routes:
  - name: "quoted \"name\""
    from: in:tracking.*
    where: { data.SPEED: { gt: 0 } }
    transform: { rename: { data.DEVICE_ID: device } }
    throttle: { key: device, rate: 2, keep_latest: true }
    to: out:moving.${device}
    dead_letter: spare
)");
  std::string dot;
  ASSERT_EQ(run_sluice({"graph", "-c", dir.file("app.yaml")}, &dot), 0) << dot;
  EXPECT_TRUE(contains(dot, "digraph sluice {")) << dot;
  EXPECT_TRUE(contains(
      dot, R"dot("connector:in" [shape=box, style=rounded, label="in\l(imaginary_broker)"])dot"))
      << dot;
  // The YAML route with its filter, transform and throttle, its input
  // pattern, templated output and dashed dead letter; quotes escaped.
  EXPECT_TRUE(contains(dot, R"dot(route quoted \"name\"\lwhere {\"data.SPEED\":{\"gt\":0}}\l)dot"))
      << dot;
  EXPECT_TRUE(
      contains(dot, R"dot(throttle {\"key\":\"device\",\"rate\":2,\"keep_latest\":true})dot"))
      << dot;
  EXPECT_TRUE(contains(dot, R"dot("connector:in" -> "route:0" [label="tracking.*"];)dot")) << dot;
  EXPECT_TRUE(contains(dot, R"dot("route:0" -> "connector:out" [label="moving.${device}"];)dot"))
      << dot;
  EXPECT_TRUE(
      contains(dot, R"dot("route:0" -> "connector:spare" [label="dead letter", style=dashed];)dot"))
      << dot;
  // The script's route (a fallback group) and its request handler.
  EXPECT_TRUE(contains(dot, R"dot(route lua-route\lto: fallback\l)dot")) << dot;
  EXPECT_TRUE(contains(dot, R"dot("route:1" -> "connector:spare";)dot")) << dot;
  EXPECT_TRUE(contains(dot, R"dot("connector:in" -> "handler:0" [label="api"];)dot")) << dot;
  EXPECT_TRUE(contains(dot, "sluice.on_request api")) << dot;
}

TEST(SluiceGraph, ASourcePolicyDrawsEveryMemberAndNamesThePolicy) {
  TempDir dir;
  write_file(dir.file("app.yaml"), R"(connectors:
  primary: { plugin: imaginary_broker }
  backup: { plugin: imaginary_broker }
  out: { plugin: imaginary_broker }
routes:
  - name: feed
    from: { priority: [primary, "backup:feed.>"], silence_ms: 2000 }
    to: out
)");
  std::string dot;
  ASSERT_EQ(run_sluice({"graph", "-c", dir.file("app.yaml")}, &dot), 0) << dot;
  EXPECT_TRUE(contains(dot, R"dot(route feed\lfrom: priority\l)dot")) << dot;
  EXPECT_TRUE(contains(dot, R"dot("connector:primary" -> "route:0";)dot")) << dot;
  EXPECT_TRUE(contains(dot, R"dot("connector:backup" -> "route:0" [label="feed.>"];)dot")) << dot;
}

TEST(SluiceGraph, BrokenConfig_ExitsThreeWithTheError) {
  TempDir dir;
  write_file(dir.file("app.yaml"), "wrokers: 2\n");
  std::string out;
  EXPECT_EQ(run_sluice({"graph", "-c", dir.file("app.yaml")}, &out), 3) << out;
  EXPECT_TRUE(contains(out, "app.yaml:1:1: unknown key 'wrokers'")) << out;
}

// Every shipped config draws, and graphviz reads what it draws.
TEST(SluiceGraph, ShippedConfigs_ParseWithGraphvizDot) {
  if (!dot_installed()) GTEST_SKIP() << "graphviz's dot is not installed (scripts/bootstrap.sh)";
  fs::path config = fs::path(source_dir()) / "config";
  std::vector<fs::path> configs{config / "sluice.yaml"};
  for (const auto& entry : fs::directory_iterator(config / "examples")) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".yaml") && !name.ends_with(".test.yaml")) configs.push_back(entry.path());
  }
  for (const auto& path : configs) {
    std::string dot;
    ASSERT_EQ(run_sluice({"graph", "-c", path.string()}, &dot), 0) << path << "\n" << dot;
    std::string svg;
    ASSERT_EQ(render_svg(dot, svg), 0) << path << ": dot refused it:\n" << svg << "\n" << dot;
    EXPECT_TRUE(contains(svg, "<svg")) << svg;
    // Connector names survive into the picture.
    EXPECT_TRUE(path.filename() != "sluice.yaml" || contains(svg, "browsers")) << svg;
  }
}

// GET /graph of a running instance: the same topology as JSON, with the
// routes' and connectors' live counters.
TEST(SluiceGraph, AdminGraph_ShowsTheTopologyWithLiveCounters) {
  using namespace std::chrono_literals;
  TempDir dir;
  uint16_t port = free_tcp_port();
  write_file(dir.file("app.yaml"), "admin: { listen: 127.0.0.1:" + std::to_string(port) +
                                       " }\nstate_dir: " + dir.file("state") + R"(
connectors:
  gen: { plugin: generate, count: 100, payload: '{"n":${counter}}' }
  sink: { plugin: file, mode: sink, path: out.jsonl }
routes:
  - { name: evens, from: gen, where: { n: { in: [2, 4, 6] } }, to: sink }
)");
  auto sluice = SluiceProcess::run(dir.file("app.yaml"));
  boost::json::value graph;
  auto matched = [&] {
    auto r = http_get("127.0.0.1", port, "/graph");
    if (r.status != 200) return false;
    graph = boost::json::parse(r.body);
    // Routed, and confirmed by the sink (the file plugin confirms in batches).
    const auto& counters = graph.at("routes").at(0).at("counters").as_object();
    const auto& sink = graph.at("connectors").at(1).at("counters").as_object();
    return counters.contains("route_matched") &&
           counters.at("route_matched").to_number<double>() == 100 &&
           sink.contains("messages_out") && sink.at("messages_out").to_number<double>() == 3;
  };
  ASSERT_TRUE(wait_until(matched, 30s)) << sluice.output() << "\n" << boost::json::serialize(graph);
  const auto& route = graph.at("routes").at(0);
  EXPECT_EQ(route.at("name"), "evens");
  EXPECT_EQ(route.at("from").at(0).at("connector"), "gen");
  EXPECT_EQ(route.at("to").at(0).at("connector"), "sink");
  EXPECT_EQ(boost::json::serialize(route.at("where")), R"({"n":{"in":[2,4,6]}})");
  EXPECT_EQ(route.at("counters").at("route_filtered").to_number<double>(), 97);
  // Counts are written as integers, not 9.7E1.
  EXPECT_TRUE(route.at("counters").at("route_filtered").is_int64());
  const auto& connectors = graph.at("connectors").as_array();
  ASSERT_EQ(connectors.size(), 2u);
  EXPECT_EQ(connectors[1].at("name"), "sink");
  EXPECT_EQ(connectors[1].at("counters").at("messages_out").to_number<double>(), 3);
}

}  // namespace
}  // namespace sluice::test
