// The texts a refusing broker's codes become: the SUBACK failure names the
// code in decimal and hex, as the MQTT 5 and 3.1.1 specifications write it.
#include <gtest/gtest.h>

#include "mqtt_link.hpp"

namespace sluice::mqtt {
namespace {

TEST(MqttReason, V5SubackFailureNamesTheReasonCodeInDecimalAndHex) {
  EXPECT_EQ(suback_text(0x87, true), "Not authorized (135, 0x87)");
  EXPECT_EQ(suback_text(0x8F, true), "Topic filter invalid (143, 0x8F)");
}

TEST(MqttReason, V311SubackFailureIsTheOneFailureCode) {
  // 3.1.1 has no reason codes: 0x80 is "Failure", not v5's "Unspecified error".
  EXPECT_EQ(suback_text(0x80, false), "Failure (128, 0x80)");
}

}  // namespace
}  // namespace sluice::mqtt
