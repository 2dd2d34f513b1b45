// The plugin's README carries the settings table generated from the
// declaration verbatim, so the documentation cannot drift from the code.
#include <gtest/gtest.h>

#include "redis_settings.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::redis {
namespace {

TEST(RedisReadme, ContainsTheGeneratedSettingsTable) {
  std::string readme = read_file(source_dir() + "/plugins/redis/README.md");
  std::string table = sluice::redis::settings_spec().markdown_table();
  EXPECT_NE(readme.find(table), std::string::npos)
      << "README.md lacks the current settings table; paste this:\n"
      << table;
}

}  // namespace
}  // namespace sluice::test::redis
