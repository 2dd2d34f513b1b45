// `sluice check` on broken configs: every problem listed with its
// location, connectors validated by their own plugins, and exit codes as
// documented in --help.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

int check(const std::filesystem::path& config, std::string& output) {
  return run_sluice({"check", "-c", config.string()}, &output);
}

TEST(SluiceCheck, Check_ListsEveryErrorWithItsLocation) {
  TempDir dir;
  auto config = dir.path() / "broken.yaml";
  write_file(config, R"(node_id: checker
wrokers: 2
connectors:
  gen:
    plugin: generate
    rat: 10
  out:
    plugin: file
  ghost:
    plugin: no_such_plugin
routes:
  - from: gen
    to: outt
)");
  std::string out;
  EXPECT_EQ(check(config, out), 3) << out;
  auto path = config.string();
  // The host's own keys, with line:col and a suggestion.
  EXPECT_NE(out.find(path + ":2:1"), std::string::npos) << out;
  EXPECT_NE(out.find("'wrokers'"), std::string::npos) << out;
  EXPECT_NE(out.find("did you mean 'workers'"), std::string::npos) << out;
  // A plugin's settings, validated by the plugin, shown with the connector.
  EXPECT_NE(
      out.find(path +
               ":4:3: connector 'gen' (generate): unknown setting 'rat'; did you mean 'rate'?"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("connector 'out' (file)"), std::string::npos) << out;
  EXPECT_NE(out.find("no plugin named 'no_such_plugin'"), std::string::npos) << out;
  // A route naming a connector that does not exist.
  EXPECT_NE(out.find("outt"), std::string::npos) << out;
  EXPECT_NE(out.find("errors in " + path), std::string::npos) << out;
}

TEST(SluiceCheck, Check_ReportsYamlSyntaxErrorsWithLineAndColumn) {
  TempDir dir;
  auto config = dir.path() / "syntax.yaml";
  write_file(config, "connectors:\n  gen: {plugin: generate\n");
  std::string out;
  EXPECT_EQ(check(config, out), 3) << out;
  EXPECT_NE(out.find(config.string() + ":"), std::string::npos) << out;
}

TEST(SluiceCheck, Check_AcceptsAValidConfigAndTheShippedDefault) {
  TempDir dir;
  auto config = dir.path() / "ok.yaml";
  write_file(config, R"(connectors:
  gen: { plugin: generate, count: 10 }
  out: { plugin: file, path: )" +
                         (dir.path() / "out.txt").string() + R"( }
routes:
  - { from: gen, to: out }
)");
  std::string out;
  EXPECT_EQ(check(config, out), 0) << out;
  EXPECT_NE(out.find("OK (2 connectors, 1 routes)"), std::string::npos) << out;
  EXPECT_EQ(check(std::filesystem::path(source_dir()) / "config" / "sluice.yaml", out), 0) << out;
}

TEST(SluiceCheck, Check_InterpolatesEnvironmentAndReportsMissingVariables) {
  TempDir dir;
  auto config = dir.path() / "env.yaml";
  write_file(config,
             "node_id: ${SLUICE_TEST_UNSET_VARIABLE}\nworkers: ${SLUICE_TEST_WORKERS:-2}\n");
  std::string out;
  EXPECT_EQ(check(config, out), 3) << out;
  EXPECT_NE(out.find("SLUICE_TEST_UNSET_VARIABLE"), std::string::npos) << out;
  EXPECT_NE(out.find(config.string() + ":1:"), std::string::npos) << out;
}

TEST(SluiceCli, Cli_UsageErrorsAndVersion) {
  std::string out;
  EXPECT_EQ(run_sluice({"frobnicate"}, &out), 2) << out;
  EXPECT_NE(out.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_EQ(run_sluice({"version"}, &out), 0);
  EXPECT_NE(out.find("plugin ABI 1.0"), std::string::npos) << out;
  EXPECT_EQ(run_sluice({"--help"}, &out), 0);
  EXPECT_NE(out.find("Exit codes:"), std::string::npos) << out;
}

TEST(SluiceCli, Help_ListsEachPluginDirectoryOnce) {
  std::string out;
  ASSERT_EQ(run_sluice({"--help"}, &out), 0) << out;
  auto start = out.find("Plugins are searched in:");
  ASSERT_NE(start, std::string::npos) << out;
  std::string paragraph = out.substr(start, out.find("\n\n", start) - start);
  std::vector<std::string> dirs;
  for (size_t at = paragraph.find('/'); at != std::string::npos; at = paragraph.find('/', at)) {
    size_t end = paragraph.find_first_of(" ,\n", at);
    std::string dir = paragraph.substr(at, end == std::string::npos ? end : end - at);
    if (!dir.empty() && dir.back() == '.') dir.pop_back();
    EXPECT_EQ(std::count(dirs.begin(), dirs.end(), dir), 0) << dir << " twice in:\n" << paragraph;
    dirs.push_back(dir);
    at = end;
  }
  EXPECT_FALSE(dirs.empty()) << paragraph;
}

TEST(SluicePlugins, Plugins_ListsTheBuiltInsWithTheirSchemas) {
  std::string out;
  ASSERT_EQ(run_sluice({"plugins", "--json"}, &out), 0) << out;
  for (const char* name : {"\"stdio\"", "\"file\"", "\"generate\"", "\"null\""})
    EXPECT_NE(out.find(std::string("\"name\":") + name), std::string::npos) << name << "\n" << out;
  EXPECT_NE(out.find("\"config_schema\":{"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice::test
