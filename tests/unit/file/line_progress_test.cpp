// The file plugin's building blocks, tested directly: ack tracking into a
// checkpoint, the checkpoint file, and the README's settings table.
#include "line_progress.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "checkpoint.hpp"
#include "file_settings.hpp"
#include "support/sluice_test.hpp"

namespace sluice::file {
namespace {

// Hands ack ids from the reading thread to acking threads.
class BoundedIds {
 public:
  void push(uint64_t id) {
    {
      std::lock_guard lock(mutex_);
      ids_.push_back(id);
    }
    ready_.notify_one();
  }
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }
  std::optional<uint64_t> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !ids_.empty() || closed_; });
    if (ids_.empty()) return std::nullopt;
    uint64_t id = ids_.front();
    ids_.pop_front();
    return id;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<uint64_t> ids_;
  bool closed_ = false;
};

TEST(LineProgress, CheckpointFollowsContiguousAcksOnly) {
  FileIdentity id{1, 2};
  LineProgress progress;
  progress.begin({id, 100});
  uint64_t a = *progress.track({id, 110});
  uint64_t b = *progress.track({id, 120});
  uint64_t c = *progress.track({id, 130});
  EXPECT_EQ(progress.checkpoint().offset, 100u);
  EXPECT_FALSE(progress.complete(b));  // out of order: a is still open
  EXPECT_EQ(progress.checkpoint().offset, 100u);
  EXPECT_TRUE(progress.complete(a));
  EXPECT_EQ(progress.checkpoint().offset, 120u);
  EXPECT_EQ(progress.uncommitted(), 1u);
  EXPECT_TRUE(progress.complete(c));
  EXPECT_EQ(progress.checkpoint(), (FilePosition{id, 130}));
  EXPECT_EQ(progress.uncommitted(), 0u);
}

TEST(LineProgress, NackedLineHoldsTheCheckpointBack) {
  FileIdentity id{1, 2};
  LineProgress progress;
  progress.begin({id, 0});
  uint64_t a = *progress.track({id, 10});
  uint64_t nacked = *progress.track({id, 20});
  uint64_t c = *progress.track({id, 30});
  progress.complete(a);
  progress.complete(c);
  (void)nacked;  // a NACK is never completed
  EXPECT_EQ(progress.checkpoint().offset, 10u);
  EXPECT_EQ(progress.uncommitted(), 2u);
}

TEST(LineProgress, CheckpointFollowsARotationToTheNewFile) {
  FileIdentity old_file{1, 2}, new_file{1, 3};
  LineProgress progress;
  progress.begin({old_file, 0});
  uint64_t a = *progress.track({old_file, 10});
  uint64_t b = *progress.track({new_file, 5});
  progress.complete(b);
  EXPECT_EQ(progress.checkpoint(), (FilePosition{old_file, 0}));
  progress.complete(a);
  EXPECT_EQ(progress.checkpoint(), (FilePosition{new_file, 5}));
}

TEST(LineProgress, RefusesLinesBeyondItsCapacityUntilAcksFreeRoom) {
  FileIdentity id{1, 2};
  LineProgress progress(3);
  progress.begin({id, 0});
  uint64_t a = *progress.track({id, 10});
  ASSERT_TRUE(progress.track({id, 20}));
  ASSERT_TRUE(progress.track({id, 30}));
  EXPECT_FALSE(progress.track({id, 40}));  // full: the reader must wait
  EXPECT_FALSE(progress.complete(a + 7));  // never tracked
  EXPECT_TRUE(progress.complete(a));
  EXPECT_FALSE(progress.complete(a));  // a repeated ack changes nothing
  EXPECT_EQ(progress.uncommitted(), 2u);
  ASSERT_TRUE(progress.track({id, 40}));
  EXPECT_EQ(progress.checkpoint().offset, 10u);
}

TEST(LineProgress, GrowsPastItsFirstRingAndKeepsEveryLine) {
  FileIdentity id{1, 2};
  LineProgress progress(100000);
  progress.begin({id, 0});
  constexpr uint64_t kLines = 5000;  // several doublings of the first ring
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < kLines; ++i) ids.push_back(*progress.track({id, (i + 1) * 10}));
  EXPECT_EQ(progress.uncommitted(), kLines);
  // Acks in reverse: nothing commits until the first line is done.
  for (uint64_t i = kLines - 1; i > 0; --i) EXPECT_FALSE(progress.complete(ids[i]));
  EXPECT_EQ(progress.checkpoint().offset, 0u);
  EXPECT_TRUE(progress.complete(ids[0]));
  EXPECT_EQ(progress.checkpoint().offset, kLines * 10);
  EXPECT_EQ(progress.uncommitted(), 0u);
}

// The reader tracks while other threads ack in any order: the checkpoint
// ends at the last line, and never passes a line that was not acked. With
// a large limit the ring grows while the acks come in.
class LineProgressConcurrent : public ::testing::TestWithParam<size_t> {};
INSTANTIATE_TEST_SUITE_P(Limits, LineProgressConcurrent, ::testing::Values(1000, 100000));

TEST_P(LineProgressConcurrent, AcksFromSeveralThreadsReachTheLastLine) {
  FileIdentity id{1, 2};
  constexpr uint64_t kLines = 200000;
  LineProgress progress(GetParam());
  progress.begin({id, 0});
  BoundedIds queue;
  std::vector<std::thread> ackers;
  for (int t = 0; t < 3; ++t)
    ackers.emplace_back([&] {
      while (auto n = queue.pop()) {
        progress.complete(*n);
        // The checkpoint only ever names a line end (a multiple of 10).
        EXPECT_EQ(progress.checkpoint().offset % 10, 0u);
      }
    });
  for (uint64_t i = 0; i < kLines;) {
    if (auto n = progress.track({id, (i + 1) * 10})) {
      queue.push(*n);
      ++i;
    } else {
      std::this_thread::yield();  // full: acks make room
    }
  }
  queue.close();
  for (auto& t : ackers) t.join();
  EXPECT_EQ(progress.uncommitted(), 0u);
  EXPECT_EQ(progress.checkpoint().offset, kLines * 10);
}

TEST(CheckpointStore, SavesAtomicallyAndLoads) {
  test::TempDir dir;
  CheckpointStore store(dir.file("sub/dir/in.checkpoint"));
  EXPECT_FALSE(store.load().has_value());
  FilePosition p{{7, 42}, 12345};
  EXPECT_EQ(store.save(p, "/var/log/x"), "");
  EXPECT_EQ(store.load(), p);
  EXPECT_FALSE(std::filesystem::exists(dir.file("sub/dir/in.checkpoint.tmp")));
  auto json = boost::json::parse(test::read_file(dir.file("sub/dir/in.checkpoint")));
  EXPECT_EQ(json.at("path").as_string(), "/var/log/x");
}

TEST(CheckpointStore, DamagedCheckpointIsAnErrorNotAFreshStart) {
  test::TempDir dir;
  test::write_file(dir.file("in.checkpoint"), "{\"offset\": ");
  CheckpointStore store(dir.file("in.checkpoint"));
  try {
    store.load();
    FAIL() << "a damaged checkpoint must not load";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
  }
}

TEST(FileReadme, ContainsTheGeneratedSettingsTable) {
  std::string readme = test::read_file(test::source_dir() + "/plugins/file/README.md");
  EXPECT_NE(readme.find(file_settings().markdown_table()), std::string::npos)
      << "regenerate the table in plugins/file/README.md:\n"
      << file_settings().markdown_table();
}

}  // namespace
}  // namespace sluice::file
