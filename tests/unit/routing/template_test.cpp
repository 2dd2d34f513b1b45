#include "routing/template.hpp"

#include <gtest/gtest.h>

#include "message_builder.hpp"

namespace sluice::routing {
namespace {

using test::kTrackingEvent;
using test::make_message;

Template compile(std::string_view text) {
  std::string error;
  auto t = Template::compile(text, error);
  EXPECT_TRUE(t) << error;
  return t ? std::move(*t) : Template();
}

std::string compile_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(Template::compile(text, error)) << text;
  return error;
}

TEST(Template, LiteralRendersAsIsAndIsMarkedLiteral) {
  auto t = compile("devices/all");
  EXPECT_TRUE(t.is_literal());
  EXPECT_EQ(t.literal_text(), "devices/all");
  auto m = make_message("{}");
  std::string out = "old";
  EXPECT_TRUE(t.render(MessageContext{*m, "s", "n"}, out).complete());
  EXPECT_EQ(out, "devices/all");
}

TEST(Template, PayloadFieldsAreSubstituted) {
  auto t = compile("devices/${data.DEVICE_ID}/speed/${data.SPEED}");
  EXPECT_FALSE(t.is_literal());
  EXPECT_TRUE(t.reads_payload());
  auto m = make_message(kTrackingEvent);
  std::string out;
  EXPECT_TRUE(t.render(MessageContext{*m, "s", "n"}, out).complete());
  EXPECT_EQ(out, "devices/0848086123/speed/12.50");
}

TEST(Template, EnvelopeFieldsAreSubstituted) {
  auto t = compile("${node_id}.${source}.${subject}.${key}.${header.h}.${attribute.a}");
  EXPECT_FALSE(t.reads_payload());
  auto m = make_message("not json", "subj", "k");
  m->headers.push_back({"h", "hv"});
  m->attributes.push_back({"a", "av"});
  std::string out;
  EXPECT_TRUE(t.render(MessageContext{*m, "src", "node-7"}, out).complete());
  EXPECT_EQ(out, "node-7.src.subj.k.hv.av");
}

TEST(Template, NonStringValuesRenderAsJsonText) {
  auto m = make_message(R"({"i": 42, "d": 12.5, "b": true, "z": null, "big": 18446744073709551615,
                           "o": {"a": [1, 2]}})");
  std::string out;
  compile("${i}|${d}|${b}|${z}|${big}|${o}").render(MessageContext{*m, "s", "n"}, out);
  EXPECT_EQ(out, R"(42|12.5|true|null|18446744073709551615|{"a":[1,2]})");
}

TEST(Template, ScannedPayloadRendersLikeTheParsedOne) {
  auto m = make_message(R"({"i": 42, "d": 12.5, "b": true, "z": null, "big": 18446744073709551615,
                           "s": "a\"b", "o": {"a": [1, 2]}})");
  auto t = compile("${i}|${d}|${b}|${z}|${big}|${s}|${o}");
  std::string dom, scanned;
  PayloadScan scan;
  EXPECT_TRUE(t.render(MessageContext{*m, "s", "n", &scan}, scanned).complete());
  EXPECT_EQ(scan.state(), PayloadScan::State::kValid);
  t.render(MessageContext{*m, "s", "n"}, dom);
  EXPECT_EQ(scanned, R"(42|12.5|true|null|18446744073709551615|a"b|{"a": [1, 2]})");
  // Objects keep their spacing when scanned; everything else is identical.
  EXPECT_EQ(dom.substr(0, dom.rfind('|')), scanned.substr(0, scanned.rfind('|')));
}

TEST(Template, AnAlreadyParsedPayloadIsReadFromItsDom) {
  auto m = make_message(R"({"o": {"a": 1}})");
  ASSERT_TRUE(m->json());
  PayloadScan scan;
  std::string out;
  compile("${o}").render(MessageContext{*m, "s", "n", &scan}, out);
  if constexpr (requires { m->json_parsed(); }) {
    EXPECT_EQ(scan.state(), PayloadScan::State::kUnchecked);
    EXPECT_EQ(out, R"({"a":1})");
  }
}

TEST(Template, ScannedNonJsonPayloadIsReported) {
  auto m = make_message("{\"a\": ", "subj");
  PayloadScan scan;
  std::string out;
  auto r = compile("${a}").render(MessageContext{*m, "s", "n", &scan}, out);
  EXPECT_TRUE(r.not_json);
  EXPECT_EQ(scan.state(), PayloadScan::State::kInvalid);
}

TEST(Template, MissingFieldRendersEmptyAndIsCounted) {
  auto m = make_message(R"({"a": "x"})");
  std::string out;
  auto r = compile("p/${a}/${b}/${c}").render(MessageContext{*m, "s", "n"}, out);
  EXPECT_EQ(out, "p/x//");
  EXPECT_EQ(r.missing, 2u);
  EXPECT_FALSE(r.complete());
}

TEST(Template, NonJsonPayloadIsReported) {
  auto m = make_message("oops", "subj");
  std::string out;
  auto r = compile("${subject}/${data.X}").render(MessageContext{*m, "s", "n"}, out);
  EXPECT_EQ(out, "subj/");
  EXPECT_TRUE(r.not_json);
  EXPECT_EQ(r.missing, 0u);
}

TEST(Template, DollarEscapesAndLoneDollars) {
  auto m = make_message(R"({"a": "x"})");
  std::string out;
  compile("$${a} costs $5 ${a}$").render(MessageContext{*m, "s", "n"}, out);
  EXPECT_EQ(out, "${a} costs $5 x$");
  EXPECT_TRUE(compile("$$").is_literal());
  EXPECT_EQ(compile("$$").literal_text(), "$");
}

TEST(Template, CompileErrorsSayWhatIsWrong) {
  EXPECT_NE(compile_error("a/${b").find("without a closing"), std::string::npos);
  EXPECT_NE(compile_error("a/${}").find("empty"), std::string::npos);
  EXPECT_NE(compile_error("a/${x..y}").find("empty name"), std::string::npos);
}

TEST(Template, RenderReusesTheOutputBuffer) {
  auto t = compile("d/${a}");
  auto m = make_message(R"({"a": "0123456789"})");
  std::string out;
  out.reserve(64);
  const char* before = out.data();
  t.render(MessageContext{*m, "s", "n"}, out);
  EXPECT_EQ(out.data(), before);
}

}  // namespace
}  // namespace sluice::routing
