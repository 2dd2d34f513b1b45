// URL and header templates of the client: what they render per message and
// what they refuse.
#include "message_template.hpp"

#include <gtest/gtest.h>

namespace sluice::http_plugin {
namespace {

TEST(MessageTemplate, RendersSubjectKeyAndHeaders) {
  std::string error;
  auto t = MessageTemplate::compile("http://svc/${subject}?k=${key}&t=${header.tenant}", error);
  ASSERT_TRUE(t) << error;
  OutMessage out;
  out.payload = "{}";
  out.subject = "orders/7";
  out.key = "k1";
  out.headers = {{"tenant", "acme"}};
  sluice_message m;
  std::vector<sluice_header> h, a;
  out.to_c(m, h, a);
  EXPECT_EQ(t->render(MessageView(&m)), "http://svc/orders/7?k=k1&t=acme");
}

TEST(MessageTemplate, RefusesPayloadFieldsWithAHint) {
  std::string error;
  EXPECT_FALSE(MessageTemplate::compile("http://svc/${data.id}", error));
  EXPECT_NE(error.find("route's `to` subject"), std::string::npos) << error;
  EXPECT_FALSE(MessageTemplate::compile("http://svc/${subject", error));
}

}  // namespace
}  // namespace sluice::http_plugin
