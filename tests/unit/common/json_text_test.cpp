// Numbers as people write them: bytes compared.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <sluice/common/json_text.hpp>

namespace sluice::common {
namespace {

std::string number(double d) {
  std::string out;
  append_json_number(out, d);
  return out;
}

TEST(JsonText, DoublesAreShortestAndPlainWherePlainIsReasonable) {
  EXPECT_EQ(number(12.5), "12.5");
  EXPECT_EQ(number(119.97), "119.97");
  EXPECT_EQ(number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(number(100000), "100000");
  EXPECT_EQ(number(3), "3");
  EXPECT_EQ(number(-0.0), "-0");
  EXPECT_EQ(number(1e20), "100000000000000000000");
  EXPECT_EQ(number(1e21), "1e+21");
  EXPECT_EQ(number(1e-7), "0.0000001");
  EXPECT_EQ(number(1.5e-8), "1.5e-08");
  EXPECT_EQ(number(-2.5e300), "-2.5e+300");
  EXPECT_EQ(number(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(number(std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonText, ADocumentIsWrittenWithThoseNumbers) {
  auto doc = boost::json::parse(R"({"speed":119.97,"n":[1,-2,0.5],"s":"1.25E1 stays text"})");
  EXPECT_EQ(to_json_text(doc), R"({"speed":119.97,"n":[1,-2,0.5],"s":"1.25E1 stays text"})");
  EXPECT_EQ(to_json_text(boost::json::value(2.5e-3)), "0.0025");
  EXPECT_EQ(to_json_text(boost::json::value(42)), "42");
}

TEST(JsonText, NumbersAPayloadHadKeepTheirText) {
  const std::string payload =
      R"({"a":12.50,"b":1E3,"c":2.5e-3,"d":12.25,"e":"12.50","big":123456789012345678901234,)"
      R"("i":-7,"esc":"q\"1.0"})";
  auto originals = NumberTexts::of(payload);
  auto doc = boost::json::parse(payload);
  EXPECT_EQ(to_json_text(doc, &originals), payload);
  doc.as_object()["added"] = 0.75;
  doc.as_object()["a"] = 13.0;
  EXPECT_EQ(to_json_text(doc, &originals),
            R"({"a":13,"b":1E3,"c":2.5e-3,"d":12.25,"e":"12.50","big":123456789012345678901234,)"
            R"("i":-7,"esc":"q\"1.0","added":0.75})");
  // Only texts that differ from the shortest form are kept.
  EXPECT_TRUE(NumberTexts::of(R"({"x":12.5,"y":[1,2,0.25]})").empty());
  EXPECT_EQ(*originals.text_of(1000), "1E3");
  EXPECT_EQ(originals.text_of(13.0), nullptr);
}

}  // namespace
}  // namespace sluice::common
