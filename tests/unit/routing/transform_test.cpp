#include "routing/transform.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "message_builder.hpp"

namespace sluice::routing {
namespace {

using test::make_message;

Transform compile(std::string_view json) {
  std::vector<std::string> errors;
  auto t = Transform::compile(boost::json::parse(json), "routes[0].transform", errors);
  EXPECT_TRUE(t) << (errors.empty() ? "" : errors.front());
  return t ? std::move(*t) : Transform{};
}

std::string first_error(std::string_view json) {
  std::vector<std::string> errors;
  EXPECT_FALSE(Transform::compile(boost::json::parse(json), "routes[0].transform", errors));
  return errors.empty() ? "" : errors.front();
}

// Applies `transform` to `payload` the way the router does: on a copy of
// the message, whose payload is written again from the changed document,
// while templates read the message as it arrived.
std::string apply(const Transform& transform, const std::string& payload,
                  const std::string& subject = "tracking.data", std::string* error = nullptr) {
  auto m = make_message(payload, subject, "key-1");
  auto copy = message::copy_content(*m);
  MessageContext before{*m, "src", "node-7"};
  std::string why;
  copy->edit_json([&](boost::json::value& doc) { why = transform.apply(before, doc); });
  if (error) *error = why;
  EXPECT_TRUE(error || why.empty()) << why;
  return copy->payload;
}

TEST(Transform, Set_LiteralValuesOfEveryJsonType) {
  auto t = compile(R"({"set": {"routed": "yes", "n": 3, "flag": false, "meta.tags": ["a"],
                               "nothing": null}})");
  EXPECT_EQ(apply(t, R"({"a":1})"),
            R"({"a":1,"routed":"yes","n":3,"flag":false,"meta":{"tags":["a"]},"nothing":null})");
}

TEST(Transform, Set_TemplatesReadPayloadAndEnvelopeFields) {
  auto t = compile(R"({"set": {"route": "${node_id}/${subject}/${data.DEVICE_ID}",
                               "k": "key=${key}", "price": "$$5"}})");
  EXPECT_EQ(apply(t, R"({"data":{"DEVICE_ID":"dev-1"}})"),
            R"({"data":{"DEVICE_ID":"dev-1"},"route":"node-7/tracking.data/dev-1",)"
            R"("k":"key=key-1","price":"$$5"})");
}

TEST(Transform, Set_OneWholePlaceholderCopiesTheValueWithItsType) {
  auto t = compile(R"({"set": {"copy.n": "${data.n}", "copy.obj": "${data.obj}",
                               "copy.text": "n is ${data.n}", "copy.gone": "${data.nope}",
                               "copy.subject": "${subject}"}})");
  EXPECT_EQ(apply(t, R"({"data":{"n":12.5,"obj":{"x":[1]}}})"),
            R"({"data":{"n":12.5,"obj":{"x":[1]}},"copy":{"n":12.5,"obj":{"x":[1]},)"
            R"("text":"n is 12.5","subject":"tracking.data"}})");
}

TEST(Transform, NumbersNothingChangedKeepTheirTextAndNewOnesAreShortest) {
  auto t = compile(R"({"set": {"added": 0.1, "big": 1e21, "copy": "${speed}"}})");
  // 12.50, 1E3 and 2.5e-3 were written so; untouched, they stay so. The
  // copy of 12.50 has the same value, so the same text.
  EXPECT_EQ(apply(t, R"({"speed":12.50,"k":1E3,"m":2.5e-3,"p":119.97,"i":7})"),
            R"({"speed":12.50,"k":1E3,"m":2.5e-3,"p":119.97,"i":7,"added":0.1,"big":1e+21,)"
            R"("copy":12.50})");
}

TEST(Transform, Rename_MovesValuesAndSkipsMissingOnes) {
  auto t = compile(R"({"rename": {"data.SPEED": "speed", "data.nope": "other"}})");
  EXPECT_EQ(apply(t, R"({"data":{"SPEED":"12.50","ID":"x"}})"),
            R"({"data":{"ID":"x"},"speed":"12.50"})");
}

TEST(Transform, Remove_OnePathOrAList) {
  EXPECT_EQ(apply(compile(R"({"remove": "b"})"), R"({"a":1,"b":2})"), R"({"a":1})");
  EXPECT_EQ(
      apply(compile(R"({"remove": ["a", "c.d", "missing"]})"), R"({"a":1,"b":2,"c":{"d":3}})"),
      R"({"b":2,"c":{}})");
}

TEST(Transform, Order_IsRenameThenSetThenRemove) {
  // rename first: `set` can write where a value was renamed away from, and
  // `remove` last: it removes what rename or set produced.
  auto t = compile(R"({"remove": ["tmp"], "set": {"id": "new", "tmp": 1},
                       "rename": {"id": "old_id"}})");
  EXPECT_EQ(apply(t, R"({"id":"orig"})"), R"({"old_id":"orig","id":"new"})");
}

TEST(Transform, Templates_ReadTheMessageAsItArrived) {
  auto t = compile(R"({"rename": {"a": "b"}, "set": {"copy": "${a}"}})");
  EXPECT_EQ(apply(t, R"({"a":"v"})"), R"({"b":"v","copy":"v"})");
}

TEST(Transform, Apply_ReportsWhatIsInTheWay) {
  auto t = compile(R"({"set": {"data.x": 1}})");
  std::string error;
  apply(t, R"({"data":"text"})", "s", &error);
  EXPECT_EQ(error, "set data.x: data is a string, not an object");
}

TEST(Transform, Compile_ExplainsBadSpecs) {
  EXPECT_EQ(first_error(R"("set x")"),
            "routes[0].transform: expected an object with rename, set and/or remove");
  EXPECT_EQ(first_error(R"({"sett": {}})"),
            "routes[0].transform.sett: unknown key 'sett' (expected rename, set, remove)");
  EXPECT_EQ(first_error(R"({"remove": [1]})"),
            "routes[0].transform.remove[0]: expected a payload path such as \"data.DEVICE_ID\"");
  EXPECT_EQ(first_error(R"({"remove": 5})"),
            "routes[0].transform.remove: expected a list of payload paths");
  EXPECT_EQ(first_error(R"({"rename": {"a": 1}})"),
            "routes[0].transform.rename.a: expected a payload path such as \"data.DEVICE_ID\"");
  EXPECT_EQ(first_error(R"({"rename": ["a"]})"),
            "routes[0].transform.rename: expected an object of \"from.path\": \"to.path\"");
  EXPECT_EQ(first_error(R"({"set": {"a..b": 1}})"),
            "routes[0].transform.set.a..b: path 'a..b': empty name between separators");
  EXPECT_EQ(first_error(R"({"set": {"a": "${data.x"}})"),
            "routes[0].transform.set.a: template '${data.x': '${' without a closing '}'");
  EXPECT_EQ(first_error(R"({})"),
            "routes[0].transform: nothing to do (give rename, set or remove)");
}

}  // namespace
}  // namespace sluice::routing
