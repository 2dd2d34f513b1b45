// The SDK guide (sdk/README.md) stays correct: its C plugin is compiled as
// the guide says, loaded by `sluice plugins`, and run with the guide's config;
// every relative link in the READMEs leads to a file that exists.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

namespace fs = std::filesystem;

// The body of the first fenced block of `language` that contains `marker`.
std::string fenced_block(const std::string& text, const std::string& language,
                         const std::string& marker) {
  const std::string fence = "```" + language + "\n";
  for (size_t at = text.find(fence); at != std::string::npos; at = text.find(fence, at + 1)) {
    size_t body = at + fence.size();
    size_t end = text.find("\n```", body);
    if (end == std::string::npos) break;
    std::string block = text.substr(body, end - body + 1);
    if (block.find(marker) != std::string::npos) return block;
  }
  return {};
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

TEST(SdkGuide, CPluginFromTheGuideBuildsLoadsAndRuns) {
  std::string guide = read_file(fs::path(source_dir()) / "sdk" / "README.md");
  std::string source = fenced_block(guide, "c", "sluice_plugin_entry");
  ASSERT_FALSE(source.empty()) << "no C plugin in sdk/README.md";
  std::string config = fenced_block(guide, "yaml", "plugin: upper_c");
  ASSERT_FALSE(config.empty()) << "no example config in sdk/README.md";

  TempDir dir;
  fs::create_directories(dir.path() / "plugins");
  write_file(dir.path() / "upper_sink.c", source);
  // The guide's command, with the source tree's headers in place of /usr/include.
  std::string out;
  int status = run_command(
      {"cc", "-std=c99", "-Wall", "-Werror", "-O2", "-fPIC", "-shared", "-fvisibility=hidden",
       "-Wl,--no-undefined", "-I" + source_dir() + "/sdk/include", dir.file("upper_sink.c"), "-o",
       dir.file("plugins/sluice-upper_c.so"), "-lpthread"},
      {}, &out);
  ASSERT_EQ(status, 0) << out;

  Env env = sluice_env({{"SLUICE_PLUGIN_PATH", dir.file("plugins") + ":" + plugin_dir()}});
  ASSERT_EQ(run_sluice({"plugins"}, &out, env), 0) << out;
  EXPECT_NE(out.find("upper_c"), std::string::npos) << out;

  write_file(dir.path() / "upper.yaml",
             replace_all(config, "/tmp/upper.txt", dir.file("upper.txt")));
  ASSERT_EQ(run_sluice({"run", "-c", dir.file("upper.yaml"), "--exit-when-done"}, &out, env), 0)
      << out;
  EXPECT_EQ(read_lines(dir.path() / "upper.txt"),
            (std::vector<std::string>{"HELLO 1", "HELLO 2", "HELLO 3"}));

  // The guide's validation: `path` is required, and `sluice check` says so.
  write_file(dir.path() / "nopath.yaml", replace_all(config, "path: /tmp/upper.txt", "paht: x"));
  EXPECT_NE(run_sluice({"check", "-c", dir.file("nopath.yaml")}, &out, env), 0);
  EXPECT_NE(out.find("'path' is required"), std::string::npos) << out;
}

// Markdown links such as [text](sdk/README.md) in the top README, the SDK
// guide, the plugin template and every plugin's README.
TEST(SdkGuide, RelativeLinksInTheReadmesLeadToFiles) {
  fs::path root = source_dir();
  std::vector<fs::path> readmes = {root / "README.md", root / "sdk" / "README.md",
                                   root / "examples" / "plugin-template" / "README.md"};
  for (const auto& entry : fs::directory_iterator(root / "plugins"))
    if (fs::exists(entry.path() / "README.md")) readmes.push_back(entry.path() / "README.md");

  size_t checked = 0;
  for (const auto& readme : readmes) {
    std::string text = read_file(readme);
    for (size_t at = text.find("]("); at != std::string::npos; at = text.find("](", at + 2)) {
      size_t end = text.find_first_of(")# \n", at + 2);
      if (end == std::string::npos) break;
      std::string target = text.substr(at + 2, end - at - 2);
      if (target.empty() || target.find("://") != std::string::npos ||
          target.rfind("mailto:", 0) == 0)
        continue;
      ++checked;
      EXPECT_TRUE(fs::exists(readme.parent_path() / target))
          << readme.string() << " links to " << target << ", which does not exist";
    }
  }
  EXPECT_GT(checked, 5u);
}

}  // namespace
}  // namespace sluice::test
