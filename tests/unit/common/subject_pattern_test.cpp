#include <gtest/gtest.h>

#include <sluice/common/subject_pattern.hpp>

namespace sluice::common {
namespace {

SubjectPattern compile(std::string_view text, SubjectSyntax syntax) {
  std::string error;
  auto p = SubjectPattern::compile(text, syntax, error);
  EXPECT_TRUE(p) << error;
  return *p;
}

std::string compile_error(std::string_view text, SubjectSyntax syntax) {
  std::string error;
  EXPECT_FALSE(SubjectPattern::compile(text, syntax, error)) << text;
  return error;
}

TEST(SubjectPattern, LiteralMatchesOnlyTheSameSubject) {
  auto p = compile("tracking.data", SubjectSyntax::kNats);
  EXPECT_TRUE(p.is_literal());
  EXPECT_TRUE(p.matches("tracking.data"));
  EXPECT_FALSE(p.matches("tracking.data2"));
  EXPECT_FALSE(p.matches("tracking"));
  EXPECT_FALSE(p.matches("tracking.data.x"));
}

TEST(SubjectPattern, NatsStarMatchesExactlyOneToken) {
  auto p = compile("foo.*.bar", SubjectSyntax::kNats);
  EXPECT_FALSE(p.is_literal());
  EXPECT_TRUE(p.matches("foo.x.bar"));
  EXPECT_FALSE(p.matches("foo.bar"));
  EXPECT_FALSE(p.matches("foo.x.y.bar"));
  EXPECT_FALSE(p.matches("foo.x.bar.baz"));
}

TEST(SubjectPattern, NatsGreaterMatchesOneOrMoreTrailingTokens) {
  auto p = compile("foo.>", SubjectSyntax::kNats);
  EXPECT_TRUE(p.matches("foo.a"));
  EXPECT_TRUE(p.matches("foo.a.b.c"));
  EXPECT_FALSE(p.matches("foo"));
  EXPECT_FALSE(p.matches("bar.a"));
  auto all = compile(">", SubjectSyntax::kNats);
  EXPECT_TRUE(all.matches("anything.at.all"));
}

TEST(SubjectPattern, NatsRejectsGreaterBeforeTheEndAndEmptyTokens) {
  EXPECT_NE(compile_error("foo.>.bar", SubjectSyntax::kNats).find("last token"), std::string::npos);
  EXPECT_NE(compile_error("foo..bar", SubjectSyntax::kNats).find("empty token"), std::string::npos);
}

TEST(SubjectPattern, NatsWildcardInsideATokenIsLiteral) {
  auto p = compile("foo*.bar", SubjectSyntax::kNats);
  EXPECT_TRUE(p.is_literal());
  EXPECT_TRUE(p.matches("foo*.bar"));
  EXPECT_FALSE(p.matches("fooX.bar"));
}

TEST(SubjectPattern, MqttPlusMatchesOneLevelIncludingEmpty) {
  auto p = compile("sensors/+/temp", SubjectSyntax::kMqtt);
  EXPECT_TRUE(p.matches("sensors/a/temp"));
  EXPECT_TRUE(p.matches("sensors//temp"));
  EXPECT_FALSE(p.matches("sensors/a/b/temp"));
  EXPECT_FALSE(p.matches("sensors.a.temp"));
}

TEST(SubjectPattern, MqttHashMatchesParentAndAllLevelsBelow) {
  auto p = compile("sport/tennis/#", SubjectSyntax::kMqtt);
  EXPECT_TRUE(p.matches("sport/tennis"));
  EXPECT_TRUE(p.matches("sport/tennis/player1"));
  EXPECT_TRUE(p.matches("sport/tennis/player1/ranking"));
  EXPECT_FALSE(p.matches("sport/tennisX"));
  EXPECT_FALSE(p.matches("sport"));
}

TEST(SubjectPattern, MqttFirstLevelWildcardsSkipDollarTopics) {
  EXPECT_FALSE(compile("#", SubjectSyntax::kMqtt).matches("$SYS/broker/load"));
  EXPECT_FALSE(compile("+/broker/load", SubjectSyntax::kMqtt).matches("$SYS/broker/load"));
  EXPECT_TRUE(compile("$SYS/#", SubjectSyntax::kMqtt).matches("$SYS/broker/load"));
  EXPECT_TRUE(compile("#", SubjectSyntax::kMqtt).matches("a/b"));
}

TEST(SubjectPattern, MqttRejectsMisplacedWildcards) {
  EXPECT_NE(compile_error("a/#/b", SubjectSyntax::kMqtt).find("must be the last"),
            std::string::npos);
  EXPECT_NE(compile_error("a/b+/c", SubjectSyntax::kMqtt).find("stand alone"), std::string::npos);
  EXPECT_NE(compile_error("a/#b", SubjectSyntax::kMqtt).find("stand alone"), std::string::npos);
}

TEST(SubjectPattern, AmqpHashMatchesZeroOrMoreWordsAnywhere) {
  auto p = compile("audit.#.error", SubjectSyntax::kAmqp);
  EXPECT_TRUE(p.matches("audit.error"));
  EXPECT_TRUE(p.matches("audit.db.error"));
  EXPECT_TRUE(p.matches("audit.db.pool.error"));
  EXPECT_FALSE(p.matches("audit.db.warning"));
  EXPECT_FALSE(p.matches("x.audit.error"));
  auto tail = compile("logs.#", SubjectSyntax::kAmqp);
  EXPECT_TRUE(tail.matches("logs"));
  EXPECT_TRUE(tail.matches("logs.a.b"));
  auto head = compile("#.error", SubjectSyntax::kAmqp);
  EXPECT_TRUE(head.matches("error"));
  EXPECT_TRUE(head.matches("a.b.error"));
  EXPECT_FALSE(head.matches("a.b.errors"));
}

TEST(SubjectPattern, AmqpStarMatchesOneWord) {
  auto p = compile("*.orange.*", SubjectSyntax::kAmqp);
  EXPECT_TRUE(p.matches("quick.orange.rabbit"));
  EXPECT_FALSE(p.matches("orange.rabbit"));
  EXPECT_FALSE(p.matches("quick.orange.male.rabbit"));
}

TEST(SubjectPattern, AmqpRepeatedHashesBehaveAsOne) {
  auto p = compile("a.#.#.b", SubjectSyntax::kAmqp);
  EXPECT_TRUE(p.matches("a.b"));
  EXPECT_TRUE(p.matches("a.x.y.z.b"));
  EXPECT_EQ(p.tokens().size(), 3u);
}

TEST(SubjectPattern, AutoGuessesTheSyntaxFromTheCharacters) {
  EXPECT_EQ(detect_subject_syntax("devices/+/temp"), SubjectSyntax::kMqtt);
  EXPECT_EQ(detect_subject_syntax("foo.>"), SubjectSyntax::kNats);
  EXPECT_EQ(detect_subject_syntax("logs.#"), SubjectSyntax::kAmqp);
  EXPECT_EQ(detect_subject_syntax("+"), SubjectSyntax::kMqtt);
  EXPECT_EQ(detect_subject_syntax("foo.*"), SubjectSyntax::kNats);
  auto p = compile("devices/+", SubjectSyntax::kAuto);
  EXPECT_EQ(p.syntax(), SubjectSyntax::kMqtt);
  EXPECT_TRUE(p.matches("devices/42"));
}

TEST(SubjectPattern, SyntaxNamesRoundTrip) {
  for (auto s : {SubjectSyntax::kAuto, SubjectSyntax::kNats, SubjectSyntax::kMqtt,
                 SubjectSyntax::kAmqp, SubjectSyntax::kLiteral, SubjectSyntax::kGlob})
    EXPECT_EQ(parse_subject_syntax(subject_syntax_name(s)), s);
  EXPECT_FALSE(parse_subject_syntax("regex"));
}

TEST(SubjectPattern, GlobStarSpansDotsAsInRedis) {
  auto p = compile("news.*", SubjectSyntax::kGlob);
  EXPECT_TRUE(p.is_glob());
  EXPECT_TRUE(p.tokens().empty());
  EXPECT_TRUE(p.matches("news.eu"));
  EXPECT_TRUE(p.matches("news.eu.sport"));
  EXPECT_TRUE(p.matches("news."));
  EXPECT_FALSE(p.matches("news"));
  EXPECT_FALSE(p.matches("weather.news.eu"));
  EXPECT_TRUE(compile("*", SubjectSyntax::kGlob).matches("a/b.c"));
  EXPECT_TRUE(compile("*sport", SubjectSyntax::kGlob).matches("news.eu.sport"));
}

TEST(SubjectPattern, GlobQuestionMarkSetsAndEscapes) {
  auto one = compile("h?llo", SubjectSyntax::kGlob);
  EXPECT_TRUE(one.matches("hello"));
  EXPECT_FALSE(one.matches("heello"));
  auto set = compile("h[ae]llo", SubjectSyntax::kGlob);
  EXPECT_TRUE(set.matches("hallo"));
  EXPECT_FALSE(set.matches("hillo"));
  auto range = compile("room-[0-3]", SubjectSyntax::kGlob);
  EXPECT_TRUE(range.matches("room-2"));
  EXPECT_FALSE(range.matches("room-7"));
  auto negated = compile("h[^e]llo", SubjectSyntax::kGlob);
  EXPECT_TRUE(negated.matches("hallo"));
  EXPECT_FALSE(negated.matches("hello"));
  auto escaped = compile("a\\*b", SubjectSyntax::kGlob);
  EXPECT_FALSE(escaped.is_literal());
  EXPECT_TRUE(escaped.matches("a*b"));
  EXPECT_FALSE(escaped.matches("axb"));
}

TEST(SubjectPattern, GlobWithoutWildcardsIsLiteral) {
  auto p = compile("cdr.inbound", SubjectSyntax::kGlob);
  EXPECT_TRUE(p.is_literal());
  EXPECT_FALSE(p.is_glob());
  EXPECT_TRUE(p.matches("cdr.inbound"));
  EXPECT_FALSE(p.matches("cdr.inboundx"));
  // `#` inside a word is an ordinary channel character for Redis.
  EXPECT_TRUE(compile("chat#1", SubjectSyntax::kGlob).matches("chat#1"));
}

TEST(SubjectPattern, GlobMatchesLongSubjectsAndRefusesEmbeddedNul) {
  auto p = compile("log.*.end", SubjectSyntax::kGlob);
  std::string long_subject = "log." + std::string(1000, 'x') + ".end";
  EXPECT_TRUE(p.matches(long_subject));
  EXPECT_FALSE(p.matches(std::string_view("log.a\0.end", 10)));
  // An empty view without data (the fuzzer's find: memchr/memcpy on null).
  EXPECT_TRUE(compile("*", SubjectSyntax::kGlob).matches(std::string_view()));
  EXPECT_FALSE(p.matches(std::string_view()));
}

TEST(SubjectPattern, GlobRefusesOtherBrokersWildcardsStandingAlone) {
  EXPECT_NE(compile_error("news.>", SubjectSyntax::kGlob).find("'>' is not a wildcard here"),
            std::string::npos);
  EXPECT_NE(compile_error("sensors/+/temp", SubjectSyntax::kGlob).find("'+'"), std::string::npos);
  EXPECT_NE(compile_error("#", SubjectSyntax::kGlob).find("glob wildcards"), std::string::npos);
}

TEST(SubjectPattern, MqttHashAloneMatchesTheParentLevel) {
  auto p = compile("home/kitchen/#", SubjectSyntax::kMqtt);
  EXPECT_TRUE(p.matches("home/kitchen"));
  EXPECT_TRUE(p.matches("home/kitchen/temp/1"));
  EXPECT_FALSE(p.matches("home"));
  EXPECT_FALSE(p.matches("home/kitchenette"));
}

TEST(SubjectPattern, AmqpHashMatchesZeroWords) {
  auto p = compile("logs.#.error", SubjectSyntax::kAmqp);
  EXPECT_TRUE(p.matches("logs.error"));
  EXPECT_TRUE(p.matches("logs.a.b.error"));
  EXPECT_FALSE(p.matches("logs.warning"));
  EXPECT_TRUE(compile("logs.#", SubjectSyntax::kAmqp).matches("logs"));
}

TEST(SubjectPattern, EachSyntaxHasItsOwnWildcards) {
  EXPECT_TRUE(compile("a.*.c", SubjectSyntax::kNats).matches("a.b.c"));
  EXPECT_TRUE(compile("a.>", SubjectSyntax::kNats).matches("a.b.c"));
  EXPECT_FALSE(compile("a.>", SubjectSyntax::kNats).matches("a"));
  EXPECT_TRUE(compile("a/+/c", SubjectSyntax::kMqtt).matches("a/b/c"));
  EXPECT_FALSE(compile("a/+/c", SubjectSyntax::kMqtt).matches("a.b.c"));
  EXPECT_TRUE(compile("a.*.c", SubjectSyntax::kAmqp).matches("a.b.c"));
  EXPECT_FALSE(compile("a.*.c", SubjectSyntax::kAmqp).matches("a.c"));
}

TEST(SubjectPattern, DeclaredSyntaxRefusesAnotherSyntaxsWildcards) {
  EXPECT_NE(compile_error("a.#", SubjectSyntax::kNats).find("'#' is not a wildcard here (nats"),
            std::string::npos);
  EXPECT_NE(compile_error("a/+/c", SubjectSyntax::kNats).find("'+' is not a wildcard"),
            std::string::npos);
  EXPECT_NE(compile_error("a/*", SubjectSyntax::kMqtt).find("'*' is not a wildcard"),
            std::string::npos);
  EXPECT_NE(compile_error("a.>", SubjectSyntax::kAmqp).find("'>' is not a wildcard"),
            std::string::npos);
  EXPECT_NE(compile_error("a.*", SubjectSyntax::kLiteral).find("(literal syntax)"),
            std::string::npos);
  // Guessing (kAuto) keeps reading such characters inside a token literally.
  EXPECT_TRUE(compile("a+b", SubjectSyntax::kAuto).matches("a+b"));
}

TEST(SubjectPattern, LiteralSyntaxMatchesTheWholeNameOnly) {
  auto p = compile("orders..eu", SubjectSyntax::kLiteral);  // no token rules either
  EXPECT_TRUE(p.is_literal());
  EXPECT_EQ(p.syntax(), SubjectSyntax::kLiteral);
  EXPECT_TRUE(p.matches("orders..eu"));
  EXPECT_FALSE(p.matches("orders.eu"));
}

}  // namespace
}  // namespace sluice::common
