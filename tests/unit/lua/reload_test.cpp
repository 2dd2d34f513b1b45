// Hot reload: a new script is swapped in between messages; a broken one is
// refused and the running one keeps working.
#include <thread>

#include "lua_fixture.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

std::string tagger(const std::string& tag) {
  return "sluice.on('src', function(msg) sluice.publish('out', '" + tag +
         ":' .. msg.payload) end)\n";
}

TEST_F(LuaTest, Reload_SwapsInTheNewScript) {
  auto& rt = start(tagger("v1"));
  ASSERT_EQ(src().emit("a", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
  script(tagger("v2"));
  auto result = rt.reload();
  EXPECT_TRUE(result.ok) << result.message;
  ASSERT_EQ(src().emit("b", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 2; }, 5s));
  EXPECT_EQ(out().recorded()[0].payload, "v1:a");
  EXPECT_EQ(out().recorded()[1].payload, "v2:b");
}

TEST_F(LuaTest, Reload_KeepsTheOldScriptWhenTheNewOneFails) {
  auto& rt = start(tagger("v1"));
  script("sluice.on('src', function(msg)\n  oops(\nend)\n");
  auto result = rt.reload();
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("routes.lua:"), std::string::npos) << result.message;
  script("error('refusing to load')\n");
  EXPECT_FALSE(rt.reload().ok);
  ASSERT_EQ(src().emit("a", "k"), Status::kOk);
  ASSERT_TRUE(wait_until([&] { return out().recorded().size() == 1; }, 5s));
  EXPECT_EQ(out().recorded()[0].payload, "v1:a");
}

TEST_F(LuaTest, Reload_UnderLoadLosesNoMessage) {
  auto& rt = start(tagger("v1"));
  constexpr int kMessages = 2000;
  std::thread producer([&] {
    for (int i = 0; i < kMessages; ++i)
      ASSERT_EQ(src().emit(std::to_string(i), "k" + std::to_string(i % 7)), Status::kOk);
  });
  for (int i = 0; i < 5; ++i) {
    script(tagger("v" + std::to_string(i + 2)));
    EXPECT_TRUE(rt.reload().ok);
    std::this_thread::sleep_for(5ms);
  }
  producer.join();
  ASSERT_TRUE(wait_until([&] { return src().acked() == kMessages; }, 20s));
  EXPECT_EQ(out().recorded().size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(src().nacked(), 0u);
}

}  // namespace
}  // namespace sluice::test
