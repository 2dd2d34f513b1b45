// `sluice check` on NATS connectors: every settings mistake is reported with
// a message that says what to fix, and nothing connects anywhere.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace sluice::test::nats {
namespace {

// Runs `sluice check` on a config with one NATS connector whose settings
// are `settings` (YAML lines, indented by four spaces). Returns the exit
// status; the output goes to *output.
int check_connector(const std::string& settings, std::string* output) {
  TempDir dir;
  std::string path = dir.file("sluice.yaml");
  write_file(path,
             config_header("node-check") + "connectors:\n  bus:\n    plugin: nats\n" + settings);
  return run_sluice({"check", "-c", path}, output);
}

TEST(NatsCheck, ValidSettings_Pass) {
  TempDir dir;
  write_file(dir.file("user.creds"), "creds");
  std::string output;
  EXPECT_EQ(check_connector("    url: [nats://127.0.0.1:4222, \"tls://nats.example.com:4443\"]\n"
                            "    creds_file: " +
                                dir.file("user.creds") +
                                "\n"
                                "    queue_group: workers\n"
                                "    subjects: [\"orders.>\", \"cmd.${node_id}\"]\n"
                                "    jetstream: {stream: ORDERS, deliver: push, batch: 10}\n",
                            &output),
            0)
      << output;
}

TEST(NatsCheck, UnknownSetting_NamedWithSuggestion) {
  std::string output;
  EXPECT_NE(check_connector("    urll: nats://127.0.0.1:4222\n", &output), 0);
  EXPECT_NE(output.find("unknown setting 'urll'; did you mean 'url'?"), std::string::npos)
      << output;
  EXPECT_NE(output.find("bus"), std::string::npos) << output;
}

TEST(NatsCheck, BadUrl_SaysWhatIsWrong) {
  std::string output;
  EXPECT_NE(check_connector("    url: nats://127.0.0.1:notaport\n", &output), 0);
  EXPECT_NE(output.find("port 'notaport' must be a number"), std::string::npos) << output;
  EXPECT_NE(check_connector("    url: http://127.0.0.1:4222\n", &output), 0);
  EXPECT_NE(output.find("scheme must be nats:// or tls://"), std::string::npos) << output;
}

TEST(NatsCheck, MissingCredsFile_Named) {
  std::string output;
  EXPECT_NE(check_connector("    creds_file: /nonexistent/user.creds\n", &output), 0);
  EXPECT_NE(output.find("'creds_file': file '/nonexistent/user.creds' does not exist"),
            std::string::npos)
      << output;
}

TEST(NatsCheck, TlsAndAuthMistakes_AllReportedAtOnce) {
  std::string output;
  EXPECT_NE(check_connector("    tls_cert: /nonexistent/cert.pem\n"
                            "    token: secret\n"
                            "    user: alice\n",
                            &output),
            0);
  EXPECT_NE(output.find("'tls_cert': file '/nonexistent/cert.pem' does not exist"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("'tls_cert' and 'tls_key' go together"), std::string::npos) << output;
  EXPECT_NE(output.find("use one of"), std::string::npos) << output;
  EXPECT_EQ(output.find("secret"), std::string::npos) << "a secret was echoed: " << output;
}

TEST(NatsCheck, BadChoice_ListsTheAllowedValues) {
  std::string output;
  EXPECT_NE(check_connector("    publish_confirm: sometimes\n    token: hunter2\n", &output), 0);
  EXPECT_NE(output.find("'publish_confirm' is 'sometimes', expected one of: flush, none"),
            std::string::npos)
      << output;
  EXPECT_EQ(output.find("hunter2"), std::string::npos) << output;
}

TEST(NatsCheck, JetStreamMistakes_NamedWithTheirPath) {
  std::string output;
  EXPECT_NE(check_connector("    jetstream: {strem: ORDERS, deliver: sideways}\n", &output), 0);
  EXPECT_NE(output.find("jetstream: unknown setting 'strem'; did you mean 'stream'?"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("jetstream: missing required setting 'stream'"), std::string::npos)
      << output;
  EXPECT_NE(output.find("expected one of: pull, push"), std::string::npos) << output;
}

TEST(NatsCheck, BadSubjects_Rejected) {
  std::string output;
  EXPECT_NE(check_connector("    subjects: [\"orders..eu\", \"a.>.b\"]\n"
                            "    default_subject: \"out.*\"\n",
                            &output),
            0);
  EXPECT_NE(output.find("empty token"), std::string::npos) << output;
  EXPECT_NE(output.find("'>' may only be the last token"), std::string::npos) << output;
  EXPECT_NE(output.find("must not contain wildcards"), std::string::npos) << output;
}

}  // namespace
}  // namespace sluice::test::nats
