// The plugin's README carries the settings tables generated from the
// SettingsSpec verbatim, so the documentation cannot drift from the code.
#include <gtest/gtest.h>

#include "nats_settings.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::nats {
namespace {

TEST(NatsReadme, ContainsTheGeneratedSettingsTables) {
  std::string readme = read_file(source_dir() + "/plugins/nats/README.md");
  std::string main_table = sluice::nats::settings_spec().markdown_table();
  std::string js_table = sluice::nats::jetstream_spec().markdown_table();
  EXPECT_NE(readme.find(main_table), std::string::npos)
      << "README.md lacks the current settings table; paste this:\n"
      << main_table;
  EXPECT_NE(readme.find(js_table), std::string::npos)
      << "README.md lacks the current jetstream table; paste this:\n"
      << js_table;
}

}  // namespace
}  // namespace sluice::test::nats
