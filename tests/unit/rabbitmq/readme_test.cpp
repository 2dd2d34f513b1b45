// The plugin's README carries the settings tables generated from the
// declarations verbatim, so the documentation cannot drift from the code.
#include <gtest/gtest.h>

#include "rabbitmq_settings.hpp"
#include "support/sluice_test.hpp"

namespace sluice::test::rabbitmq {
namespace {

TEST(RabbitReadme, ContainsTheGeneratedSettingsTables) {
  std::string readme = read_file(source_dir() + "/plugins/rabbitmq/README.md");
  struct Table {
    const char* name;
    std::string text;
  } tables[] = {{"main", sluice::rabbitmq::settings_spec().markdown_table()},
                {"tls", sluice::tls_settings_table().markdown_table()},
                {"exchange", sluice::rabbitmq::exchange_spec().markdown_table()},
                {"queue", sluice::rabbitmq::queue_spec().markdown_table()},
                {"binding", sluice::rabbitmq::binding_spec().markdown_table()}};
  for (const auto& t : tables)
    EXPECT_NE(readme.find(t.text), std::string::npos)
        << "README.md lacks the current " << t.name << " table; paste this:\n"
        << t.text;
}

}  // namespace
}  // namespace sluice::test::rabbitmq
