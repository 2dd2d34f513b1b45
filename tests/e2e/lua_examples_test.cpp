// The Lua examples in config/examples/ and the default routes.lua, run
// through the real `sluice` binary with built-in plugins (generate, file)
// and the C test plugin (requests with reply handles).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <map>
#include <set>
#include <sstream>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

std::string example(const std::string& name) {
  return (std::filesystem::path(source_dir()) / "config" / "examples" / name).string();
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

void run_to_completion(const std::string& config) {
  auto sluice = SluiceProcess::run(config, {"--exit-when-done"});
  auto status = sluice.wait(120s);
  ASSERT_TRUE(status.has_value()) << "sluice did not exit in time:\n" << sluice.output();
  ASSERT_EQ(*status, 0) << sluice.output();
}

TEST(LuaExamples, DropByField_DropsParkedVehiclesOnly) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), R"(script: )" + example("drop-by-field.lua") + R"(
admin: { enabled: false }
connectors:
  tracking:
    plugin: generate
    count: 2000
    vars: { device: "dev-${cycle:10}" }
    key: "${device}"
    payload: '{"data":{"DEVICE_ID":"${device}","SPEED":"${random:0.00|42.50}","n":${counter}}}'
  out: { plugin: file, mode: sink, path: )" +
                                          dir.file("out.txt") + R"(, format: json }
)");
  run_to_completion(dir.file("sluice.yaml"));
  auto lines = lines_of(dir.file("out.txt"));
  ASSERT_GT(lines.size(), 500u);  // about half of 2000
  ASSERT_LT(lines.size(), 1500u);
  for (const auto& line : lines) {
    auto record = boost::json::parse(line).as_object();
    auto payload = record.at("payload").as_object();
    EXPECT_EQ(payload.at("data").at("SPEED"), "42.50") << line;
    EXPECT_EQ(record.at("headers").at("routed"), "yes") << line;
  }
}

TEST(LuaExamples, CommandAgent_RepliesToEveryRequest) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), R"(node_id: agent-7
script: )" + example("command-agent.lua") +
                                          R"(
admin: { enabled: false }
connectors:
  bus:
    plugin: ctest
    count: 20
    requests: true
    subject: freeswitch.api
    reply_file: )" + dir.file("replies.txt") +
                                          R"(
)");
  run_to_completion(dir.file("sluice.yaml"));
  auto lines = lines_of(dir.file("replies.txt"));
  ASSERT_EQ(lines.size(), 20u);
  std::set<std::string> handles;
  for (const auto& line : lines) {
    auto space = line.find(' ');
    ASSERT_NE(space, std::string::npos) << line;
    handles.insert(line.substr(0, space));
    auto reply = boost::json::parse(line.substr(space + 1)).as_object();
    EXPECT_EQ(reply.at("node"), "agent-7") << line;
    // ctest sends "ctest <n>", which is no command.
    EXPECT_NE(std::string(reply.at("error").as_string()).find("unknown command 'ctest "),
              std::string::npos)
        << line;
  }
  EXPECT_EQ(handles.size(), 20u);
  EXPECT_EQ(handles.count("ctest-reply-1"), 1u);
}

TEST(LuaExamples, KeepLatest_DeliversEachDevicesNewestPosition) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), R"(script: )" + example("keep-latest.lua") + R"(
admin: { enabled: false }
connectors:
  tracking:
    plugin: generate
    count: 500
    vars: { device: "dev-${cycle:5}" }
    key: "${device}"
    payload: '{"data":{"DEVICE_ID":"${device}","seq":${counter}}}'
  out: { plugin: file, mode: sink, path: )" +
                                          dir.file("out.txt") + R"( }
)");
  run_to_completion(dir.file("sluice.yaml"));
  auto lines = lines_of(dir.file("out.txt"));
  // 500 messages as fast as possible, 1/s per device: a handful per device.
  ASSERT_LT(lines.size(), 100u) << read_file(dir.file("out.txt"));
  std::map<std::string, int64_t> newest;
  for (const auto& line : lines) {
    auto data = boost::json::parse(line).at("data").as_object();
    std::string device(data.at("DEVICE_ID").as_string());
    newest[device] = std::max(newest[device], data.at("seq").as_int64());
  }
  ASSERT_EQ(newest.size(), 5u);
  // The last message of each device (seq 496..500) was kept, not dropped.
  for (int64_t seq = 496; seq <= 500; ++seq) {
    std::string device = "dev-" + std::to_string((seq - 1) % 5 + 1);
    EXPECT_EQ(newest[device], seq) << device;
  }
}

TEST(LuaExamples, Fallback_SpareTakesOverWhileThePrimaryFails) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), R"(script: )" + example("fallback.lua") + R"(
admin: { enabled: false }
connectors:
  tracking:
    plugin: generate
    count: 300
    rate: 1000
    payload: '{"seq":${counter}}'
  primary:
    plugin: file
    mode: sink
    path: /dev/full
    flush_interval_ms: 1
    retry: { max_attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 2 }
  spare: { plugin: file, mode: sink, path: )" +
                                          dir.file("spare.txt") + R"(, format: json }
)");
  run_to_completion(dir.file("sluice.yaml"));
  auto lines = lines_of(dir.file("spare.txt"));
  std::set<int64_t> seqs;
  size_t dead_lettered = 0;
  for (const auto& line : lines) {
    auto record = boost::json::parse(line).as_object();
    seqs.insert(record.at("payload").at("seq").as_int64());
    const auto& headers = record.at("headers").as_object();
    if (headers.contains("sluice-error")) ++dead_lettered;
  }
  // Every event reached the spare once: first through the dead letter (the
  // primary's writes failed), then directly once the primary was unhealthy.
  EXPECT_EQ(lines.size(), 300u);
  EXPECT_EQ(seqs.size(), 300u);
  EXPECT_GE(dead_lettered, 1u);
  EXPECT_LT(dead_lettered, 300u);
}

TEST(LuaExamples, Transform_YamlRouteReshapesThePayloadNatively) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), R"(node_id: edge-3
admin: { enabled: false }
connectors:
  tracking:
    plugin: generate
    count: 20
    vars: { device: "dev-${cycle:2}" }
    payload: '{"data":{"DEVICE_ID":"${device}","SPEED":"${random:0.00|42.50}","n":${counter}},"debug":1}'
  out: { plugin: file, mode: sink, path: )" +
                                          dir.file("out.txt") + R"(, format: json }
routes:
  - name: reshape
    from: tracking
    where: { data.SPEED: { ne: "0.00" } }
    transform:
      rename: { data.DEVICE_ID: device }
      set: { via: "${node_id}", speed: "${data.SPEED}", tags.route: reshape }
      remove: [debug, data.SPEED]
    to: "out:moving.${device}"
)");
  run_to_completion(dir.file("sluice.yaml"));
  auto lines = lines_of(dir.file("out.txt"));
  ASSERT_FALSE(lines.empty());
  ASSERT_LT(lines.size(), 20u);
  for (const auto& line : lines) {
    auto record = boost::json::parse(line).as_object();
    auto payload = record.at("payload").as_object();
    std::string device(payload.at("device").as_string());
    EXPECT_EQ(std::string(record.at("subject").as_string()), "moving." + device) << line;
    EXPECT_EQ(payload.at("via"), "edge-3") << line;
    EXPECT_EQ(payload.at("speed"), "42.50") << line;
    EXPECT_EQ(payload.at("tags").at("route"), "reshape") << line;
    EXPECT_FALSE(payload.contains("debug")) << line;
    auto data = payload.at("data").as_object();
    EXPECT_FALSE(data.contains("SPEED")) << line;
    EXPECT_FALSE(data.contains("DEVICE_ID")) << line;
    EXPECT_TRUE(data.contains("n")) << line;
  }
}

TEST(LuaExamples, Check_AcceptsEveryExampleScript) {
  for (const char* name : {"drop-by-field.yaml", "keep-latest.yaml", "fallback.yaml"}) {
    std::string out;
    EXPECT_EQ(run_sluice({"check", "-c", example(name)}, &out), 0) << name << "\n" << out;
  }
}

TEST(LuaExamples, Check_CountsTheScriptsRoutesAndHandlers) {
  TempDir dir;
  write_file(dir.file("routes.lua"), R"(
sluice.route{ from = "gen", to = "out" }
sluice.route{ from = "gen", to = "out", transform = { set = { a = 1 } } }
sluice.on("gen", function(msg) end)
)");
  write_file(dir.file("sluice.yaml"), R"(script: routes.lua
connectors:
  gen: { plugin: generate }
  out: { plugin: "null" }
routes:
  - { from: gen, to: out }
)");
  std::string out;
  EXPECT_EQ(run_sluice({"check", "-c", dir.file("sluice.yaml")}, &out), 0) << out;
  EXPECT_NE(out.find("OK (2 connectors, 3 routes, 1 handlers)"), std::string::npos) << out;
}

TEST(LuaExamples, Check_ReportsABadTransformWithFileAndLine) {
  TempDir dir;
  write_file(dir.file("sluice.yaml"), R"(connectors:
  gen: { plugin: generate }
  out: { plugin: "null" }
routes:
  - name: shaped
    from: gen
    to: out
    transform: { set: { "a..b": 1 }, drop: [x] }
)");
  std::string out;
  EXPECT_EQ(run_sluice({"check", "-c", dir.file("sluice.yaml")}, &out), 3) << out;
  EXPECT_NE(out.find(dir.file("sluice.yaml") + ":5:"), std::string::npos) << out;
  EXPECT_NE(out.find("transform.set.a..b: path 'a..b': empty name between separators"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("transform.drop: unknown key 'drop' (expected rename, set, remove)"),
            std::string::npos)
      << out;
}

TEST(LuaExamples, Check_ReportsScriptErrorsWithFileAndLine) {
  TempDir dir;
  write_file(dir.file("bad.lua"), "-- fine\nsluice.on('gen', function(msg)\n  return msg.\nend)\n");
  write_file(dir.file("sluice.yaml"),
             "script: bad.lua\nconnectors:\n  gen: { plugin: generate }\n");
  std::string out;
  EXPECT_EQ(run_sluice({"check", "-c", dir.file("sluice.yaml")}, &out), 3) << out;
  EXPECT_NE(out.find(dir.file("bad.lua") + ":4:"), std::string::npos) << out;
}

TEST(LuaScript, Sighup_ReloadsTheScriptAndKeepsItWhenBroken) {
  TempDir dir;
  auto tagger = [](const std::string& tag) {
    return "sluice.on('gen', function(msg) sluice.publish('out', '" + tag + "') end)\n";
  };
  write_file(dir.file("routes.lua"), tagger("v1"));
  write_file(dir.file("sluice.yaml"), R"(script: routes.lua
admin: { enabled: false }
connectors:
  gen: { plugin: generate, rate: 200, payload: "x" }
  out: { plugin: file, mode: sink, path: )" +
                                          dir.file("out.txt") + R"(, flush_interval_ms: 5 }
)");
  auto sluice = SluiceProcess::run(dir.file("sluice.yaml"));
  auto has = [&](const std::string& tag) {
    auto text = std::filesystem::exists(dir.file("out.txt")) ? read_file(dir.file("out.txt")) : "";
    return text.find(tag + "\n") != std::string::npos;
  };
  ASSERT_TRUE(wait_until([&] { return has("v1"); }, 20s)) << sluice.output();
  write_file(dir.file("routes.lua"), "this is not lua\n");
  sluice.signal(SIGHUP);
  ASSERT_TRUE(wait_until(
      [&] { return sluice.output().find("kept the running script") != std::string::npos; }, 20s))
      << sluice.output();
  EXPECT_NE(sluice.output().find(dir.file("routes.lua") + ":1:"), std::string::npos)
      << sluice.output();
  write_file(dir.file("routes.lua"), tagger("v2"));
  sluice.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return has("v2"); }, 20s)) << sluice.output();
  sluice.signal(SIGTERM);
  auto status = sluice.wait(60s);
  ASSERT_TRUE(status.has_value()) << sluice.output();
  EXPECT_EQ(*status, 0) << sluice.output();
}

TEST(LuaExamples, DefaultScript_PrintsAFleetSummaryEveryThreeSeconds) {
  TempDir dir;
  auto routes = (std::filesystem::path(source_dir()) / "config" / "routes.lua").string();
  // 100 events over about 5 s into one worker: at least one 3 s window.
  write_file(dir.file("sluice.yaml"), R"(script: )" + routes + R"(
workers: 1
admin: { enabled: false }
connectors:
  tracking:
    plugin: generate
    rate: 20
    count: 100
    payload: '{"data":{"DEVICE_ID":"d${counter}","SPEED":"${random:20.00|130.00}","ENGINE_STATUS":"${random:ON|OFF}"}}'
  console: { plugin: file, mode: sink, path: )" +
                                          dir.file("out.txt") + R"( }
)");
  run_to_completion(dir.file("sluice.yaml"));
  auto lines = lines_of(dir.file("out.txt"));
  ASSERT_FALSE(lines.empty());
  ASSERT_LE(lines.size(), 2u);  // windows of 3 s in a 5 s run
  auto summary = boost::json::parse(lines.front()).as_object();
  EXPECT_EQ(summary.at("summary"), "fleet") << lines.front();
  auto rate = summary.at("events_per_s").to_number<double>();
  EXPECT_GE(rate, 10) << lines.front();
  EXPECT_LE(rate, 30) << lines.front();
  auto moving = summary.at("moving_pct").to_number<double>();
  EXPECT_GT(moving, 0) << lines.front();
  EXPECT_LT(moving, 100) << lines.front();
  EXPECT_GE(summary.at("speeding").to_number<double>(), 1) << lines.front();
  EXPECT_EQ(summary.at("fastest").at("speed"), 130) << lines.front();
}

}  // namespace
}  // namespace sluice::test
