// `sluice test`: route and handler tests declared in *.test.yaml files, run
// through the real binary. Passing, failing (the diff is checked), broken
// files; throttles on the virtual clock; Lua handlers; stubbed requests;
// and every shipped config's own tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

namespace fs = std::filesystem;

int sluice_test(const std::vector<std::string>& args, std::string& output) {
  std::vector<std::string> argv{"test"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_sluice(argv, &output);
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// A config whose connectors use a plugin no one installed: the stand-ins
// take any settings, so nothing but the routes matters.
constexpr const char* kRoutesConfig = R"(node_id: test-node
connectors:
  in: { plugin: imaginary_broker, anything: [goes, here] }
  out: { plugin: imaginary_broker }
  dlq: { plugin: imaginary_broker }
routes:
  - name: moving
    from: in
    where: { data.SPEED: { gt: 0 } }
    transform: { rename: { data.DEVICE_ID: device } }
    to: out:moving.${device}
    dead_letter: dlq
  - name: one-per-second
    from: in:slow
    to: out
    throttle: { key: data.DEVICE_ID, rate: 1, keep_latest: true }
)";

TEST(SluiceTestCommand, PassingFile_PrintsOkPerCaseAndExitsZero) {
  TempDir dir;
  write_file(dir.file("app.yaml"), kRoutesConfig);
  write_file(dir.file("app.test.yaml"), R"(config: app.yaml
cases:
  - name: moving vehicles are renamed and routed by device
    input:
      - { from: in, key: k1, payload: { data: { DEVICE_ID: d1, SPEED: 12.5 } } }
      - { from: in, payload: { data: { DEVICE_ID: d2, SPEED: 0 } } }
    expect:
      out:
        - subject: moving.d1
          key: k1
          payload: { device: d1, data: { SPEED: 12.5 } }
      dlq: nothing
  - name: a payload that is not JSON is dead-lettered
    input:
      - { from: in, payload: "not json" }
    expect:
      out: nothing
      dlq:
        - { payload: "not json", error: not JSON }
)");
  std::string out;
  // Found next to the -c config by the naming rule (*.test.yaml).
  EXPECT_EQ(sluice_test({"-c", dir.file("app.yaml")}, out), 0) << out;
  EXPECT_TRUE(contains(out, "ok   moving vehicles are renamed and routed by device\n")) << out;
  EXPECT_TRUE(contains(out, "ok   a payload that is not JSON is dead-lettered\n")) << out;
  EXPECT_TRUE(contains(out, "\n2 passed, 0 failed\n")) << out;
}

TEST(SluiceTestCommand, FailingFile_PrintsTheDiffAndExitsOne) {
  TempDir dir;
  write_file(dir.file("app.yaml"), kRoutesConfig);
  write_file(dir.file("failing.test.yaml"), R"(config: app.yaml
cases:
  - name: passes
    input:
      - { from: in, payload: { data: { DEVICE_ID: d1, SPEED: 1 } } }
    expect:
      out: { count: 1 }
  - name: expects the wrong device and too few messages
    input:
      - { from: in, payload: { data: { DEVICE_ID: d1, SPEED: 1 } } }
      - { from: in, payload: { data: { DEVICE_ID: d2, SPEED: 2 } } }
    expect:
      out:
        - { subject: moving.d9, payload: { device: d9, data: { SPEED: 1 } } }
)");
  std::string out;
  EXPECT_EQ(sluice_test({dir.file("failing.test.yaml")}, out), 1) << out;
  EXPECT_TRUE(contains(out, "ok   passes\n")) << out;
  EXPECT_TRUE(contains(out,
                       "FAIL expects the wrong device and too few messages\n"
                       "     out: 1 message expected, 2 received\n"
                       "     out: message 1: payload differs\n"
                       "     out: message 1: subject: expected \"moving.d9\", got \"moving.d1\"\n"
                       "       - 1 subject=moving.d9 {\"device\":\"d9\",\"data\":{\"SPEED\":1}}\n"
                       "       + 1 subject=moving.d1 {\"data\":{\"SPEED\":1},\"device\":\"d1\"}\n"
                       "       + 2 subject=moving.d2 {\"data\":{\"SPEED\":2},\"device\":\"d2\"}\n"))
      << out;
  EXPECT_TRUE(contains(out, "\n1 passed, 1 failed\n")) << out;
}

TEST(SluiceTestCommand, BrokenFiles_ExitTwoWithFileLineAndRunNothing) {
  TempDir dir;
  write_file(dir.file("app.yaml"), kRoutesConfig);
  auto misspelt = dir.file("misspelt.test.yaml");
  write_file(misspelt, R"(config: app.yaml
cases:
  - name: misspelt
    imput:
      - { from: in, payload: x }
    expect:
      out: nothing
)");
  auto unknown = dir.file("unknown.test.yaml");
  write_file(unknown, R"(config: app.yaml
cases:
  - name: passes but names a connector that does not exist
    input:
      - { from: in, payload: x }
    expect:
      out: { count: 1 }
      nowhere: nothing
)");
  std::string out;
  EXPECT_EQ(sluice_test({misspelt, unknown}, out), 2) << out;
  EXPECT_TRUE(contains(out, misspelt + ":4:5: unknown key 'imput'")) << out;
  EXPECT_TRUE(contains(out, "did you mean 'input'")) << out;
  EXPECT_TRUE(contains(out, unknown +
                                ":8:7: case 'passes but names a connector that does not exist': "
                                "no connector named 'nowhere'"))
      << out;
  EXPECT_TRUE(contains(out, "no case was run")) << out;
  EXPECT_FALSE(contains(out, "passed")) << out;
}

TEST(SluiceTestCommand, InstalledPlugin_StillValidatesItsSettings) {
  TempDir dir;
  write_file(dir.file("app.yaml"), R"(connectors:
  gen: { plugin: generate, rat: 10 }
  out: { plugin: file, path: out.jsonl }
routes:
  - { from: gen, to: out }
)");
  write_file(dir.file("app.test.yaml"), R"(config: app.yaml
cases:
  - name: anything
    input: [{ from: gen, payload: x }]
    expect: { out: { count: 1 } }
)");
  std::string out;
  EXPECT_EQ(sluice_test({dir.file("app.test.yaml")}, out), 2) << out;
  EXPECT_TRUE(contains(out, "connector 'gen' (generate): unknown setting 'rat'")) << out;
}

TEST(SluiceTestCommand, Throttle_ReleasesHeldMessagesExactlyWhenTheClockIsAdvanced) {
  TempDir dir;
  write_file(dir.file("app.yaml"), kRoutesConfig);
  write_file(dir.file("app.test.yaml"), R"(config: app.yaml
cases:
  - name: held until the token frees
    input:
      - { from: in, subject: slow, payload: { data: { DEVICE_ID: d1, n: 1 } } }
      - { from: in, subject: slow, payload: { data: { DEVICE_ID: d1, n: 2 } } }
      - { from: in, subject: slow, payload: { data: { DEVICE_ID: d1, n: 3 } } }
      - advance_ms: 999
    expect:
      out: [{ fields: { data.n: 1 } }]
  - name: released at 1000 ms, the newest only
    input:
      - { from: in, subject: slow, payload: { data: { DEVICE_ID: d1, n: 1 } } }
      - { from: in, subject: slow, payload: { data: { DEVICE_ID: d1, n: 2 } } }
      - { from: in, subject: slow, payload: { data: { DEVICE_ID: d1, n: 3 } } }
      - advance_ms: 1000
    expect:
      out: [{ fields: { data.n: 1 } }, { fields: { data.n: 3 } }]
)");
  std::string out;
  EXPECT_EQ(sluice_test({dir.file("app.test.yaml")}, out), 0) << out;
  EXPECT_TRUE(contains(out, "2 passed, 0 failed")) << out;
}

TEST(SluiceTestCommand, LuaHandler_ChangesAndPublishesTheMessage) {
  TempDir dir;
  write_file(dir.file("app.lua"), R"(
sluice.on("in", function(msg)
  if msg:get("kind") == "drop" then return end
  if msg:get("kind") == "boom" then error("cannot handle boom") end
  msg:set("seen_by", sluice.node_id)
  sluice.publish("out:" .. msg:get("kind"), msg, { key = "k-" .. msg:get("kind"),
                                                 headers = { via = "lua" } })
end, { name = "tagger", dead_letter = "dlq" })
)");
  write_file(dir.file("app.yaml"), R"(node_id: lua-node
script: app.lua
connectors:
  in: { plugin: imaginary_broker }
  out: { plugin: imaginary_broker }
  dlq: { plugin: imaginary_broker }
)");
  write_file(dir.file("app.test.yaml"), R"(config: app.yaml
cases:
  - name: tagged, dropped and failed
    input:
      - { from: in, payload: { kind: a } }
      - { from: in, payload: { kind: drop } }
      - { from: in, payload: { kind: boom } }
    expect:
      out:
        - subject: a
          key: k-a
          headers: { via: lua }
          payload: { kind: a, seen_by: lua-node }
      dlq:
        - { payload: { kind: boom }, error: "cannot handle boom" }
)");
  std::string out;
  EXPECT_EQ(sluice_test({dir.file("app.test.yaml")}, out), 0) << out;
  EXPECT_TRUE(contains(out, "ok   tagged, dropped and failed")) << out;
}

TEST(SluiceTestCommand, StubbedRequest_AnswersTheHandlersSluiceRequest) {
  TempDir dir;
  write_file(dir.file("app.lua"), R"(
sluice.on("in", function(msg)
  local reply, err = sluice.request("directory:lookup", { id = msg:get("id") })
  if not reply then
    sluice.publish("out", { id = msg:get("id"), error = err })
    return
  end
  sluice.publish("out", { id = msg:get("id"), name = sluice.json.decode(reply.payload).name })
end, { name = "enrich" })
)");
  write_file(dir.file("app.yaml"), R"(script: app.lua
connectors:
  in: { plugin: imaginary_broker }
  out: { plugin: imaginary_broker }
  directory: { plugin: imaginary_broker }
)");
  write_file(dir.file("app.test.yaml"), R"(config: app.yaml
stubs:
  - { to: directory, subject: lookup, fields: { id: 7 }, reply: { name: Ada } }
  - { to: directory, subject: lookup, fields: { id: 8 }, error: "directory is down" }
cases:
  - name: the stub's reply enriches the message
    input:
      - { from: in, payload: { id: 7 } }
      - { from: in, payload: { id: 8 } }
      - { from: in, payload: { id: 9 } }
    expect:
      directory:
        count: 3
        messages: [{ subject: lookup, payload: { id: 7 } }]
      out:
        - payload: { id: 7, name: Ada }
        - payload: { id: 8, error: "directory is down" }
        - fields: { id: 9, error: { contains: "no stub answers requests to directory:lookup" } }
)");
  std::string out;
  EXPECT_EQ(sluice_test({dir.file("app.test.yaml")}, out), 0) << out;
  EXPECT_TRUE(contains(out, "1 passed, 0 failed")) << out;
}

TEST(SluiceTestCommand, JsonlInputAndUnorderedExpectations) {
  TempDir dir;
  write_file(dir.file("app.yaml"), kRoutesConfig);
  write_file(dir.file("events.jsonl"), R"({"data":{"DEVICE_ID":"d1","SPEED":1}}
{"data":{"DEVICE_ID":"d2","SPEED":0}}

{"data":{"DEVICE_ID":"d3","SPEED":3}}
)");
  write_file(dir.file("app.test.yaml"), R"(config: app.yaml
cases:
  - name: one message per line, blank lines skipped, headers on each
    input:
      - { from: in, jsonl: events.jsonl, key: same, headers: { origin: replay } }
    expect:
      out:
        ordered: false
        count: 2
        messages:
          - { subject: moving.d3, key: same, headers: { origin: replay } }
          - { subject: moving.d1 }
  - name: an unordered expectation that matches nothing fails
    input:
      - { from: in, jsonl: events.jsonl }
    expect:
      out:
        ordered: false
        messages: [{ subject: moving.d2 }]
)");
  std::string out;
  EXPECT_EQ(sluice_test({dir.file("app.test.yaml")}, out), 1) << out;
  EXPECT_TRUE(contains(out, "ok   one message per line, blank lines skipped, headers on each\n"))
      << out;
  EXPECT_TRUE(contains(out,
                       "FAIL an unordered expectation that matches nothing fails\n"
                       "     out: expected message 1 matches none received\n"))
      << out;
}

// Every shipped config has its tests, and they pass.
TEST(SluiceTestCommand, ShippedConfigsAndExamples_AllPass) {
  fs::path config = fs::path(source_dir()) / "config";
  std::vector<std::string> files;
  std::set<std::string> tested;
  for (const auto& dir : {config, config / "examples"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::string name = entry.path().filename().string();
      if (name.ends_with(".test.yaml")) {
        files.push_back(entry.path().string());
        tested.insert(name.substr(0, name.size() - 10));
      }
    }
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::string name = entry.path().filename().string();
      if (name.ends_with(".yaml") && !name.ends_with(".test.yaml"))
        EXPECT_TRUE(tested.count(name.substr(0, name.size() - 5)))
            << entry.path() << " has no " << name.substr(0, name.size() - 5) << ".test.yaml";
    }
  }
  ASSERT_FALSE(files.empty());
  std::string out;
  EXPECT_EQ(sluice_test(files, out), 0) << out;
  EXPECT_TRUE(contains(out, " passed, 0 failed\n")) << out;
}

}  // namespace
}  // namespace sluice::test
