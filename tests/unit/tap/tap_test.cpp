// Taps: what each filter lets through, the bounded ring and its drop
// count, the line format, and the hub's limit and bookkeeping.
#include "tap/tap.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::tap {
namespace {

namespace json = boost::json;

// Envelopes cannot be copied or moved: they live behind a pointer.
message::EnvelopePtr message_of(std::string payload, std::string subject = "orders.eu") {
  auto m = std::make_shared<message::Envelope>();
  m->payload = std::move(payload);
  m->subject = std::move(subject);
  m->key = "k1";
  m->headers.push_back({"trace", "t-1"});
  m->origin = "in";
  m->timestamp_ms = 1700000000000;
  return m;
}

TappedMessage in_from(std::string_view connector, const message::EnvelopePtr& m) {
  return {Direction::kIn, connector, {}, *m, m->subject};
}

TappedMessage out_to(std::string_view connector, std::string_view route,
                     const message::EnvelopePtr& m, std::string_view subject = "") {
  return {Direction::kOut, connector, route, *m,
          subject.empty() ? std::string_view(m->subject) : subject};
}

std::vector<json::value> lines_of(const std::string& text) {
  std::vector<json::value> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    EXPECT_NE(end, std::string::npos) << "unterminated line";
    out.push_back(json::parse(text.substr(pos, end - pos)));
    pos = end + 1;
  }
  return out;
}

TapFilter filter_where(const std::string& spec) {
  TapFilter f;
  std::vector<std::string> errors;
  f.where = routing::Predicate::compile(json::parse(spec), errors);
  EXPECT_TRUE(errors.empty());
  return f;
}

TEST(Tap, FiltersByConnectorSubjectRouteAndWhere) {
  auto m = message_of(R"({"temp":31,"site":"a"})");
  TapFilter by_connector;
  by_connector.connector = "in";
  EXPECT_TRUE(Tap(std::move(by_connector), nullptr).wants(in_from("in", m)));

  TapFilter other;
  other.connector = "other";
  EXPECT_FALSE(Tap(std::move(other), nullptr).wants(in_from("in", m)));

  TapFilter by_subject;
  std::string error;
  by_subject.subject =
      common::SubjectPattern::compile("orders.*", common::SubjectSyntax::kNats, error);
  Tap subject_tap(std::move(by_subject), nullptr);
  EXPECT_TRUE(subject_tap.wants(in_from("in", m)));
  // Out: the subject published to counts, not the one the message came with.
  EXPECT_FALSE(subject_tap.wants(out_to("sink", "r", m, "audit.eu")));

  TapFilter by_route;
  by_route.route = "hot";
  Tap route_tap(std::move(by_route), nullptr);
  EXPECT_TRUE(route_tap.wants(out_to("sink", "hot", m)));
  EXPECT_FALSE(route_tap.wants(out_to("sink", "cold", m)));
  EXPECT_FALSE(route_tap.wants(in_from("in", m)));  // a route only sends

  Tap hot(filter_where(R"({"temp":{"gt":30}})"), nullptr);
  EXPECT_TRUE(hot.wants(in_from("in", m)));
  auto cool = message_of(R"({"temp":12})");
  EXPECT_FALSE(hot.wants(in_from("in", cool)));
  // The where sees the connector a message came from as `source`.
  Tap from_in(filter_where(R"({"source":"in"})"), nullptr);
  EXPECT_TRUE(from_in.wants(in_from("in", m)));
  EXPECT_TRUE(from_in.wants(out_to("sink", "r", m)));  // origin "in"
  EXPECT_FALSE(from_in.wants(in_from("elsewhere", m)));
}

TEST(Tap, LinesCarryEverythingAboutTheMessage) {
  auto m = message_of(R"({"temp":31})");
  auto in = lines_of(render_tap_line(in_from("in", m)))[0].as_object();
  EXPECT_EQ(in.at("tap"), "in");
  EXPECT_EQ(in.at("connector"), "in");
  EXPECT_FALSE(in.contains("route"));
  EXPECT_EQ(in.at("subject"), "orders.eu");
  EXPECT_EQ(in.at("key"), "k1");
  EXPECT_EQ(in.at("headers").at("trace"), "t-1");
  EXPECT_EQ(in.at("payload").at("temp"), 31);  // JSON stays JSON

  auto text = message_of("plain \"text\"\nwith a newline");
  auto out = lines_of(render_tap_line(out_to("sink", "r1", text, "audit")))[0].as_object();
  EXPECT_EQ(out.at("tap"), "out");
  EXPECT_EQ(out.at("route"), "r1");
  EXPECT_EQ(out.at("subject"), "audit");
  EXPECT_EQ(out.at("payload"), "plain \"text\"\nwith a newline");
}

TEST(Tap, AFullRingDropsAndSaysHowManyOnce) {
  metrics::Registry registry;
  auto& dropped = registry.counter("dropped", "test");
  Tap tap(TapFilter{}, &dropped);
  for (size_t i = 0; i < Tap::kMaxLines + 5; ++i) tap.push("{\"n\":" + std::to_string(i) + "}\n");
  std::string out;
  ASSERT_TRUE(tap.take(out));
  auto lines = lines_of(out);
  ASSERT_EQ(lines.size(), Tap::kMaxLines + 1);
  EXPECT_EQ(lines[0].at("dropped"), 5);
  EXPECT_EQ(lines[1].at("n"), 0);  // the oldest kept: the newest were dropped
  EXPECT_EQ(lines.back().at("n"), Tap::kMaxLines - 1);
  EXPECT_EQ(tap.dropped_total(), 5u);
  EXPECT_EQ(dropped.value(), 5);

  // Taken: room again, and the drop notice is not repeated.
  std::string next;
  EXPECT_FALSE(tap.take(next));
  tap.push("{\"n\":-1}\n");
  ASSERT_TRUE(tap.take(next));
  EXPECT_EQ(next, "{\"n\":-1}\n");
}

TEST(Tap, TheRingIsBoundedInBytesToo) {
  Tap tap(TapFilter{}, nullptr);
  const std::string big(Tap::kMaxBytes / 3, 'x');
  for (int i = 0; i < 4; ++i) tap.push(big);
  EXPECT_EQ(tap.dropped_total(), 1u);
  std::string out;
  tap.take(out);
  EXPECT_LE(out.size(), Tap::kMaxBytes + 32);
}

TEST(TapHub, AtMostFourTapsAndClosingOneFreesItsPlace) {
  metrics::Registry registry;
  TapHub hub(registry);
  EXPECT_FALSE(hub.active());
  std::vector<std::unique_ptr<TapLease>> leases;
  std::string error;
  for (size_t i = 0; i < TapHub::kMaxTaps; ++i) {
    leases.push_back(hub.open(TapFilter{}, error));
    ASSERT_TRUE(leases.back()) << error;
  }
  EXPECT_TRUE(hub.active());
  EXPECT_FALSE(hub.open(TapFilter{}, error));
  EXPECT_NE(error.find("4 taps are open"), std::string::npos) << error;
  leases.pop_back();
  EXPECT_TRUE(hub.open(TapFilter{}, error));  // opened and closed at once
  leases.clear();
  EXPECT_FALSE(hub.active());
}

TEST(TapHub, OffersReachOnlyTheTapsThatWantThem) {
  metrics::Registry registry;
  TapHub hub(registry);
  std::string error;
  TapFilter only_in;
  only_in.connector = "in";
  auto in_tap = hub.open(std::move(only_in), error);
  auto all_tap = hub.open(TapFilter{}, error);
  auto m = message_of(R"({"n":1})");
  hub.offer(in_from("in", m));
  hub.offer(out_to("sink", "r", m));

  std::string in_lines, all_lines;
  in_tap->tap().take(in_lines);
  all_tap->tap().take(all_lines);
  EXPECT_EQ(lines_of(in_lines).size(), 1u);
  EXPECT_EQ(lines_of(all_lines).size(), 2u);

  // Prepared but never committed (ingest refused the message): not shown.
  auto pending = hub.prepare(in_from("in", m));
  EXPECT_EQ(pending.lines.size(), 2u);
  std::string none;
  EXPECT_FALSE(all_tap->tap().take(none));
}

}  // namespace
}  // namespace sluice::tap
