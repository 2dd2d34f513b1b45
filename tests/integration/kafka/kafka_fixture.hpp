// What the Kafka tests need around the plugin: a private mock cluster (for
// tests that inject errors or take brokers down), a plain librdkafka client
// to produce, read back and look at committed offsets, unique topic names,
// and connector configs as JSON.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test::kafka {

// A mock Kafka cluster hosted in this test process (librdkafka's
// rdkafka_mock.h): real wire protocol, consumer groups, error injection.
class MockCluster {
 public:
  explicit MockCluster(int brokers = 3);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  const std::string& bootstraps() const { return bootstraps_; }
  int broker_count() const { return brokers_; }
  void create_topic(const std::string& topic, int partitions);
  void set_down(int broker_id);
  void set_up(int broker_id);
  void all_down();
  void all_up();
  // The next requests of `api_key` (RD_KAFKAP_* numbers, e.g. 0 = Produce)
  // fail with these errors, in order.
  void push_request_errors(int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors);

 private:
  int brokers_;
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
};

struct Record {
  Record() = default;
  Record(std::string p, std::optional<std::string> k = std::nullopt)
      : payload(std::move(p)), key(std::move(k)) {}
  std::string payload;
  std::optional<std::string> key;
  std::vector<std::pair<std::string, std::string>> headers;
  int32_t partition = RD_KAFKA_PARTITION_UA;
  int64_t timestamp_ms = 0;
};

struct Consumed {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string payload;
  std::optional<std::string> key;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timestamp_ms = 0;
  std::optional<std::string> header(const std::string& name) const;
};

// A plain librdkafka producer and reader for setting up and checking tests.
class KafkaClient {
 public:
  explicit KafkaClient(std::string brokers);
  ~KafkaClient();
  KafkaClient(const KafkaClient&) = delete;
  KafkaClient& operator=(const KafkaClient&) = delete;

  // Produces every record and waits for every delivery; throws on failure.
  void produce(const std::string& topic, const std::vector<Record>& records);
  // Reads `topic` from the beginning of every partition until `count`
  // messages came or `timeout` passed (returns what it has).
  std::vector<Consumed> read(const std::string& topic, size_t count,
                             std::chrono::milliseconds timeout);
  // Partitions of `topic` (0 if it does not exist).
  int partition_count(const std::string& topic);
  // Messages in `topic`: the sum of its partitions' high watermarks (the
  // tests' topics are never trimmed; see trimmed()).
  int64_t message_count(const std::string& topic);
  // Messages the cluster dropped from the front of `topic`: the sum of its
  // partitions' low watermarks. The mock cluster keeps at most 5 MB per
  // partition and drops its oldest batches beyond that; a test that wrote
  // more would count them as lost.
  int64_t trimmed(const std::string& topic);
  // Offsets `group` committed for each partition of `topic` (absent: none).
  std::map<int32_t, int64_t> committed(const std::string& group, const std::string& topic);

 private:
  // The sum of `topic`'s partitions' high (or low) watermarks.
  int64_t watermark_sum(const std::string& topic, bool high_marks);
  std::string brokers_;
  rd_kafka_t* producer_ = nullptr;
};

// "<prefix>-<pid>-<n>": a topic or group no other test run uses.
std::string unique_name(const std::string& prefix);

// The shared mock cluster of scripts/brokers.sh (SLUICE_TEST_KAFKA_BROKERS).
std::string shared_brokers();

// A Kafka connector config: brokers plus what fast tests want (short
// statistics interval, quick group session), then `extra` on top.
std::string connector_config(const std::string& brokers, const boost::json::object& extra);

}  // namespace sluice::test::kafka
