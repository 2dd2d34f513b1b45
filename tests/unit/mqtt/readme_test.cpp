// The plugin's README carries the settings tables generated from the
// declarations verbatim, so the documentation cannot drift from the code.
#include <gtest/gtest.h>

#include "mqtt_settings.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::mqtt {
namespace {

TEST(MqttReadme, ContainsTheGeneratedSettingsTables) {
  std::string readme = read_file(source_dir() + "/plugins/mqtt/README.md");
  struct Table {
    const char* name;
    std::string text;
  } tables[] = {{"main", sluice::mqtt::settings_spec().markdown_table()},
                {"tls", sluice::tls_settings_table().markdown_table()},
                {"subscription", sluice::mqtt::subscription_spec().markdown_table()}};
  for (const auto& t : tables)
    EXPECT_NE(readme.find(t.text), std::string::npos)
        << "README.md lacks the current " << t.name << " table; paste this:\n"
        << t.text;
}

TEST(MqttReadme, HasAGuaranteeRowPerQos) {
  std::string readme = read_file(source_dir() + "/plugins/mqtt/README.md");
  for (const char* row : {"| QoS 0 |", "| QoS 1 |", "| QoS 2 |"})
    EXPECT_NE(readme.find(row), std::string::npos) << row;
}

}  // namespace
}  // namespace sluice::test::mqtt
