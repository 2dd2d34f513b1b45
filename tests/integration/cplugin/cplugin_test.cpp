// `ctest`, the plugin written in plain C99, through the real `sluice`
// binary: it loads, its source and sink round-trip messages, and its health
// (and so /readyz) follows a flag file.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <set>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

// The plugin `name` as `sluice plugins --json` lists it from `path`.
boost::json::object listed_plugin(const std::string& name, const std::string& path) {
  std::string output;
  int status = run_sluice({"plugins", "--json"}, &output, {{"SLUICE_PLUGIN_PATH", path}});
  EXPECT_EQ(status, 0) << output;
  auto doc = boost::json::parse(output.substr(output.find('{'))).as_object();
  for (const auto& p : doc.at("plugins").as_array())
    if (p.at("name").as_string() == name) return p.as_object();
  ADD_FAILURE() << name << " is not listed:\n" << output;
  return {};
}

TEST(CPlugin, IsListedWithItsCapabilities) {
  auto ctest = listed_plugin("ctest", test_plugin_dir());
  ASSERT_FALSE(ctest.empty());
  EXPECT_EQ(ctest.at("capabilities").as_string(), "source,sink,request");
  EXPECT_EQ(ctest.at("abi").as_string(), "1.2");
  EXPECT_EQ(ctest.at("subject_syntax").as_string(), "mqtt");
  EXPECT_TRUE(ctest.at("config_schema").is_object());
}

// The same C source compiled against the frozen ABI 1.1 header.
TEST(CPlugin, ThePreviousMinorsBuildLoadsAsABI_1_1) {
  auto ctest11 = listed_plugin("ctest11", test_plugin_dir() + "/abi_1_1");
  ASSERT_FALSE(ctest11.empty());
  EXPECT_EQ(ctest11.at("abi").as_string(), "1.1");
  EXPECT_EQ(ctest11.at("capabilities").as_string(), "source,sink,request");
}

struct Build {
  std::string plugin;  // the descriptor's name
  std::string subdir;  // of the test plugin directory where it is built
  std::string abi;
};

class CPluginBuild : public ::testing::TestWithParam<Build> {};

// Source and sink through the host. The 1.2 build emits in batches of 16
// (emit_batch; the host may take part of one) and gets acks through
// ack_batch; the 1.1 build emits and is acked one message at a time.
TEST_P(CPluginBuild, SourceAndSinkRoundTrip) {
  const Build& build = GetParam();
  TempDir dir;
  write_file(dir.file("in.txt"), "alpha\nbeta\ngamma\n");
  constexpr int kCount = 5000;
  // A small ingress queue, so that emit_batch meets a full queue and
  // hands back the rest of a batch to be offered again.
  write_file(dir.file("sluice.yaml"),
             "workers: 2\n"
             "queue_capacity: 8\n"
             "admin: { enabled: false }\n"
             "state_dir: " +
                 dir.file("state") +
                 "\n"
                 "connectors:\n"
                 "  c_source: { plugin: " +
                 build.plugin + ", count: " + std::to_string(kCount) +
                 " }\n"
                 "  c_sink: { plugin: " +
                 build.plugin + ", sink_file: \"" + dir.file("c_sink.txt") +
                 "\" }\n"
                 "  file_in: { plugin: file, mode: source, path: \"" +
                 dir.file("in.txt") +
                 "\" }\n"
                 "routes:\n"
                 "  - from: c_source\n"
                 "    to: c_sink\n"
                 "  - from: file_in\n"
                 "    to: c_sink\n");
  auto sluice = SluiceProcess::run(
      dir.file("sluice.yaml"), {"--exit-when-done"},
      {{"SLUICE_PLUGIN_PATH", test_plugin_dir() + "/" + build.subdir + ":" + plugin_dir()}});
  auto status = sluice.wait(60s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  ASSERT_EQ(*status, 0) << sluice.output();

  auto out = read_lines(dir.file("c_sink.txt"));
  std::multiset<std::string> seen(out.begin(), out.end());
  EXPECT_EQ(out.size(), static_cast<size_t>(kCount) + 3);  // nothing lost or taken twice
  for (int i = 1; i <= kCount; ++i) EXPECT_EQ(seen.count("ctest " + std::to_string(i)), 1u) << i;
  for (const char* line : {"alpha", "beta", "gamma"}) EXPECT_EQ(seen.count(line), 1u) << line;
  // Every emitted message was acked back to the C plugin exactly once.
  std::string summary =
      "ctest (ABI " + build.abi + "): " + std::to_string(kCount) + " acked, 0 nacked, ";
  auto at = sluice.output().find(summary);
  ASSERT_NE(at, std::string::npos) << sluice.output();
  long batched = std::stol(sluice.output().substr(at + summary.size()));
  if (build.abi == "1.1") {
    EXPECT_EQ(batched, 0);
  } else {
    // Its sink completes inside publish, on a worker: those acks are
    // gathered per batch.
    EXPECT_GT(batched, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Abi, CPluginBuild,
                         ::testing::Values(Build{"ctest", "", "1.2"},
                                           Build{"ctest11", "abi_1_1", "1.1"}),
                         [](const auto& info) { return info.param.plugin; });

// ctest declares MQTT subjects: a route's pattern is read with MQTT
// wildcards (`+` one level), whatever characters it uses.
TEST(CPlugin, RoutePatternsUseTheDeclaredSubjectSyntax) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             "admin: { enabled: false }\n"
             "state_dir: " +
                 dir.file("state") +
                 "\n"
                 "connectors:\n"
                 "  temp: { plugin: ctest, count: 20, subject: dev/7/temp }\n"
                 "  humidity: { plugin: ctest, count: 30, subject: dev/7/humidity }\n"
                 "  out: { plugin: file, mode: sink, path: \"" +
                 dir.file("out.txt") +
                 "\" }\n"
                 "routes:\n"
                 "  - from: [\"temp:dev/+/temp\", \"humidity:dev/+/temp\"]\n"
                 "    to: out\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"), {"--exit-when-done"});
  auto status = sluice.wait(60s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  ASSERT_EQ(*status, 0) << sluice.output();
  EXPECT_EQ(read_lines(dir.file("out.txt")).size(), 20u) << sluice.output();
}

// A pattern written in another broker's syntax is refused at load with the
// wildcards that apply, in YAML routes and in Lua handlers alike.
TEST(CPlugin, CheckRefusesAPatternInAnotherSyntax) {
  TempDir dir;
  write_file(dir.file("routes.lua"), "sluice.on('c:dev.*', function(msg) end)\n");
  write_file(dir.file("sluice.yaml"),
             "script: routes.lua\n"
             "connectors:\n"
             "  c: { plugin: ctest, subject: dev/1 }\n"
             "  out: { plugin: \"null\" }\n"
             "routes:\n"
             "  - from: \"c:dev.>\"\n"
             "    to: out\n");
  std::string output;
  EXPECT_NE(run_sluice({"check", "-c", dir.file("sluice.yaml")}, &output), 0) << output;
  EXPECT_NE(output.find("subject pattern 'dev.>' (mqtt syntax): '>' is not a wildcard here"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("subject pattern 'dev.*' (mqtt syntax): '*' is not a wildcard here"),
            std::string::npos)
      << output;
}

TEST(CPlugin, CheckValidatesItsSettings) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"),
             "connectors:\n"
             "  c: { plugin: ctest, cuont: 5 }\n"
             "routes:\n"
             "  - from: c\n"
             "    to: c\n");
  std::string output;
  EXPECT_NE(run_sluice({"check", "-c", dir.file("sluice.yaml")}, &output), 0) << output;
  EXPECT_NE(output.find("unknown setting 'cuont'"), std::string::npos) << output;
}

TEST(CPlugin, ReadinessFollowsTheUnhealthyFlagFile) {
  TempDir dir;
  uint16_t port = free_tcp_port();
  std::string flag = dir.file("unhealthy.flag");
  write_file(dir.file("sluice.yaml"), "state_dir: " + dir.file("state") +
                                          "\n"
                                          "admin: { enabled: true, listen: 127.0.0.1:" +
                                          std::to_string(port) +
                                          " }\n"
                                          "connectors:\n"
                                          "  c: { plugin: ctest, unhealthy_flag_file: \"" +
                                          flag + "\", sink_file: \"" + dir.file("sink.txt") +
                                          "\" }\n"
                                          "  g: { plugin: generate, rate: 1 }\n"
                                          "routes:\n"
                                          "  - from: g\n"
                                          "    to: c\n");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  ASSERT_TRUE(wait_until([&] { return http_get("127.0.0.1", port, "/readyz").status == 200; }, 30s))
      << sluice.output();

  write_file(flag, "");
  HttpResponse response;
  ASSERT_TRUE(wait_until(
      [&] {
        response = http_get("127.0.0.1", port, "/readyz");
        return response.status == 503;
      },
      30s))
      << sluice.output();
  EXPECT_NE(response.body.find("flag file " + flag + " exists"), std::string::npos)
      << response.body;

  std::filesystem::remove(flag);
  ASSERT_TRUE(wait_until([&] { return http_get("127.0.0.1", port, "/readyz").status == 200; }, 30s))
      << sluice.output();
  EXPECT_EQ(sluice.stop(), 0) << sluice.output();
}

}  // namespace
}  // namespace sluice::test
