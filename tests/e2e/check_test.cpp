// `sluice check` on broken configs: every problem listed with its
// location, connectors validated by their own plugins, and exit codes as
// documented in --help.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

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

// A newcomer's `plugin: null` (YAML's null, not the null plugin) or a
// misspelt plugin gets one error that says what to do, not a cascade of
// "no plugin named ''" and "unknown connector" for the routes using it.
TEST(SluiceCheck, Check_BareNullOrUnknownPlugin_OneErrorWithTheFix) {
  TempDir dir;
  auto config = dir.path() / "null.yaml";
  write_file(config, R"(connectors:
  gen: { plugin: generate, count: 1 }
  sink:
    plugin: null
  other:
    plugin: nul
routes:
  - { from: gen, to: sink }
  - { from: gen, to: other }
)");
  std::string out;
  EXPECT_EQ(check(config, out), 3) << out;
  EXPECT_NE(out.find(config.string() +
                     ":4:13: connectors.sink.plugin: is YAML's null (bare null, ~ or nothing); "
                     "to use the null plugin, quote it: plugin: \"null\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("connector 'other': no plugin named 'nul'"), std::string::npos) << out;
  EXPECT_EQ(out.find("unknown connector"), std::string::npos) << out;
  EXPECT_EQ(out.find("no plugin named ''"), std::string::npos) << out;
  EXPECT_NE(out.find("2 errors in"), std::string::npos) << out;
}

// `in: { file: ids.txt }` is read relative to the config, not to the
// directory sluice runs in; a missing file is an error naming its path.
TEST(SluiceCheck, Check_ValueFilesAreReadRelativeToTheConfig) {
  TempDir dir;
  auto config = dir.path() / "sub" / "ids.yaml";
  write_file(config, R"(connectors:
  gen: { plugin: generate, count: 1 }
  out: { plugin: "null" }
routes:
  - from: gen
    where: { data.id: { in: { file: lists/ids.txt } } }
    to: out
)");
  std::string out;
  EXPECT_EQ(check(config, out), 3) << out;
  EXPECT_NE(out.find("cannot read the value file " + (dir.path() / "sub/lists/ids.txt").string()),
            std::string::npos)
      << out;
  write_file(dir.path() / "sub" / "lists" / "ids.txt", "a\nb\n");
  EXPECT_EQ(check(config, out), 0) << out;
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

// A config path that is not a regular file, or is huge, is refused by name
// before anything is read: before, /dev/zero grew sluice to gigabytes and a
// FIFO without a writer hung it.
TEST(SluiceCheck, Check_RefusesConfigsThatAreNotRegularFilesOrTooLarge) {
  TempDir dir;
  auto fifo = dir.path() / "fifo.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto huge = dir.path() / "huge.yaml";
  write_file(huge, "workers: 1\n");
  std::filesystem::resize_file(huge, 16 * 1024 * 1024 + 1);  // sparse: costs no disk
  struct Case {
    std::string path;
    std::string why;
  };
  for (const auto& c :
       std::vector<Case>{{fifo.string(), "it is a named pipe (FIFO), not a regular file"},
                         {"/dev/zero", "it is a character device, not a regular file"},
                         {dir.path().string(), "it is a directory"},
                         {huge.string(), "it is 16777217 bytes, over the limit of 16 MiB"}}) {
    std::string out;
    EXPECT_EQ(run_sluice({"check", "-c", c.path}, &out, {}, 20s), 3) << c.path << "\n" << out;
    EXPECT_NE(out.find(c.path + ": cannot read the config file: " + c.why), std::string::npos)
        << out;
  }
}

TEST(SluiceCheck, Check_RefusesAScriptThatIsNotARegularFile) {
  TempDir dir;
  auto fifo = dir.path() / "routes.lua";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto config = dir.path() / "script.yaml";
  write_file(config, "script: routes.lua\n");
  std::string out;
  EXPECT_EQ(run_sluice({"check", "-c", config.string()}, &out, {}, 20s), 3) << out;
  EXPECT_NE(out.find(config.string() + ":1:9: script: cannot use " + fifo.string() +
                     ": it is a named pipe (FIFO), not a regular file"),
            std::string::npos)
      << out;
}

// Before, each connector's metrics were looked up among every other
// connector's: 5,000 connectors took 5 s, 20,000 over a minute.
TEST(SluiceCheck, Check_TenThousandConnectorsTakeLinearTime) {
  TempDir dir;
  auto timed_check = [&](int count) {
    auto config = dir.path() / ("c" + std::to_string(count) + ".yaml");
    std::string text = "connectors:\n";
    for (int i = 0; i < count; ++i) text += "  c" + std::to_string(i) + ": { plugin: \"null\" }\n";
    write_file(config, text);
    std::string out;
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(run_sluice({"check", "-c", config.string()}, &out, {}, 60s), 0) << out;
    EXPECT_NE(out.find("OK (" + std::to_string(count) + " connectors"), std::string::npos) << out;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double small = timed_check(2500);
  double large = timed_check(10000);
  RecordProperty("seconds_2500", std::to_string(small));
  RecordProperty("seconds_10000", std::to_string(large));
  // Linear is 4x (plus the fixed start-up); quadratic would be 16x.
  EXPECT_LT(large, 30.0) << "2500: " << small << " s, 10000: " << large << " s";
  EXPECT_LT(large, 8 * small + 1.0) << "2500: " << small << " s, 10000: " << large << " s";
}

TEST(SluiceCli, Cli_UsageErrorsAndVersion) {
  std::string out;
  EXPECT_EQ(run_sluice({"frobnicate"}, &out), 2) << out;
  EXPECT_NE(out.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_EQ(run_sluice({"version"}, &out), 0);
  EXPECT_NE(out.find("plugin ABI 1.2"), std::string::npos) << out;
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
