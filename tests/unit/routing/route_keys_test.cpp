// The route compiler knows the keys from config/route_keys.hpp, the one list
// that the YAML check also reads: what the check accepts, a route compiles.
#include "config/route_keys.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "routing/route_spec.hpp"

namespace sluice::routing {
namespace {

std::vector<std::string> errors_of(std::string_view json) {
  std::vector<std::string> errors;
  compile_route(boost::json::parse(json), {}, "routes[0]", errors);
  return errors;
}

// The YAML check allowed `description`; the compiler used to refuse it.
TEST(RouteKeys, ADescriptionIsAcceptedAndCompilesToNothing) {
  EXPECT_TRUE(errors_of(R"({"from": "a", "to": "b", "description": "engine on"})").empty());
  EXPECT_EQ(errors_of(R"({"from": "a", "to": "b", "description": 3})"),
            std::vector<std::string>{"routes[0].description: expected a string"});
}

TEST(RouteKeys, AnUnknownKeyNamesEveryKeyOfTheList) {
  auto errors = errors_of(R"({"from": "a", "to": "b", "filter": {}})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "routes[0].filter: unknown key 'filter' (expected name, from, where, to, transform, "
            "throttle, dedup, dead_letter)");
  for (const auto& key : config::kRouteKeys)
    if (!key.documentation)
      EXPECT_NE(errors[0].find(std::string(key.name)), std::string::npos) << key.name;
}

TEST(RouteKeys, ANonObjectRouteNamesTheRequiredKeysFirst) {
  EXPECT_EQ(errors_of("[1]"),
            std::vector<std::string>{
                "routes[0]: a route must be an object with from, to and optionally name, where, "
                "transform, throttle, dedup, dead_letter"});
}

}  // namespace
}  // namespace sluice::routing
