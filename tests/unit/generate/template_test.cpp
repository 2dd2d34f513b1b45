// The generate plugin's template language and pacer, tested directly (the
// pacer with fake time points, no sleeping).
#include "template.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>
#include <sluice/settings.hpp>

#include "generate_settings.hpp"
#include "pacer.hpp"
#include "support/sluice_test.hpp"

namespace sluice::generate {
namespace {

std::string render(const std::string& text, uint64_t counter = 1,
                   const std::vector<std::string>& names = {},
                   const std::vector<std::string>& values = {}, uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  RenderContext c;
  c.counter = counter;
  c.now_ms = 1714564800123;  // 2024-05-01T12:00:00.123Z
  c.rng = &rng;
  c.vars = &values;
  std::string out;
  Template::compile(text, names, "payload").render(out, c);
  return out;
}

TEST(Template, LiteralsCounterAndEscapes) {
  EXPECT_EQ(render("plain"), "plain");
  EXPECT_EQ(render("n=${counter}", 42), "n=42");
  EXPECT_EQ(render("$${counter} is ${counter}", 3), "${counter} is 3");
  EXPECT_EQ(render("{\"a\":${counter}}", 5), "{\"a\":5}");
}

TEST(Template, CycleGoesRoundRobinWithPadding) {
  EXPECT_EQ(render("${cycle:3}", 1), "1");
  EXPECT_EQ(render("${cycle:3}", 3), "3");
  EXPECT_EQ(render("${cycle:3}", 4), "1");
  EXPECT_EQ(render("dev-${cycle:1000:4}", 1007), "dev-0007");
}

TEST(Template, RandomValuesStayInRange) {
  for (uint64_t seed = 1; seed < 200; ++seed) {
    int64_t v = std::stoll(render("${randint:5:9}", 1, {}, {}, seed));
    EXPECT_GE(v, 5);
    EXPECT_LE(v, 9);
    double f = std::stod(render("${randfloat:48.1:48.3:5}", 1, {}, {}, seed));
    EXPECT_GE(f, 48.1);
    EXPECT_LE(f, 48.3);
    std::string c = render("${random:ON|OFF|a:b}", 1, {}, {}, seed);
    EXPECT_TRUE(c == "ON" || c == "OFF" || c == "a:b") << c;
  }
  EXPECT_EQ(render("${randint:1:1000:4}").size(), 4u);
  EXPECT_EQ(render("${randfloat:0:1:3}").size(), 5u);  // 0.xyz
}

TEST(Template, RandomChoicesAreAllReached) {
  std::set<std::string> seen;
  for (uint64_t seed = 1; seed < 100; ++seed)
    seen.insert(render("${random:a|b|c}", 1, {}, {}, seed));
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b", "c"}));
}

TEST(Template, TimeAndUuid) {
  EXPECT_EQ(render("${now_ms}"), "1714564800123");
  EXPECT_EQ(render("${now_iso}"), "2024-05-01T12:00:00.123Z");
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(render("${uuid}"), uuid)) << render("${uuid}");
  EXPECT_NE(render("${uuid}", 1, {}, {}, 1), render("${uuid}", 1, {}, {}, 2));
}

TEST(Template, VariablesByNameAndWithVarPrefix) {
  EXPECT_EQ(render("${device}/${var:device}", 1, {"device"}, {"veh-0042"}), "veh-0042/veh-0042");
}

TEST(Template, ErrorsNameTheSettingAndColumn) {
  auto error_of = [](const std::string& text) {
    try {
      Template::compile(text, {}, "payload");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string e = error_of("ab ${nope}");
  EXPECT_NE(e.find("setting 'payload'"), std::string::npos) << e;
  EXPECT_NE(e.find("column 4"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown placeholder"), std::string::npos) << e;
  EXPECT_NE(error_of("${counter").find("unclosed"), std::string::npos);
  EXPECT_NE(error_of("${randint:9:1}").find("exceeds"), std::string::npos);
  EXPECT_NE(error_of("${randint:x:1}").find("not an integer"), std::string::npos);
  EXPECT_NE(error_of("${cycle:0}").find("at least 1"), std::string::npos);
  EXPECT_NE(error_of("${counter:1}").find("takes 0 arguments"), std::string::npos);
}

TEST(Template, VehicleTrackingPayloadIsValidJson) {
  std::string payload = render(
      "{\"DEVICE_ID\":\"${device}\",\"ts\":${now_ms},\"lat\":${randfloat:48.05:48.25:5},"
      "\"lon\":${randfloat:11.40:11.75:5},\"speed\":${randint:0:130},"
      "\"ENGINE_STATUS\":\"${random:ON|OFF}\"}",
      1, {"device"}, {"veh-0042"});
  auto o = boost::json::parse(payload).as_object();
  EXPECT_EQ(o.at("DEVICE_ID").as_string(), "veh-0042");
  EXPECT_TRUE(o.at("lat").is_double());
}

using Clock = Pacer::Clock;
using std::chrono::milliseconds;

TEST(Pacer, SpacesMessagesByTheRate) {
  Clock::time_point t0{};
  Pacer pacer(100, t0);  // one every 10 ms
  EXPECT_TRUE(pacer.ready(0, t0));
  EXPECT_FALSE(pacer.ready(1, t0 + milliseconds(5)));
  EXPECT_TRUE(pacer.ready(1, t0 + milliseconds(10)));
  EXPECT_EQ(pacer.due(100), t0 + milliseconds(1000));
}

TEST(Pacer, DoesNotDriftWhenWokenLate) {
  Clock::time_point t0{};
  Pacer pacer(1000, t0);
  // Woken 0.5 ms late for each message: the due times stay on the grid.
  for (uint64_t n = 0; n < 1000; ++n)
    ASSERT_TRUE(pacer.ready(n, pacer.due(n) + std::chrono::microseconds(500)));
  EXPECT_EQ(pacer.due(1000), t0 + milliseconds(1000));
}

TEST(Pacer, RestartsTheScheduleAfterALongStallInsteadOfBursting) {
  Clock::time_point t0{};
  Pacer pacer(10, t0, std::chrono::seconds(1));
  Clock::time_point late = t0 + std::chrono::seconds(10);  // 100 messages behind
  EXPECT_TRUE(pacer.ready(1, late));
  EXPECT_FALSE(pacer.ready(2, late));  // the next one is due 100 ms later, not at once
  EXPECT_TRUE(pacer.ready(2, late + milliseconds(100)));
}

TEST(GenerateReadme, ContainsTheGeneratedSettingsTable) {
  std::string readme = test::read_file(test::source_dir() + "/plugins/generate/README.md");
  EXPECT_NE(readme.find(generate_settings().markdown_table()), std::string::npos)
      << generate_settings().markdown_table();
}

}  // namespace
}  // namespace sluice::generate
