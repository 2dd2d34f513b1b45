// The test support library's TempDir, file helpers, waits and environment getters.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>

#include "gtest/gtest.h"
#include "support/sluice_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

TEST(TempDir, IsRemovedWithItsContentOnDestruction) {
  std::filesystem::path path;
  {
    TempDir dir;
    path = dir.path();
    write_file(dir.path() / "nested" / "file.txt", "x");
    ASSERT_TRUE(std::filesystem::exists(path / "nested" / "file.txt"));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(TempDir, IsKeptWhenSluiceKeepTempIsSet) {
  std::filesystem::path path;
  ::setenv("SLUICE_KEEP_TEMP", "1", 1);
  {
    TempDir dir;
    path = dir.path();
  }
  ::unsetenv("SLUICE_KEEP_TEMP");
  EXPECT_TRUE(std::filesystem::exists(path));
  std::filesystem::remove_all(path);
}

TEST(TempDir, GivesEachInstanceItsOwnDirectory) {
  TempDir a, b;
  EXPECT_NE(a.path(), b.path());
  EXPECT_EQ(a.file("x.yaml"), (a.path() / "x.yaml").string());
}

TEST(Files, WriteAppendReadRoundTrip) {
  TempDir dir;
  auto path = dir.path() / "f.txt";
  write_file(path, "one\ntwo\n");
  append_file(path, "three");
  EXPECT_EQ(read_file(path), "one\ntwo\nthree");
  EXPECT_EQ(read_lines(path), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(count_lines(path), 2u);  // "three" has no newline yet
}

TEST(Files, ReadingAMissingFileThrowsButCountingGivesZero) {
  TempDir dir;
  EXPECT_THROW(read_file(dir.path() / "missing"), std::runtime_error);
  EXPECT_EQ(count_lines(dir.path() / "missing"), 0u);
}

TEST(WaitUntil, ReturnsTrueAsSoonAsThePredicateHolds) {
  int calls = 0;
  EXPECT_TRUE(wait_until([&] { return ++calls == 3; }, 5s, 1ms));
  EXPECT_EQ(calls, 3);
}

TEST(WaitUntil, ReturnsFalseAfterTheTimeout) {
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(wait_until([] { return false; }, 100ms));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
}

TEST(Net, FreePortIsClosedUntilSomeoneListens) {
  std::uint16_t port = free_tcp_port();
  EXPECT_GT(port, 0);
  EXPECT_FALSE(tcp_port_open("127.0.0.1", port));
}

TEST(Net, AFreePortIsClaimedSoNoOtherTestProcessIsHandedIt) {
  std::uint16_t port = free_tcp_port();
  const char* tmp = std::getenv("TMPDIR");
  std::string path =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/sluice-test-ports/" + std::to_string(port);
  // Another process would open the port's lock file and fail to lock it
  // (so does another open file here: flock locks belong to open files).
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path;
  EXPECT_NE(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ::close(fd);
  EXPECT_NE(free_tcp_port(), port);
}

TEST(Net, SplitsAddressesAndUrls) {
  EXPECT_EQ(split_host_port("127.0.0.1:6379").port, 6379);
  EXPECT_EQ(split_host_port("nats://127.0.0.1:14222").host, "127.0.0.1");
  auto amqp = split_host_port("amqp://guest:guest@127.0.0.1:15673/");
  EXPECT_EQ(amqp.host, "127.0.0.1");
  EXPECT_EQ(amqp.port, 15673);
  EXPECT_EQ(split_host_port("127.0.0.1:1,127.0.0.1:2").port, 1);
  EXPECT_THROW(split_host_port("localhost"), std::invalid_argument);
}

TEST(Environment, MissingBrokerVariableNamesTheFix) {
  const std::string saved = env_or_empty("SLUICE_TEST_REDIS_ADDR");
  ::unsetenv("SLUICE_TEST_REDIS_ADDR");
  try {
    redis_addr();
    ADD_FAILURE() << "redis_addr() did not throw";
  } catch (const MissingEnvironment& e) {
    EXPECT_NE(std::string(e.what()).find("scripts/brokers.sh start"), std::string::npos);
  }
  if (!saved.empty()) ::setenv("SLUICE_TEST_REDIS_ADDR", saved.c_str(), 1);
}

TEST(Environment, BuildPathsAreKnown) {
  EXPECT_FALSE(sluice_bin().empty());
  EXPECT_TRUE(std::filesystem::exists(source_dir() + "/CMakeLists.txt"));
  EXPECT_NE(sluice_env().at("SLUICE_PLUGIN_PATH").find(plugin_dir()), std::string::npos);
}

}  // namespace
}  // namespace sluice::test
