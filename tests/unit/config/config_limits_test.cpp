// The loader's bounds against hostile or broken input: nesting, alias
// expansion, numbers beyond a double, and the time a large config takes.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "config/config.hpp"
#include "config/regular_file.hpp"
#include "config/scalar_typing.hpp"
#include "config_test_util.hpp"
#include "support/sluice_test.hpp"

namespace sluice::config {
namespace {

using testing::load_yaml;
using testing::yaml_lines;
using Strings = std::vector<std::string>;

// Ten times ten times ... "lol": a million values from a few hundred bytes.
std::string billion_laughs() {
  std::string text = "x-lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 6; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    text += "x-lol" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
    text += "]\n";
  }
  return text;
}

TEST(ConfigLimits, AliasBombIsRefusedWithOneErrorAndNoneOnTheValidKeysAfterIt) {
  auto loaded = load_yaml(billion_laughs() + "workers: 2\nnode_id: a\n");
  ASSERT_EQ(loaded.errors().size(), 1u) << ::testing::PrintToString(loaded.errors());
  EXPECT_NE(loaded.errors()[0].find(": the document expands to too many values at x-lol4["),
            std::string::npos)
      << loaded.errors()[0];
  EXPECT_NE(loaded.errors()[0].find("(more than 100000; aliases that repeat aliases"),
            std::string::npos)
      << loaded.errors()[0];
}

TEST(ConfigLimits, DeepFlowNestingSaysNestedTooDeeplyWhereTheLimitIsCrossed) {
  // 5000 levels: yaml-cpp's own guard gives up first, with "bad file" at the
  // end of the text. The value of `a` is level 1, at column 4; level 101,
  // the first beyond the limit, is the '[' at column 104.
  auto loaded = load_yaml("a: " + std::string(5000, '[') + std::string(5000, ']') + "\n");
  EXPECT_EQ(loaded.errors(),
            Strings{"cfg.yaml:1:104: the document is nested too deeply (more than 100 levels of "
                    "lists and mappings)"});
}

TEST(ConfigLimits, DeepBlockNestingSaysNestedTooDeeplyWhereTheLimitIsCrossed) {
  // Level d is the mapping on line d+1 at column 2d+1.
  for (int levels : {150, 5000}) {
    std::string text = "x-deep:\n";
    for (int d = 1; d <= levels; ++d) text += std::string(2 * d, ' ') + "k:\n";
    text += "workers: 2\n";
    auto loaded = load_yaml(text);
    EXPECT_EQ(loaded.errors(),
              Strings{"cfg.yaml:102:203: the document is nested too deeply (more than 100 levels "
                      "of lists and mappings)"})
        << levels << " levels";
  }
}

TEST(ConfigLimits, NumbersBeyondADoubleAreRefusedWhereTheyAreWritten) {
  auto loaded = load_yaml(yaml_lines({
      "connectors:",
      "  gen: { plugin: generate, rate: 1e309 }",
      "  out: { plugin: file, path: o, small: 1e-400 }",
      "routes:",
      "  - from: gen",
      "    to: out",
      "    throttle: { rate: -1.5e400 }",
  }));
  EXPECT_EQ(loaded.errors(),
            (Strings{"cfg.yaml:2:34: the number 1e309 is too large (the largest is about "
                     "1.8e308); write a finite number",
                     "cfg.yaml:7:23: the number -1.5e400 is too large (the largest is about "
                     "1.8e308); write a finite number"}));
  ASSERT_EQ(loaded.config.connectors.size(), 2u);
  // Too small is zero, as in any JSON or YAML reader.
  EXPECT_EQ(loaded.config.connectors[1].settings_json, R"({"path":"o","small":0E0})");
}

TEST(ConfigLimits, LargestFiniteNumbersStillRead) {
  ConfigNode node;
  node.kind = ConfigNode::Kind::kScalar;
  node.text = "1.7976931348623157e308";
  EXPECT_EQ(scalar_float(node), 1.7976931348623157e308);
  node.text = "1.8e308";
  EXPECT_EQ(scalar_float(node), std::nullopt);
  node.text = "+2.5";
  EXPECT_EQ(scalar_float(node), 2.5);
}

// Sparse files: the size is refused before a byte is read.
TEST(ConfigLimits, ConfigAndScriptOverSixteenMebibytesAreRefusedByName) {
  test::TempDir dir;
  std::string config = dir.file("sluice.yaml");
  test::write_file(config, "script: routes.lua\n");
  std::filesystem::resize_file(config, kMaxConfigFileBytes + 1);
  std::vector<Diagnostic> diagnostics;
  load_config(config, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].str(), config +
                                      ": cannot read the config file: it is 16777217 bytes, "
                                      "over the limit of 16 MiB");

  std::string script = dir.file("routes.lua");
  test::write_file(script, "-- routes\n");
  std::filesystem::resize_file(script, kMaxScriptFileBytes + 1);
  auto loaded = load_yaml("script: routes.lua\n", {}, dir.file("small.yaml"));
  EXPECT_EQ(loaded.errors(), Strings{dir.file("small.yaml") + ":1:9: script: cannot use " + script +
                                     ": it is 16777217 bytes, over the limit of 16 MiB"});
  EXPECT_EQ(loaded.config.script, "");
}

// Before, each key of a mapping was compared with every earlier key (and
// each connector's metrics with every other's): 20,000 connectors took over
// a minute. The loader's share is now linear.
TEST(ConfigLimits, TwentyThousandConnectorsLoadInLinearTime) {
  auto load_connectors = [](int count) {
    std::string text = "connectors:\n";
    for (int i = 0; i < count; ++i) {
      text += "  c" + std::to_string(i) + ": { plugin: \"null\" }\n";
    }
    text += "routes:\n  - { from: c0, to: c" + std::to_string(count - 1) + " }\n";
    auto start = std::chrono::steady_clock::now();
    auto loaded = load_yaml(text);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(loaded.errors().empty()) << loaded.errors().front();
    EXPECT_EQ(loaded.config.connectors.size(), static_cast<size_t>(count));
    return std::chrono::duration<double>(took).count();
  };
  double small = load_connectors(5000);
  double large = load_connectors(20000);
  // Linear is 4x; quadratic 16x. Allow for noise on a shared machine.
  EXPECT_LT(large, 8 * small + 0.5) << "5000: " << small << " s, 20000: " << large << " s";
  EXPECT_LT(large, 10.0);
}

}  // namespace
}  // namespace sluice::config
