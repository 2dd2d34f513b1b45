// URL and header templates of the client: what they render per message and
// what they refuse.
#include "message_template.hpp"

#include <gtest/gtest.h>

namespace sluice::http_plugin {
namespace {

using Use = MessageTemplate::Use;

// A message for the templates, owning what its views point at.
struct TestMessage {
  TestMessage(std::string payload_text, std::string subject_text)
      : payload(std::move(payload_text)), subject(std::move(subject_text)) {
    out.payload = payload;
    out.subject = subject;
  }
  TestMessage(const TestMessage&) = delete;  // `out` points into this one
  MessageView view() {
    out.to_c(c, headers, attributes);
    return MessageView(&c);
  }
  std::string payload, subject;
  OutMessage out;
  sluice_message c{};
  std::vector<sluice_header> headers, attributes;
};

TestMessage with_payload(std::string payload) { return TestMessage(std::move(payload), "orders"); }

// The rendered text, or "error: <why>".
std::string render(std::string_view text, Use use, TestMessage&& message) {
  std::string error, out;
  auto t = MessageTemplate::compile(text, use, error);
  if (!t) return "compile error: " + error;
  MessageView view = message.view();
  PayloadDocument payload(view.payload());
  if (!t->render(view, payload, out, error)) return "error: " + error;
  return out;
}

TEST(MessageTemplate, RendersSubjectKeyAndHeaders) {
  TestMessage m("{}", "orders/7");
  m.out.key = "k1";
  m.out.headers = {{"tenant", "acme"}};
  EXPECT_EQ(render("http://svc/${subject}?k=${key}&t=${header.tenant}", Use::kUrl, std::move(m)),
            "http://svc/orders/7?k=k1&t=acme");
}

TEST(MessageTemplate, PutsPayloadFieldsIntoUrlsPercentEncoded) {
  std::string payload = R"({"data":{"id":"a/b c?d","n":7,"on":true,"x":12.5}})";
  EXPECT_EQ(render("http://svc/orders/${data.id}", Use::kUrl, with_payload(payload)),
            "http://svc/orders/a%2Fb%20c%3Fd");
  EXPECT_EQ(render("http://svc/${data.n}/${data.on}?x=${data.x}", Use::kUrl, with_payload(payload)),
            "http://svc/7/true?x=12.5");
  // `payload.` names the payload explicitly; [i] reads array items.
  EXPECT_EQ(render("http://svc/${payload.subject}/${items[1]}", Use::kUrl,
                   with_payload(R"({"subject":"s","items":["a","b"]})")),
            "http://svc/s/b");
}

TEST(MessageTemplate, PutsPayloadFieldsIntoHeadersAsText) {
  EXPECT_EQ(render("id=${data.id}; n=${data.n}", Use::kHeader,
                   with_payload(R"({"data":{"id":"a/b c","n":7}})")),
            "id=a/b c; n=7");
}

TEST(MessageTemplate, FailsAMessageWhosePayloadCannotFillTheTemplate) {
  EXPECT_EQ(render("http://svc/${data.id}", Use::kUrl, with_payload("not json"))
                .rfind("error: 'http://svc/${data.id}': the payload is not JSON", 0),
            0u);
  EXPECT_EQ(render("http://svc/${data.id}", Use::kUrl, with_payload(R"({"data":{}})")),
            "error: 'http://svc/${data.id}': the payload has no field 'data.id'");
  EXPECT_EQ(render("http://svc/${data}", Use::kUrl, with_payload(R"({"data":{"id":1}})")),
            "error: 'http://svc/${data}': payload field 'data' is an object, not a string, "
            "number or boolean");
  EXPECT_EQ(render("${id}", Use::kHeader, with_payload(R"({"id":"a\r\nX-Evil: 1"})")),
            "error: '${id}': payload field 'id' holds a line break, which a header cannot");
  // The same line break is harmless once percent-encoded in a URL.
  EXPECT_EQ(render("http://svc/${id}", Use::kUrl, with_payload(R"({"id":"a\nb"})")),
            "http://svc/a%0Ab");
}

TEST(MessageTemplate, ReadsThePayloadOnlyWhenAFieldNeedsIt) {
  std::string error, out;
  auto plain = MessageTemplate::compile("http://svc/${subject}", Use::kUrl, error);
  ASSERT_TRUE(plain) << error;
  EXPECT_FALSE(plain->reads_payload());
  auto m = with_payload("not json");
  MessageView view = m.view();
  PayloadDocument payload(view.payload());
  EXPECT_TRUE(plain->render(view, payload, out, error)) << error;
  EXPECT_EQ(out, "http://svc/orders");
  auto field = MessageTemplate::compile("${data.id}", Use::kHeader, error);
  ASSERT_TRUE(field) << error;
  EXPECT_TRUE(field->reads_payload());
}

TEST(MessageTemplate, ParsesThePayloadOncePerMessage) {
  PayloadDocument payload(R"({"a":1})");
  std::string error;
  const auto* first = payload.get(error);
  ASSERT_NE(first, nullptr) << error;
  EXPECT_EQ(payload.get(error), first);  // the same document, not a second parse
}

TEST(MessageTemplate, RefusesMalformedPlaceholdersAndHostOnlyFields) {
  std::string error;
  EXPECT_FALSE(MessageTemplate::compile("http://svc/${subject", Use::kUrl, error));
  EXPECT_NE(error.find("without '}'"), std::string::npos) << error;
  EXPECT_FALSE(MessageTemplate::compile("http://svc/${}", Use::kUrl, error));
  EXPECT_FALSE(MessageTemplate::compile("http://svc/${data..id}", Use::kUrl, error));
  EXPECT_NE(error.find("data..id"), std::string::npos) << error;
  EXPECT_FALSE(MessageTemplate::compile("http://svc/${node_id}", Use::kUrl, error));
  EXPECT_NE(error.find("route's `to` subject"), std::string::npos) << error;
}

}  // namespace
}  // namespace sluice::http_plugin
