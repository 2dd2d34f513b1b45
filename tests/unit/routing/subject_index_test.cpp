#include "routing/subject_index.hpp"

#include <gtest/gtest.h>

#include <random>

namespace sluice::routing {
namespace {

SubjectPattern pattern(std::string_view text, SubjectSyntax syntax = SubjectSyntax::kAuto) {
  std::string error;
  auto p = SubjectPattern::compile(text, syntax, error);
  EXPECT_TRUE(p) << error;
  return *p;
}

std::vector<SubjectIndex::Id> match(const SubjectIndex& index, std::string_view subject) {
  std::vector<SubjectIndex::Id> out;
  index.match(subject, out);
  return out;
}

using Ids = std::vector<SubjectIndex::Id>;

TEST(SubjectIndex, ReturnsEveryMatchingPatternSortedOnce) {
  SubjectIndex index;
  index.add(pattern("orders.eu.created"), 1);
  index.add(pattern("orders.*.created"), 2);
  index.add(pattern("orders.>"), 3);
  index.add(pattern("payments.>"), 4);
  index.add(pattern("orders.eu.created"), 5);
  EXPECT_EQ(match(index, "orders.eu.created"), (Ids{1, 2, 3, 5}));
  EXPECT_EQ(match(index, "orders.us.created"), (Ids{2, 3}));
  EXPECT_EQ(match(index, "orders"), Ids{});
  EXPECT_EQ(match(index, "payments.x"), Ids{4});
}

TEST(SubjectIndex, OneIdThroughTwoPatternsIsReportedOnce) {
  SubjectIndex index;
  index.add(pattern("a.*"), 7);
  index.add(pattern("a.>"), 7);
  EXPECT_EQ(match(index, "a.b"), Ids{7});
}

TEST(SubjectIndex, MixesMqttAndDottedPatterns) {
  SubjectIndex index;
  index.add(pattern("devices/+/state"), 1);
  index.add(pattern("devices/#"), 2);
  index.add(pattern("devices.*"), 3);
  EXPECT_EQ(match(index, "devices/42/state"), (Ids{1, 2}));
  EXPECT_EQ(match(index, "devices"), Ids{2});
  EXPECT_EQ(match(index, "devices.42"), (Ids{3}));
}

TEST(SubjectIndex, MqttWildcardsSkipDollarTopics) {
  SubjectIndex index;
  index.add(pattern("#", SubjectSyntax::kMqtt), 1);
  index.add(pattern("+/x", SubjectSyntax::kMqtt), 2);
  index.add(pattern("$SYS/#", SubjectSyntax::kMqtt), 3);
  EXPECT_EQ(match(index, "$SYS/x"), Ids{3});
  EXPECT_EQ(match(index, "a/x"), (Ids{1, 2}));
}

TEST(SubjectIndex, AmqpHashInTheMiddle) {
  SubjectIndex index;
  index.add(pattern("audit.#.error", SubjectSyntax::kAmqp), 1);
  index.add(pattern("#", SubjectSyntax::kAmqp), 2);
  index.add(pattern("*.*", SubjectSyntax::kAmqp), 3);
  EXPECT_EQ(match(index, "audit.error"), (Ids{1, 2, 3}));
  EXPECT_EQ(match(index, "audit.a.b.error"), (Ids{1, 2}));
  EXPECT_EQ(match(index, "audit.a.b.warn"), Ids{2});
}

TEST(SubjectIndex, RemoveDropsOnlyThatEntryAndPrunes) {
  SubjectIndex index;
  auto p = pattern("a.*.c");
  index.add(p, 1);
  index.add(p, 2);
  index.add(pattern("a.b.c"), 3);
  EXPECT_TRUE(index.remove(p, 1));
  EXPECT_FALSE(index.remove(p, 1));
  EXPECT_EQ(match(index, "a.b.c"), (Ids{2, 3}));
  EXPECT_TRUE(index.remove(p, 2));
  EXPECT_TRUE(index.remove(pattern("a.b.c"), 3));
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(match(index, "a.b.c"), Ids{});
  EXPECT_FALSE(index.remove(pattern("x/#"), 9));
}

TEST(SubjectIndex, GlobsMatchNextToTokenPatternsAndCanBeRemoved) {
  SubjectIndex index;
  index.add(pattern("news.*", SubjectSyntax::kGlob), 1);
  index.add(pattern("news.eu.sport", SubjectSyntax::kGlob), 2);  // a literal
  index.add(pattern("news.*", SubjectSyntax::kNats), 3);
  index.add(pattern("*.sport", SubjectSyntax::kGlob), 4);
  EXPECT_EQ(match(index, "news.eu.sport"), (Ids{1, 2, 4}));
  EXPECT_EQ(match(index, "news.eu"), (Ids{1, 3}));
  EXPECT_EQ(index.size(), 4u);
  EXPECT_FALSE(index.remove(pattern("news.*", SubjectSyntax::kGlob), 4));
  EXPECT_TRUE(index.remove(pattern("news.*", SubjectSyntax::kGlob), 1));
  EXPECT_EQ(match(index, "news.eu.sport"), (Ids{2, 4}));
  EXPECT_EQ(index.size(), 3u);
}

TEST(SubjectIndex, AgreesWithPatternMatchingOnRandomSubjects) {
  // The trie must give exactly the answer of testing every pattern.
  const std::vector<std::pair<std::string, SubjectSyntax>> specs = {
      {"a.b.c", SubjectSyntax::kNats}, {"a.*.c", SubjectSyntax::kNats},
      {"a.>", SubjectSyntax::kNats},   {"*.b.>", SubjectSyntax::kNats},
      {"a.#.c", SubjectSyntax::kAmqp}, {"#.c", SubjectSyntax::kAmqp},
      {"*.#", SubjectSyntax::kAmqp},   {"a/+/c", SubjectSyntax::kMqtt},
      {"a/#", SubjectSyntax::kMqtt},   {"+/+", SubjectSyntax::kMqtt},
      {"#", SubjectSyntax::kMqtt},     {"b.c", SubjectSyntax::kNats},
      {"a*c", SubjectSyntax::kGlob},   {"?.b*", SubjectSyntax::kGlob},
  };
  SubjectIndex index;
  std::vector<SubjectPattern> patterns;
  for (size_t i = 0; i < specs.size(); ++i) {
    patterns.push_back(pattern(specs[i].first, specs[i].second));
    index.add(patterns.back(), static_cast<SubjectIndex::Id>(i));
  }
  std::mt19937 rng(42);
  const char* tokens[] = {"a", "b", "c", "$x", ""};
  for (int round = 0; round < 2000; ++round) {
    std::string subject;
    int n = 1 + static_cast<int>(rng() % 4);
    char sep = rng() % 2 ? '.' : '/';
    for (int t = 0; t < n; ++t) {
      if (t) subject += sep;
      subject += tokens[rng() % 5];
    }
    Ids expected;
    for (size_t i = 0; i < patterns.size(); ++i)
      if (patterns[i].matches(subject)) expected.push_back(static_cast<SubjectIndex::Id>(i));
    EXPECT_EQ(match(index, subject), expected) << subject;
  }
}

}  // namespace
}  // namespace sluice::routing
