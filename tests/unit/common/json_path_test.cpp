#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sluice/common/json_path.hpp>
#include <stdexcept>

namespace sluice::common {
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

TEST(JsonPath, ConstructorThrowsWhatCompileReports) {
  auto doc = boost::json::parse(R"({"data": {"id": 7}})");
  EXPECT_EQ(JsonPath("data.id").find(doc)->as_int64(), 7);
  EXPECT_EQ(JsonPath().find(doc), &doc);
  try {
    JsonPath bad("a..b");
    FAIL() << "a..b compiled";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("empty name"), std::string::npos) << e.what();
  }
}

TEST(JsonPath, LenientSkipsEmptyNamesAndFindsNothingForBadIndexes) {
  auto doc = boost::json::parse(R"({"a": {"b": [10, 20]}})");
  EXPECT_EQ(JsonPath::lenient("a..b[1]").find(doc)->as_int64(), 20);
  EXPECT_EQ(JsonPath::lenient(".a.b.[0]").find(doc)->as_int64(), 10);
  EXPECT_EQ(JsonPath::lenient("a.").find(doc), &doc.as_object().at("a"));
  EXPECT_EQ(JsonPath::lenient("a.b[x]").find(doc), nullptr);
  EXPECT_EQ(JsonPath::lenient("a.b[").find(doc), nullptr);
  EXPECT_EQ(JsonPath::lenient("a.b[-1]").find(doc), nullptr);
  EXPECT_EQ(JsonPath::lenient("a[0]").find(doc), nullptr);  // not an array
  EXPECT_EQ(JsonPath::lenient("").find(doc), &doc);
}

// find_lenient is lenient().find() without building a path.
TEST(JsonPath, FindLenientAgreesWithLenientFind) {
  auto doc = boost::json::parse(R"({"a": {"b": [10, 20, {"c": true}]}, "x": null})");
  for (const char* text :
       {"a..b[1]", ".a.b.[0]", "a.", "a.b[x]", "a.b[", "a.b[-1]", "a[0]", "", "a.b[2].c", "a.b[3]",
        "a.b[2].c.d", "x", "x.y", "nope", "a.b[99999999999999999999]"}) {
    EXPECT_EQ(JsonPath::find_lenient(doc, text), JsonPath::lenient(text).find(doc)) << text;
  }
  EXPECT_EQ(JsonPath::find_lenient(doc, "a.b[2].c")->as_bool(), true);
}

}  // namespace
}  // namespace sluice::common
