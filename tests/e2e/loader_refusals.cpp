// `sluice plugins` facing plugins it must refuse, one case per folder of
// build/test-plugins/bad/: the exit status says so, and the message names
// the file and the reason (with the dynamic loader's own text, or both ABI
// versions).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

struct Listing {
  int status = 0;
  std::string output;
};

Listing list_plugins(const std::string& bad_case) {
  Listing l;
  l.status = run_sluice({"plugins"}, &l.output,
                        {{"SLUICE_PLUGIN_PATH", test_plugin_dir() + "/bad/" + bad_case}});
  return l;
}

std::string abi(int major, int minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// The ABI this build speaks, as the good test plugin built from the same
// SDK reports it (e2e tests do not see the SDK headers).
struct Abi {
  int major = 0, minor = 0;
};
Abi host_abi() {
  std::string output;
  run_sluice({"plugins", "--json"}, &output, {{"SLUICE_PLUGIN_PATH", test_plugin_dir()}});
  auto doc = boost::json::parse(output.substr(output.find('{')));
  for (const auto& p : doc.at("plugins").as_array()) {
    if (p.at("name").as_string() != "ctest") continue;
    std::string text(p.at("abi").as_string());
    return Abi{std::stoi(text.substr(0, text.find('.'))),
               std::stoi(text.substr(text.find('.') + 1))};
  }
  throw std::runtime_error("ctest is not listed by sluice plugins --json:\n" + output);
}

#define EXPECT_CONTAINS(haystack, needle)                                                          \
  EXPECT_NE((haystack).find(needle), std::string::npos) << "expected \"" << (needle) << "\" in:\n" \
                                                        << (haystack)

TEST(LoaderRefusals, AbiMajorMismatchNamesFileAndBothVersions) {
  Abi host = host_abi();
  auto l = list_plugins("abi_major");
  EXPECT_NE(l.status, 0) << l.output;
  EXPECT_CONTAINS(l.output, "bad/abi_major/sluice-abimajor.so");
  EXPECT_CONTAINS(l.output, "ABI " + abi(2, host.minor));
  EXPECT_CONTAINS(l.output, "ABI " + abi(host.major, host.minor));
}

TEST(LoaderRefusals, NewerAbiMinorNamesFileAndBothVersions) {
  Abi host = host_abi();
  auto l = list_plugins("abi_minor");
  EXPECT_NE(l.status, 0) << l.output;
  EXPECT_CONTAINS(l.output, "bad/abi_minor/sluice-abiminor.so");
  EXPECT_CONTAINS(l.output, "ABI " + abi(host.major, host.minor + 1));
  EXPECT_CONTAINS(l.output, "ABI " + abi(host.major, host.minor));
  EXPECT_CONTAINS(l.output, "newer");
}

TEST(LoaderRefusals, UnknownSubjectSyntaxIsRefusedByName) {
  auto l = list_plugins("subject_syntax");
  EXPECT_NE(l.status, 0) << l.output;
  EXPECT_CONTAINS(l.output, "bad/subject_syntax/sluice-badsyntax.so");
  EXPECT_CONTAINS(l.output, "unknown subject syntax (99");
}

// ABI 1.1 appended subject_syntax to the descriptor; a plugin built for 1.0
// has a shorter descriptor and must still load, its patterns guessed.
TEST(LoaderRefusals, AbiOneZeroDescriptorLoadsWithSubjectSyntaxAuto) {
  std::string output;
  int status = run_sluice({"plugins", "--json"}, &output,
                          {{"SLUICE_PLUGIN_PATH", test_plugin_dir() + "/bad/abi_1_0"}});
  ASSERT_EQ(status, 0) << output;
  auto doc = boost::json::parse(output.substr(output.find('{'))).as_object();
  ASSERT_EQ(doc.at("plugins").as_array().size(), 1u) << output;
  const auto& plugin = doc.at("plugins").as_array()[0].as_object();
  EXPECT_EQ(plugin.at("name").as_string(), "abi10");
  EXPECT_EQ(plugin.at("abi").as_string(), "1.0");
  EXPECT_EQ(plugin.at("subject_syntax").as_string(), "auto");
}

TEST(LoaderRefusals, MissingEntrySymbol) {
  auto l = list_plugins("no_entry");
  EXPECT_NE(l.status, 0) << l.output;
  EXPECT_CONTAINS(l.output, "bad/no_entry/sluice-noentry.so");
  EXPECT_CONTAINS(l.output, "sluice_plugin_entry");
}

TEST(LoaderRefusals, UndefinedSymbolShowsTheDlopenError) {
  auto l = list_plugins("undefined_symbol");
  EXPECT_NE(l.status, 0) << l.output;
  EXPECT_CONTAINS(l.output, "bad/undefined_symbol/sluice-undefined.so");
  // The dynamic loader's own words.
  EXPECT_CONTAINS(l.output, "undefined symbol: sluice_test_symbol_that_does_not_exist");
}

TEST(LoaderRefusals, MissingLibraryShowsTheDlopenError) {
  auto l = list_plugins("missing_library");
  EXPECT_NE(l.status, 0) << l.output;
  EXPECT_CONTAINS(l.output, "bad/missing_library/sluice-missinglib.so");
  EXPECT_CONTAINS(l.output,
                  "libsluice-test-absent.so.1: cannot open shared object file: No such file or "
                  "directory");
}

TEST(LoaderRefusals, TwoPluginsWithOneNameInAFolderAreBothRefused) {
  auto l = list_plugins("duplicate_name");
  EXPECT_NE(l.status, 0) << l.output;
  EXPECT_CONTAINS(l.output, "bad/duplicate_name/sluice-dup-a.so");
  EXPECT_CONTAINS(l.output, "bad/duplicate_name/sluice-dup-b.so");
  EXPECT_CONTAINS(l.output, "'dup'");
}

// A plugin whose constructor calls abort(): before, dlopen killed sluice
// itself (exit 134) without naming the file. Now each command refuses that
// file by name and goes on with the others.
const std::string kAbortingPlugin = "bad/constructor_abort/sluice-ctorabort.so";

Env path_with_aborting_plugin() {
  return {{"SLUICE_PLUGIN_PATH",
           test_plugin_dir() + "/bad/constructor_abort:" + plugin_dir() + ":" + test_plugin_dir()}};
}

TEST(LoaderRefusals, PluginsNamesAFileThatCrashesWhileLoadingAndListsTheRest) {
  std::string output;
  int status = run_sluice({"plugins"}, &output, path_with_aborting_plugin());
  EXPECT_EQ(status, 4) << output;
  EXPECT_CONTAINS(output, kAbortingPlugin + ": crashed while loading (signal 6");
  EXPECT_CONTAINS(output, "skipped");
  for (const char* name : {"\nnull ", "\nctest "}) EXPECT_CONTAINS(output, name);
}

TEST(LoaderRefusals, CheckAndRunGoOnPastAFileThatCrashesWhileLoading) {
  TempDir dir;
  auto config = dir.path() / "abort.yaml";
  write_file(config, R"(connectors:
  gen: { plugin: generate, count: 3 }
  sink: { plugin: "null" }
routes:
  - { from: gen, to: sink }
)");
  std::string output;
  EXPECT_EQ(run_sluice({"check", "-c", config.string()}, &output, path_with_aborting_plugin()), 0)
      << output;
  EXPECT_CONTAINS(output, "OK (2 connectors, 1 routes)");

  EXPECT_EQ(run_sluice({"run", "-c", config.string(), "--exit-when-done"}, &output,
                       path_with_aborting_plugin()),
            0)
      << output;
  EXPECT_CONTAINS(output, kAbortingPlugin + ": crashed while loading (signal 6");
}

TEST(LoaderRefusals, GoodPluginsLoadWithoutRefusals) {
  std::string output;
  int status = run_sluice({"plugins"}, &output,
                          {{"SLUICE_PLUGIN_PATH", plugin_dir() + ":" + test_plugin_dir()}});
  EXPECT_EQ(status, 0) << output;
  for (const char* name : {"file ", "stdio ", "generate ", "null ", "ctest "})
    EXPECT_CONTAINS(output, std::string("\n") + name);
}

}  // namespace
}  // namespace sluice::test
