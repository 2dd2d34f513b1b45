// The plugin's subject and URL helpers: which route patterns a JetStream
// consumer serves, ${node_id} expansion, and what `sluice check` rejects.
#include "subject.hpp"

#include <gtest/gtest.h>

namespace sluice::nats {
namespace {

TEST(NatsSubject, PatternCoveredBy_FollowsNatsWildcards) {
  EXPECT_TRUE(pattern_covered_by("orders.eu", "orders.eu"));
  EXPECT_TRUE(pattern_covered_by("orders.eu", "orders.*"));
  EXPECT_TRUE(pattern_covered_by("orders.*", "orders.>"));
  EXPECT_TRUE(pattern_covered_by("orders.*.x", "orders.>"));
  EXPECT_TRUE(pattern_covered_by("orders.>", "orders.>"));
  EXPECT_TRUE(pattern_covered_by("a", ">"));
  EXPECT_FALSE(pattern_covered_by("orders.>", "orders.*"));
  EXPECT_FALSE(pattern_covered_by("orders", "orders.>"));
  EXPECT_FALSE(pattern_covered_by("orders.*", "orders.eu"));
  EXPECT_FALSE(pattern_covered_by("orders.eu.x", "orders.*"));
  EXPECT_FALSE(pattern_covered_by(">", "orders.>"));
}

TEST(NatsSubject, ExpandNodeId_ReplacesEveryOccurrence) {
  EXPECT_EQ(expand_node_id("fs.api.${node_id}", "n1"), "fs.api.n1");
  EXPECT_EQ(expand_node_id("${node_id}.${node_id}", "x"), "x.x");
  EXPECT_EQ(expand_node_id("plain", "x"), "plain");
}

TEST(NatsSubject, SubjectProblem_RejectsMalformedSubjects) {
  EXPECT_FALSE(subject_problem("a.b.c", false));
  EXPECT_FALSE(subject_problem("a.*.>", true));
  EXPECT_TRUE(subject_problem("", true));
  EXPECT_TRUE(subject_problem("a..b", true));
  EXPECT_TRUE(subject_problem("a b", true));
  EXPECT_TRUE(subject_problem("a.>.b", true));
  EXPECT_TRUE(subject_problem("a.b*", true));
  EXPECT_TRUE(subject_problem("a.*", false));
}

TEST(NatsSubject, UrlProblem_AcceptsNatsUrlsOnly) {
  EXPECT_FALSE(url_problem("nats://127.0.0.1:4222"));
  EXPECT_FALSE(url_problem("tls://user:pass@nats.example.com:4443"));
  EXPECT_FALSE(url_problem("localhost:4222"));
  EXPECT_FALSE(url_problem("nats://demo.nats.io"));
  EXPECT_TRUE(url_problem("http://127.0.0.1:4222"));
  EXPECT_TRUE(url_problem("nats://127.0.0.1:99999"));
  EXPECT_TRUE(url_problem("nats://:4222"));
  EXPECT_TRUE(url_problem("nats://"));
}

TEST(NatsSubject, RedactUrl_HidesCredentials) {
  EXPECT_EQ(redact_url("nats://alice:secret@h:4222"), "nats://***@h:4222");
  EXPECT_EQ(redact_url("tok@h:4222"), "***@h:4222");
  EXPECT_EQ(redact_url("nats://h:4222"), "nats://h:4222");
  auto problem = url_problem("nats://alice:secret@h:x");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->find("secret"), std::string::npos) << *problem;
}

}  // namespace
}  // namespace sluice::nats
