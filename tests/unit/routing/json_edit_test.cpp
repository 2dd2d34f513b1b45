#include "routing/json_edit.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::routing {
namespace {

JsonPath path(std::string_view text) {
  std::string error;
  auto p = JsonPath::compile(text, error);
  EXPECT_TRUE(p) << error;
  return p ? *p : JsonPath{};
}

boost::json::value doc(std::string_view json) { return boost::json::parse(json); }

TEST(JsonEdit, Set_ReplacesAMemberInPlaceKeepingTheOrder) {
  auto d = doc(R"({"a":1,"b":2,"c":3})");
  EXPECT_EQ(set_at(d, path("b"), "two"), "");
  EXPECT_EQ(boost::json::serialize(d), R"({"a":1,"b":"two","c":3})");
}

TEST(JsonEdit, Set_CreatesMissingObjectsOnTheWay) {
  auto d = doc(R"({"data":{"x":1},"gone":null})");
  EXPECT_EQ(set_at(d, path("data.meta.route.id"), 7), "");
  EXPECT_EQ(set_at(d, path("gone.now"), true), "");
  EXPECT_EQ(boost::json::serialize(d),
            R"({"data":{"x":1,"meta":{"route":{"id":7}}},"gone":{"now":true}})");
}

TEST(JsonEdit, Set_IndexStepsReplaceOrAppend) {
  auto d = doc(R"({"items":[{"id":"a"},{"id":"b"}]})");
  EXPECT_EQ(set_at(d, path("items[1].id"), "B"), "");
  EXPECT_EQ(set_at(d, path("items[2]"), "new"), "");
  EXPECT_EQ(boost::json::serialize(d), R"({"items":[{"id":"a"},{"id":"B"},"new"]})");
}

TEST(JsonEdit, Set_RefusesAndChangesNothingWhenSomethingIsInTheWay) {
  const std::string original = R"({"data":"text","items":[1]})";
  auto d = doc(original);
  EXPECT_EQ(set_at(d, path("data.x"), 1), "data is a string, not an object");
  EXPECT_EQ(set_at(d, path("items.x"), 1), "items is an array, not an object");
  EXPECT_EQ(set_at(d, path("items[3]"), 1), "items has 1 elements: [3] is past its end");
  EXPECT_EQ(set_at(d, path("data[0]"), 1), "data is a string, not an array");
  // A missing branch that would need an array is refused before any object
  // on the way is created.
  EXPECT_EQ(set_at(d, path("new.list[0]"), 1),
            "new.list is missing (only objects are created on the way)");
  EXPECT_EQ(boost::json::serialize(d), original);
}

TEST(JsonEdit, Set_EmptyPathReplacesTheWholeDocument) {
  auto d = doc(R"({"a":1})");
  EXPECT_EQ(set_at(d, path(""), doc(R"([1,2])")), "");
  EXPECT_EQ(boost::json::serialize(d), "[1,2]");
}

TEST(JsonEdit, Remove_KeepsTheOrderOfTheOtherMembers) {
  auto d = doc(R"({"a":1,"b":2,"c":3,"d":4})");
  EXPECT_TRUE(remove_at(d, path("a")));
  EXPECT_FALSE(remove_at(d, path("a")));
  EXPECT_FALSE(remove_at(d, path("x.y")));
  EXPECT_FALSE(remove_at(d, path("")));
  EXPECT_EQ(boost::json::serialize(d), R"({"b":2,"c":3,"d":4})");
}

TEST(JsonEdit, Remove_ArrayElementShiftsTheRest) {
  auto d = doc(R"({"l":[1,2,3]})");
  EXPECT_TRUE(remove_at(d, path("l[0]")));
  EXPECT_FALSE(remove_at(d, path("l[5]")));
  EXPECT_EQ(boost::json::serialize(d), R"({"l":[2,3]})");
}

TEST(JsonEdit, Take_MovesTheValueOut) {
  auto d = doc(R"({"a":{"b":[1,{"c":true}]},"z":0})");
  auto taken = take_at(d, path("a.b"));
  ASSERT_TRUE(taken);
  EXPECT_EQ(boost::json::serialize(*taken), R"([1,{"c":true}])");
  EXPECT_FALSE(take_at(d, path("a.b")));
  EXPECT_EQ(boost::json::serialize(d), R"({"a":{},"z":0})");
}

}  // namespace
}  // namespace sluice::routing
