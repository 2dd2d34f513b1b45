#include "routing/json_scanner.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

#include "message_builder.hpp"
#include "routing/payload_scan.hpp"

namespace sluice::routing {
namespace {

bool boost_accepts(std::string_view doc) {
  boost::system::error_code ec;
  boost::json::parse(doc, ec);
  return !ec;
}

TEST(JsonScanner, AcceptsAndRejectsExactlyWhatBoostJsonDoes) {
  const std::vector<std::string> docs = {
      test::kTrackingEvent, "1", " 1 ", "-0", "1E+2", "1e999", "0.5",
      // exponents at int's limit (found by fuzzing: boost::json refuses what overflows int)
      "1e2147483647", "1e2147483648", "1e-2147483648", "1e00000000000000000002",
      "12345678901234567890123e2147483647", "0.000001e-2147483647", "[1e91111111111111111111]",
      "[]", "{}", " [ ] ", R"({"a":1,"a":2})", R"("\u00e9\ud83d\ude00")", R"("\/\b\f\n\r\t\\\"")",
      "true", "null", "\"\xc3\xa9\"", "\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"",
      // rejected
      "", " ", "01", "1.", "-", ".5", "+1", "1e", "[1,]", "{\"a\":1,}", "{\"a\"}", "{a:1}", "[1 2]",
      "tru", "nul", "True", "\"abc", R"("\x")", "\"a\tb\"", R"("\ud800")", R"("\udc00x")",
      R"("\ud800\u0041")", "\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
      "\"\xe2\x82\"", "1 2", "[1]]", "{\"a\":1}}", "//c\n1", "NaN", "Infinity", "[1,,2]",
      R"({"a" 1})", "[\"a\"\"b\"]"};
  for (const auto& doc : docs)
    EXPECT_EQ(JsonScanner::is_valid(doc), boost_accepts(doc)) << "'" << doc << "'";
}

TEST(JsonScanner, DepthLimitMatchesBoostJson) {
  for (int depth : {31, 32, 33}) {
    std::string arrays = std::string(depth, '[') + "1" + std::string(depth, ']');
    std::string objects;
    for (int i = 0; i < depth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(depth, '}');
    EXPECT_EQ(JsonScanner::is_valid(arrays), boost_accepts(arrays)) << depth;
    EXPECT_EQ(JsonScanner::is_valid(objects), boost_accepts(objects)) << depth;
  }
}

TEST(JsonScanner, AgreesWithBoostJsonOnRandomlyDamagedPayloads) {
  std::mt19937 rng(7);
  const std::string base = test::kTrackingEvent;
  const std::string alphabet = "{}[]\",:\\ 0123456789.eE+-tfnulrsa\x80\xc3\xff";
  for (int round = 0; round < 20000; ++round) {
    std::string doc = base;
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      size_t at = rng() % doc.size();
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 4) {
        case 0:
          doc[at] = c;
          break;
        case 1:
          doc.insert(doc.begin() + static_cast<long>(at), c);
          break;
        case 2:
          doc.erase(at, 1);
          break;
        default:
          doc.resize(at);
      }
    }
    ASSERT_EQ(JsonScanner::is_valid(doc), boost_accepts(doc)) << doc;
    std::string error, scratch;
    auto path = JsonPath::compile("data.SPEED", error);
    ASSERT_EQ(JsonScanner::validate_and_find(doc, *path, scratch).has_value(), boost_accepts(doc));
  }
}

// Every path in the document gives the same value from the scanner as from
// the parsed DOM.
void expect_same_values(const boost::json::value& v, const std::string& doc,
                        const std::string& path) {
  std::string error, scratch;
  auto compiled = JsonPath::compile(path, error);
  ASSERT_TRUE(compiled) << error;
  const boost::json::value parsed = boost::json::parse(doc);
  FieldValue dom = FieldValue::of_json(compiled->find(parsed));
  FieldValue scanned = JsonScanner::find(doc, *compiled, scratch);
  ASSERT_EQ(dom.kind, scanned.kind) << path;
  auto validated = JsonScanner::validate_and_find(doc, *compiled, scratch);
  ASSERT_TRUE(validated) << doc;
  ASSERT_EQ(validated->kind, dom.kind) << path;
  if (dom.kind == FieldValue::Kind::kString) {
    EXPECT_EQ(validated->string, dom.string) << path;
  }
  scanned = JsonScanner::find(doc, *compiled, scratch);
  if (dom.kind == FieldValue::Kind::kString) {
    EXPECT_EQ(dom.string, scanned.string) << path;
  }
  if (dom.kind == FieldValue::Kind::kBool) {
    EXPECT_EQ(dom.boolean, scanned.boolean) << path;
  }
  if (dom.kind == FieldValue::Kind::kNumber) {
    EXPECT_EQ(compare_numbers(dom.number, scanned.number), 0) << path;
  }
  if (v.is_object())
    for (const auto& e : v.get_object())
      expect_same_values(e.value(), doc,
                         path.empty() ? std::string(e.key()) : path + "." + std::string(e.key()));
  if (v.is_array())
    for (size_t i = 0; i < v.get_array().size(); ++i)
      expect_same_values(v.get_array()[i], doc, path + "[" + std::to_string(i) + "]");
}

TEST(JsonScanner, FindsTheSameValuesAsTheDom) {
  const std::vector<std::string> docs = {
      test::kTrackingEvent,
      R"( { "a" : { "b" : [ 1 , -2.5e3 , "x" , true , false , null , { "c" : [ [ ] , { } ] } ] } } )",
      R"({"esc":"a\"b\\c\/d\u00e9\ud83d\ude00","n":{"big":18446744073709551615,"neg":-9223372036854775808}})",
      R"({"k":"v","k":"last","o":{"k":1},"arr":[{"k":2},{"k":3}]})",
      R"({"d":{"x":1,"y":"first"},"d":{"x":2}})",
      R"([{"id":1},{"id":"2"},[3,[4]]])",
      R"({"tiny":1e-400,"huge":-1e400,"zero":-0,"f":0.1})",
  };
  for (const auto& doc : docs) {
    ASSERT_TRUE(JsonScanner::is_valid(doc)) << doc;
    expect_same_values(boost::json::parse(doc), doc, "");
  }
}

TEST(JsonScanner, MissingPathsAreMissing) {
  std::string error, scratch;
  const std::string doc = R"({"a":{"b":[1,2]},"s":"x"})";
  for (const char* path : {"x", "a.c", "a.b[2]", "a.b.c", "s.x", "s[0]", "a[0]", "a.b[0].x"}) {
    auto p = JsonPath::compile(path, error);
    EXPECT_EQ(JsonScanner::find(doc, *p, scratch).kind, FieldValue::Kind::kMissing) << path;
  }
}

TEST(JsonScanner, ARepeatedKeyReplacesEverythingUnderTheEarlierOne) {
  const std::string doc = R"({"a":{"b":{"c":1,"d":2}},"x":0,"a":{"b":{"c":3}}})";
  std::string error, scratch;
  for (const char* path : {"a.b.d", "a.b.c"}) {
    auto p = JsonPath::compile(path, error);
    const boost::json::value parsed = boost::json::parse(doc);
    FieldValue dom = FieldValue::of_json(p->find(parsed));
    FieldValue scanned = JsonScanner::find(doc, *p, scratch);
    auto validated = JsonScanner::validate_and_find(doc, *p, scratch);
    ASSERT_TRUE(validated);
    EXPECT_EQ(scanned.kind, dom.kind) << path;
    EXPECT_EQ(validated->kind, dom.kind) << path;
  }
}

TEST(JsonScanner, EscapedKeysMatchTheirDecodedName) {
  std::string error, scratch;
  auto p = JsonPath::compile("caf\xc3\xa9", error);
  auto v = JsonScanner::find(R"({"caf\u00e9": "yes"})", *p, scratch);
  ASSERT_EQ(v.kind, FieldValue::Kind::kString);
  EXPECT_EQ(v.string, "yes");
}

TEST(JsonScanner, ObjectsAndArraysComeBackAsTheirText) {
  std::string error, scratch;
  auto p = JsonPath::compile("o", error);
  auto v = JsonScanner::find(R"({"o": {"a": [1, 2]}, "z": 1})", *p, scratch);
  ASSERT_EQ(v.kind, FieldValue::Kind::kObject);
  EXPECT_EQ(v.raw, R"({"a": [1, 2]})");
}

TEST(JsonScanner, CollectsSeveralPathsInOnePass) {
  std::string error, scratch;
  std::vector<JsonPath> paths;
  for (const char* p : {"data.SPEED", "data.DEVICE_ID", "metadata.source", "data.NOPE", "uuid"})
    paths.push_back(*JsonPath::compile(p, error));
  std::vector<const JsonPath*> pointers;
  for (const auto& p : paths) pointers.push_back(&p);
  std::vector<std::string_view> found(paths.size());
  ASSERT_TRUE(JsonScanner::validate_and_collect(test::kTrackingEvent, pointers, found));
  EXPECT_EQ(found[0], "\"12.50\"");
  EXPECT_EQ(found[1], "\"0848086123\"");
  EXPECT_EQ(found[2], "\"gw-1\"");
  EXPECT_EQ(found[3].data(), nullptr);
  EXPECT_EQ(JsonScanner::value_at(found[4], scratch).string,
            "6f1c2a4e-8d3b-4b7e-9a51-0c2d3e4f5a6b");
  EXPECT_FALSE(JsonScanner::validate_and_collect("{\"data\":", pointers, found));
}

TEST(PayloadScan, ValidatesOnceAndServesPlannedFieldsFromThatPass) {
  std::string error;
  auto speed = *JsonPath::compile("data.SPEED", error);
  auto id = *JsonPath::compile("data.DEVICE_ID", error);
  auto other = *JsonPath::compile("metadata.source", error);
  const JsonPath* plan[] = {&speed, &id};
  PayloadScan scan;
  scan.plan(plan);
  EXPECT_EQ(scan.state(), PayloadScan::State::kUnchecked);
  EXPECT_EQ(scan.read(test::kTrackingEvent, id).string, "0848086123");
  EXPECT_EQ(scan.state(), PayloadScan::State::kValid);
  EXPECT_EQ(scan.read(test::kTrackingEvent, speed).string, "12.50");
  EXPECT_EQ(scan.read(test::kTrackingEvent, other).string, "gw-1");  // not planned: scanned
  PayloadScan bad;
  EXPECT_EQ(bad.read("{oops", speed).kind, FieldValue::Kind::kNotJson);
  EXPECT_EQ(bad.state(), PayloadScan::State::kInvalid);
}

}  // namespace
}  // namespace sluice::routing
