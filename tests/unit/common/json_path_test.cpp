#include "routing/json_path.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::routing {
namespace {

JsonPath compile(std::string_view text) {
  std::string error;
  auto p = JsonPath::compile(text, error);
  EXPECT_TRUE(p) << error;
  return *p;
}

TEST(JsonPath, SplitsKeysAndIndexes) {
  auto p = compile("a.b[2][0].c");
  ASSERT_EQ(p.steps().size(), 5u);
  EXPECT_EQ(p.steps()[0].key, "a");
  EXPECT_EQ(p.steps()[2].index, 2);
  EXPECT_EQ(p.steps()[3].index, 0);
  EXPECT_EQ(p.steps()[4].key, "c");
}

TEST(JsonPath, FindsNestedValuesAndMissesCleanly) {
  auto doc = boost::json::parse(R"({"a": {"b": [1, 2, {"c": "x"}]}, "top": 1})");
  EXPECT_EQ(compile("a.b[2].c").find(doc)->as_string(), "x");
  EXPECT_EQ(compile("top").find(doc)->as_int64(), 1);
  EXPECT_EQ(compile("").find(doc), &doc);
  EXPECT_EQ(compile("a.b[3]").find(doc), nullptr);
  EXPECT_EQ(compile("a.x").find(doc), nullptr);
  EXPECT_EQ(compile("top.x").find(doc), nullptr);
  EXPECT_EQ(compile("a[0]").find(doc), nullptr);
  auto array_doc = boost::json::parse(R"([{"id": 5}])");
  EXPECT_EQ(compile("[0].id").find(array_doc)->as_int64(), 5);
}

TEST(JsonPath, RejectsMalformedPaths) {
  std::string error;
  for (std::string_view bad : {"a..b", "a.", ".a", "a[", "a[x]", "a[-1]", "a[1]b", "a[]"}) {
    error.clear();
    EXPECT_FALSE(JsonPath::compile(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

}  // namespace
}  // namespace sluice::routing
