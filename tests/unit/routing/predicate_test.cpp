#include "routing/predicate.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "message_builder.hpp"

namespace sluice::routing {
namespace {

using test::kTrackingEvent;
using test::make_message;

Predicate compile(std::string_view spec_json) {
  std::vector<std::string> errors;
  auto p = Predicate::compile(boost::json::parse(spec_json), errors);
  EXPECT_TRUE(p) << (errors.empty() ? "" : errors.front());
  return p ? std::move(*p) : Predicate();
}

// Evaluates both ways a payload can be read (parsed DOM, text scanner); they
// must agree.
Verdict eval(std::string_view spec_json, const message::Envelope& m,
             std::string_view source = "tracking") {
  Predicate p = compile(spec_json);
  Verdict dom = p.evaluate(MessageContext{m, source, "node-1"});
  PayloadScan scan;
  auto unparsed = test::copy_message(m);  // a parsed DOM would be preferred
  Verdict scanned = p.evaluate(MessageContext{*unparsed, source, "node-1", &scan});
  EXPECT_EQ(dom, scanned) << "DOM and scanner disagree on " << spec_json;
  return dom;
}

bool on_tracking(std::string_view spec_json) {
  auto m = make_message(kTrackingEvent, "tracking.data", "0848086123");
  return eval(spec_json, *m) == Verdict::kMatch;
}

TEST(Predicate, EmptySpecMatchesEverything) {
  EXPECT_TRUE(compile("{}").always_matches());
  EXPECT_TRUE(Predicate().always_matches());
  EXPECT_TRUE(on_tracking("{}"));
}

TEST(Predicate, ScalarValueMeansEquality) {
  EXPECT_TRUE(on_tracking(R"({"data.ENGINE_STATUS": "ON"})"));
  EXPECT_FALSE(on_tracking(R"({"data.ENGINE_STATUS": "OFF"})"));
  EXPECT_FALSE(on_tracking(R"({"data.NOPE": "ON"})"));
}

TEST(Predicate, SeveralKeysMustAllHold) {
  EXPECT_TRUE(on_tracking(R"({"data.ENGINE_STATUS": "ON", "metadata.source": "gw-1"})"));
  EXPECT_FALSE(on_tracking(R"({"data.ENGINE_STATUS": "ON", "metadata.source": "gw-2"})"));
}

TEST(Predicate, EqAndNeCompareNumericStringsWithNumbersNumerically) {
  EXPECT_TRUE(on_tracking(R"({"data.SPEED": {"eq": 12.5}})"));
  EXPECT_TRUE(on_tracking(R"({"data.SATELLITES": 9})"));
  EXPECT_TRUE(on_tracking(R"({"data.SPEED": {"ne": 0}})"));
  EXPECT_FALSE(on_tracking(R"({"data.SPEED": {"ne": 12.5}})"));
  // Between two strings equality is exact text.
  EXPECT_TRUE(on_tracking(R"({"data.SPEED": {"ne": "0.00"}})"));
  EXPECT_FALSE(on_tracking(R"({"data.SPEED": {"eq": "12.5"}})"));
}

TEST(Predicate, NumericStringOperandComparesWithNumberFields) {
  auto m = make_message(R"({"n": 12.5, "i": 7})");
  EXPECT_EQ(eval(R"({"n": "12.50"})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"i": {"eq": "7"}})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"i": {"eq": "seven"}})", *m), Verdict::kNoMatch);
}

TEST(Predicate, OrderingOperatorsOnNumbersAndNumericStrings) {
  EXPECT_TRUE(on_tracking(R"({"data.SPEED": {"gt": 12}})"));
  EXPECT_TRUE(on_tracking(R"({"data.SPEED": {"ge": 12.5}})"));
  EXPECT_FALSE(on_tracking(R"({"data.SPEED": {"gt": 12.5}})"));
  EXPECT_TRUE(on_tracking(R"({"data.SPEED": {"lt": 13}})"));
  EXPECT_TRUE(on_tracking(R"({"data.SPEED": {"le": "12.50"}})"));
  EXPECT_FALSE(on_tracking(R"({"data.SPEED": {"lt": 12.5}})"));
  EXPECT_TRUE(on_tracking(R"({"data.LATITUD": {"gt": 20, "lt": 21}})"));
  EXPECT_TRUE(on_tracking(R"({"data.LONGITUD": {"lt": -100}})"));
  // "9" > "10" as text, but 9 < 10 as numbers.
  EXPECT_TRUE(on_tracking(R"({"data.SATELLITES": {"lt": "10"}})"));
}

TEST(Predicate, OrderingOnNonNumericValueIsFalse) {
  EXPECT_FALSE(on_tracking(R"({"data.ENGINE_STATUS": {"gt": 0}})"));
  EXPECT_FALSE(on_tracking(R"({"data.ENGINE_STATUS": {"lt": 0}})"));
  EXPECT_FALSE(on_tracking(R"({"data.MISSING": {"lt": 0}})"));
}

TEST(Predicate, OrderingWithTextOperandComparesText) {
  EXPECT_TRUE(on_tracking(R"({"data.GPS_DATETIME": {"ge": "2025-10-18 00:00:00"}})"));
  EXPECT_FALSE(on_tracking(R"({"data.GPS_DATETIME": {"lt": "2025-10-18 00:00:00"}})"));
}

TEST(Predicate, LargeIntegersCompareExactly) {
  auto m = make_message(R"({"id": 9007199254740993})");
  EXPECT_EQ(eval(R"({"id": 9007199254740993})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"id": 9007199254740992})", *m), Verdict::kNoMatch);
  EXPECT_EQ(eval(R"({"id": {"gt": 9007199254740992}})", *m), Verdict::kMatch);
}

TEST(Predicate, BooleanAndNullEquality) {
  auto m = make_message(R"({"on": true, "off": false, "nothing": null})");
  EXPECT_EQ(eval(R"({"on": true})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"off": true})", *m), Verdict::kNoMatch);
  EXPECT_EQ(eval(R"({"nothing": null})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"on": null})", *m), Verdict::kNoMatch);
  EXPECT_EQ(eval(R"({"on": "true"})", *m), Verdict::kNoMatch);
}

TEST(Predicate, MissingFieldIsNotEqualToAnything) {
  EXPECT_FALSE(on_tracking(R"({"data.MISSING": {"eq": "x"}})"));
  EXPECT_TRUE(on_tracking(R"({"data.MISSING": {"ne": "x"}})"));
  EXPECT_TRUE(on_tracking(R"({"data.MISSING": {"not_in": ["x"]}})"));
}

TEST(Predicate, InShortAndLongListsAgree) {
  std::string long_list = R"(["a","b","c","d","e","f","g","h","i","0848086123"])";
  EXPECT_TRUE(on_tracking(R"({"data.DEVICE_ID": {"in": ["x", "0848086123"]}})"));
  EXPECT_TRUE(on_tracking(R"({"data.DEVICE_ID": {"in": )" + long_list + "}}"));
  EXPECT_FALSE(on_tracking(R"({"data.DEVICE_ID": {"in": ["x", "y"]}})"));
  EXPECT_FALSE(on_tracking(R"({"data.DEVICE_ID": {"not_in": )" + long_list + "}}"));
  EXPECT_TRUE(on_tracking(R"({"data.DEVICE_ID": {"not_in": ["x"]}})"));
}

TEST(Predicate, ListValueMeansIn) {
  EXPECT_TRUE(on_tracking(R"({"data.ENGINE_STATUS": ["ON", "IDLE"]})"));
  EXPECT_FALSE(on_tracking(R"({"data.ENGINE_STATUS": ["OFF", "IDLE"]})"));
}

TEST(Predicate, InMatchesNumbersAcrossRepresentations) {
  std::string many = "[1,2,3,4,5,6,7,8,9,10,11]";
  EXPECT_TRUE(on_tracking(R"({"data.SATELLITES": {"in": [8, 9]}})"));
  EXPECT_TRUE(on_tracking(R"({"data.SATELLITES": {"in": )" + many + "}}"));
  EXPECT_FALSE(on_tracking(R"({"data.SATELLITES": {"in": [1, 2]}})"));
  auto m = make_message(R"({"n": 3, "b": true, "z": null})");
  EXPECT_EQ(eval(R"({"n": {"in": ["3", "4"]}})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"n": {"in": ["1","2","4","5","6","7","8","9","10","3"]}})", *m),
            Verdict::kMatch);
  EXPECT_EQ(eval(R"({"b": {"in": [false, true]}})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"b": {"in": [false]}})", *m), Verdict::kNoMatch);
  EXPECT_EQ(eval(R"({"z": {"in": [null]}})", *m), Verdict::kMatch);
}

TEST(Predicate, PrefixSuffixContains) {
  EXPECT_TRUE(on_tracking(R"({"data.DEVICE_ID": {"prefix": "0848"}})"));
  EXPECT_FALSE(on_tracking(R"({"data.DEVICE_ID": {"prefix": "848"}})"));
  EXPECT_TRUE(on_tracking(R"({"data.DEVICE_ID": {"prefix": ["x", "08"]}})"));
  EXPECT_TRUE(on_tracking(R"({"data.DEVICE_ID": {"suffix": "6123"}})"));
  EXPECT_FALSE(on_tracking(R"({"data.DEVICE_ID": {"suffix": "612"}})"));
  EXPECT_FALSE(on_tracking(R"({"data.DEVICE_ID": {"suffix": "00000848086123"}})"));
  EXPECT_TRUE(on_tracking(R"({"data.GPS_DATETIME": {"contains": "10-18"}})"));
  EXPECT_FALSE(on_tracking(R"({"data.GPS_DATETIME": {"contains": "10-19"}})"));
  // Text tests apply to strings only.
  auto m = make_message(R"({"n": 123})");
  EXPECT_EQ(eval(R"({"n": {"prefix": "1"}})", *m), Verdict::kNoMatch);
}

TEST(Predicate, ExistsTrueAndFalse) {
  EXPECT_TRUE(on_tracking(R"({"data.SPEED": {"exists": true}})"));
  EXPECT_FALSE(on_tracking(R"({"data.SPEED": {"exists": false}})"));
  EXPECT_TRUE(on_tracking(R"({"data.ALTITUDE": {"exists": false}})"));
  EXPECT_TRUE(on_tracking(R"({"metadata": {"exists": true}})"));
  auto m = make_message(R"({"z": null})");
  EXPECT_EQ(eval(R"({"z": {"exists": true}})", *m), Verdict::kMatch);
}

TEST(Predicate, NotAnyAll) {
  EXPECT_TRUE(on_tracking(R"({"not": {"data.ENGINE_STATUS": "OFF"}})"));
  EXPECT_FALSE(on_tracking(R"({"not": {"data.ENGINE_STATUS": "ON"}})"));
  EXPECT_TRUE(on_tracking(R"({"any": [{"data.SPEED": "0"}, {"data.ENGINE_STATUS": "ON"}]})"));
  EXPECT_FALSE(on_tracking(R"({"any": [{"data.SPEED": "0"}, {"data.ENGINE_STATUS": "OFF"}]})"));
  EXPECT_TRUE(on_tracking(R"({"all": [{"data.SPEED": {"gt": 1}}, {"data.SATELLITES": 9}]})"));
  EXPECT_FALSE(on_tracking(R"({"all": [{"data.SPEED": {"gt": 100}}, {"data.SATELLITES": 9}]})"));
  EXPECT_FALSE(on_tracking(R"({"any": []})"));
  EXPECT_TRUE(on_tracking(R"({"all": []})"));
  EXPECT_TRUE(on_tracking(R"([{"data.SATELLITES": 9}, {"data.ENGINE_STATUS": "ON"}])"));
}

TEST(Predicate, NotInsideAFieldNegatesItsOperators) {
  EXPECT_TRUE(on_tracking(R"({"data.DEVICE_ID": {"not": {"prefix": "99"}}})"));
  EXPECT_FALSE(on_tracking(R"({"data.DEVICE_ID": {"not": {"prefix": "08"}}})"));
  EXPECT_TRUE(on_tracking(R"({"data.DEVICE_ID": {"prefix": "08", "not": "0848086124"}})"));
  EXPECT_FALSE(on_tracking(R"({"data.DEVICE_ID": {"prefix": "08", "not": "0848086123"}})"));
}

TEST(Predicate, ArrayIndexPaths) {
  auto m = make_message(R"({"items": [{"id": "a"}, {"id": "b"}]})");
  EXPECT_EQ(eval(R"({"items[1].id": "b"})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"items[2].id": {"exists": false}})", *m), Verdict::kMatch);
}

TEST(Predicate, EnvelopeFieldsComeFromTheEnvelopeNotThePayload) {
  auto m = make_message(R"({"subject": "payload-subject", "key": "pk"})", "tracking.data", "k1");
  m->headers.push_back({"content-type", "application/json"});
  m->attributes.push_back({"partition", "3"});
  EXPECT_EQ(eval(R"({"subject": "tracking.data"})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"subject": {"prefix": "tracking."}})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"key": "k1"})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"source": "tracking"})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"source": "other"})", *m), Verdict::kNoMatch);
  EXPECT_EQ(eval(R"({"node_id": "node-1"})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"header.content-type": "application/json"})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"header.x-missing": {"exists": false}})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"attribute.partition": {"ge": 3}})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"payload.subject": "payload-subject"})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"payload.key": "pk"})", *m), Verdict::kMatch);
}

TEST(Predicate, MissingKeyIsMissing) {
  auto m = make_message("{}", "s");
  EXPECT_EQ(eval(R"({"key": {"exists": false}})", *m), Verdict::kMatch);
}

TEST(Predicate, NonJsonPayloadIsReportedNotJustFalse) {
  auto m = make_message("not json at all", "tracking.data");
  EXPECT_EQ(eval(R"({"data.ENGINE_STATUS": "ON"})", *m), Verdict::kNotJson);
  EXPECT_EQ(eval(R"({"not": {"data.ENGINE_STATUS": "ON"}})", *m), Verdict::kNotJson);
  EXPECT_EQ(eval(R"({"data.X": {"exists": false}})", *m), Verdict::kNotJson);
  EXPECT_FALSE(compile(R"({"data.X": 1})").matches(MessageContext{*m, "s", "n"}));
  // Envelope fields still decide when they can.
  EXPECT_EQ(eval(R"({"subject": "other", "data.X": 1})", *m), Verdict::kNoMatch);
  EXPECT_EQ(eval(R"({"any": [{"subject": "tracking.data"}, {"data.X": 1}]})", *m), Verdict::kMatch);
  EXPECT_EQ(eval(R"({"subject": "tracking.data"})", *m), Verdict::kMatch);
}

TEST(Predicate, SubjectTestRunsBeforeTheParseIsNeeded) {
  auto p = compile(R"({"data.ENGINE_STATUS": "ON", "subject": "other"})");
  EXPECT_TRUE(p.reads_payload());
  auto m = make_message("not json", "tracking.data");
  // Deciding on the subject first gives a definite answer for a bad payload.
  EXPECT_EQ(p.evaluate(MessageContext{*m, "s", "n"}), Verdict::kNoMatch);
  EXPECT_FALSE(compile(R"({"subject": "x"})").reads_payload());
  // Scanning: the payload is not even validated.
  auto good = make_message(kTrackingEvent, "tracking.data");
  PayloadScan scan;
  EXPECT_EQ(p.evaluate(MessageContext{*good, "s", "n", &scan}), Verdict::kNoMatch);
  EXPECT_EQ(scan.state(), PayloadScan::State::kUnchecked);
}

TEST(Predicate, SharesOneFieldRefPerName) {
  auto p = compile(R"({"any": [{"data.SPEED": 1}, {"data.SPEED": 2}], "subject": "x"})");
  EXPECT_EQ(p.fields().size(), 2u);
}

}  // namespace
}  // namespace sluice::routing
