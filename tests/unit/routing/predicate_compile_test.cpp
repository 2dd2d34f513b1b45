#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "routing/predicate.hpp"

namespace sluice::routing {
namespace {

std::vector<std::string> errors_of(std::string_view spec_json) {
  std::vector<std::string> errors;
  auto p = Predicate::compile(boost::json::parse(spec_json), errors);
  EXPECT_FALSE(p) << spec_json;
  return errors;
}

void expect_error(std::string_view spec_json, std::string_view expected) {
  auto errors = errors_of(spec_json);
  ASSERT_FALSE(errors.empty());
  bool found = false;
  for (const auto& e : errors) found |= e.find(expected) != std::string::npos;
  EXPECT_TRUE(found) << "no error containing '" << expected << "'; first: " << errors.front();
}

TEST(PredicateCompile, UnknownOperatorNamesTheKeyAndTheChoices) {
  expect_error(R"({"data.SPEED": {"nee": 0}})", "where.data.SPEED.nee: unknown operator 'nee'");
  expect_error(R"({"data.SPEED": {"nee": 0}})", "eq, ne, lt");
}

TEST(PredicateCompile, OperandTypesAreChecked) {
  expect_error(R"({"x": {"gt": true}})", "where.x.gt: expected a number");
  expect_error(R"({"x": {"in": "a"}})",
               "where.x.in: expected a list or { file: path }, got a string");
  expect_error(R"({"x": {"in": [1, [2]]}})", "where.x.in[1]: list members");
  expect_error(R"({"x": {"prefix": 1}})", "where.x.prefix: expected a string");
  expect_error(R"({"x": {"prefix": []}})", "where.x.prefix: expected a string");
  expect_error(R"({"x": {"exists": "yes"}})", "where.x.exists: expected true or false");
  expect_error(R"({"x": {"eq": {"a": 1}}})", "where.x.eq: expected a string, number");
  expect_error(R"({"x": {}})", "where.x: expected at least one operator");
}

TEST(PredicateCompile, LogicalOperatorsNeedTheRightShape) {
  expect_error(R"({"any": {"x": 1}})", "where.any: expected a list of conditions");
  expect_error(R"({"all": [1]})", "where.all[0]: expected an object");
  expect_error(R"("x")", "where: expected an object");
  expect_error(R"({"any": [{"x": {"bad": 1}}]})", "where.any[0].x.bad: unknown operator");
}

TEST(PredicateCompile, BadPathsAndFieldNames) {
  expect_error(R"({"a..b": 1})", "empty name");
  expect_error(R"({"a[x]": 1})", "not an array index");
  expect_error(R"({"header.": 1})", "missing the header name");
}

TEST(PredicateCompile, RegexIsRefusedWithAnAlternative) {
  expect_error(R"({"x": {"matches": "^a"}})", "regular expressions are not supported");
}

TEST(PredicateCompile, EveryProblemIsReported) {
  auto errors = errors_of(R"({"a": {"nee": 1}, "b": {"gt": null}, "c": {"in": 3}})");
  EXPECT_EQ(errors.size(), 3u);
}

TEST(PredicateCompile, ContextPrefixIsUsed) {
  std::vector<std::string> errors;
  Predicate::compile(boost::json::parse(R"({"x": {"zz": 1}})"), errors, "routes[2].where");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("routes[2].where.x.zz:", 0), 0u) << errors[0];
}

}  // namespace
}  // namespace sluice::routing
