// The http plugin's settings: what `sluice check` says about bad ones, and
// that the README carries the generated table.
#include <gtest/gtest.h>

#include "http_settings.hpp"
#include "support/sluice_test.hpp"

namespace sluice::http_plugin {
namespace {

std::vector<std::string> problems(const std::string& json) {
  auto errors = http_settings().validate(json);
  if (!errors.empty()) return errors;
  read_options(http_settings().parse(json), errors);
  return errors;
}

bool mentions(const std::vector<std::string>& errors, std::string_view text) {
  for (const auto& e : errors)
    if (e.find(text) != std::string::npos) return true;
  return false;
}

TEST(HttpSettings, DefaultsMakeAWorkingServer) {
  EXPECT_TRUE(problems("{}").empty());
  std::vector<std::string> errors;
  HttpOptions o = read_options(http_settings().parse("{}"), errors);
  EXPECT_EQ(o.mode, Mode::kServer);
  EXPECT_EQ(o.server.port, 8081);
  EXPECT_EQ(o.server.success_status, 200u);
  ASSERT_EQ(o.server.paths.size(), 1u);
}

TEST(HttpSettings, RefusesBadServerSettings) {
  EXPECT_TRUE(mentions(problems(R"({"listen": "nowhere"})"), "'listen' must be host:port"));
  EXPECT_TRUE(mentions(problems(R"({"paths": ["ingest"]})"), "must start with '/'"));
  EXPECT_TRUE(mentions(problems(R"({"paths": ["/a/${sub"]})"), "without '}'"));
  EXPECT_TRUE(mentions(problems(R"({"auth": "bearer"})"), "needs at least one entry in 'tokens'"));
  EXPECT_TRUE(mentions(problems(R"({"auth": "hmac"})"), "needs 'hmac_secret'"));
  EXPECT_TRUE(mentions(problems(R"({"auth": "basic"})"), "auth"));
  EXPECT_TRUE(mentions(problems(R"({"split": "xml"})"), "split"));
  EXPECT_TRUE(mentions(problems(R"({"tls_cert": "/nonexistent.pem"})"), "does not exist"));
  EXPECT_TRUE(mentions(problems(R"({"max_body_bytes": 0})"), "max_body_bytes"));
  EXPECT_TRUE(mentions(problems(R"({"methods": ["GET"]})"), "is not POST, PUT or PATCH"));
}

TEST(HttpSettings, ClientNeedsAUsableUrl) {
  EXPECT_TRUE(mentions(problems(R"({"mode": "client"})"), "needs setting 'url'"));
  EXPECT_TRUE(mentions(problems(R"({"mode": "client", "url": "ftp://x/"})"), "http://"));
  EXPECT_TRUE(problems(R"({"mode": "client", "url": "http://x/${data.id}"})").empty());
  EXPECT_TRUE(
      mentions(problems(R"({"mode": "client", "url": "http://x/${data..id}"})"), "data..id"));
  EXPECT_TRUE(
      problems(R"({"mode": "client", "url": "http://svc:8080/orders/${subject}"})").empty());
  EXPECT_TRUE(mentions(problems(R"({"mode": "client", "url": "http://x/", "max_attempts": 0})"),
                       "max_attempts"));
}

TEST(HttpSettings, PollUrlIsFixed) {
  EXPECT_TRUE(mentions(problems(R"({"mode": "poll", "url": "http://x/${subject}"})"), "fixed"));
  EXPECT_TRUE(
      mentions(problems(R"({"mode": "poll", "url": "http://x/", "headers": {"X": "${data.id}"}})"),
               "no payload"));
  EXPECT_TRUE(mentions(problems(R"({"mode": "poll", "url": "http://x/", "array_path": "a..b"})"),
                       "array_path"));
  EXPECT_TRUE(
      problems(R"({"mode": "poll", "url": "http://x/items", "array_path": "data"})").empty());
}

TEST(HttpReadme, ContainsTheGeneratedSettingsTable) {
  std::string table = http_settings().markdown_table();
  std::string readme = test::read_file(test::source_dir() + "/plugins/http/README.md");
  EXPECT_NE(readme.find(table), std::string::npos)
      << "plugins/http/README.md must hold http_settings().markdown_table() verbatim:\n"
      << table;
}

}  // namespace
}  // namespace sluice::http_plugin
