// Running sluice against NATS in the integration tests (see fixture.hpp).
#include "fixture.hpp"

#include <gtest/gtest.h>

namespace sluice::test::nats {

std::string status_request(Client& client, const std::string& subject,
                           std::chrono::milliseconds timeout) {
  auto reply = client.request(subject, R"({"command":"status"})", timeout);
  return reply ? reply->payload : std::string();
}

}  // namespace sluice::test::nats
