#include "kafka_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "support/sluice_test.hpp"

namespace sluice::test::kafka {
namespace {

rd_kafka_conf_t* base_conf(const std::string& brokers) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof errstr) !=
      RD_KAFKA_CONF_OK)
    throw std::runtime_error(errstr);
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  return conf;
}

void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name, value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
    throw std::runtime_error(std::string(name) + ": " + errstr);
}

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* failures = static_cast<std::atomic<int>*>(m->_private);
  if (m->err) ++*failures;
}

}  // namespace

MockCluster::MockCluster(int brokers) : brokers_(brokers) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "2", errstr, sizeof errstr);
  owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!owner_) throw std::runtime_error(std::string("mock cluster owner: ") + errstr);
  cluster_ = rd_kafka_mock_cluster_new(owner_, brokers);
  if (!cluster_) throw std::runtime_error("cannot create a mock Kafka cluster");
  bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(owner_);
}

void MockCluster::create_topic(const std::string& topic, int partitions) {
  auto err =
      rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, brokers_ < 3 ? brokers_ : 3);
  if (err) throw std::runtime_error("mock topic " + topic + ": " + rd_kafka_err2str(err));
}

void MockCluster::set_down(int broker_id) { rd_kafka_mock_broker_set_down(cluster_, broker_id); }
void MockCluster::set_up(int broker_id) { rd_kafka_mock_broker_set_up(cluster_, broker_id); }
void MockCluster::all_down() {
  for (int id = 1; id <= brokers_; ++id) set_down(id);
}
void MockCluster::all_up() {
  for (int id = 1; id <= brokers_; ++id) set_up(id);
}

void MockCluster::push_request_errors(int16_t api_key,
                                      const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, errors.size(), errors.data());
}

std::optional<std::string> Consumed::header(const std::string& name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return std::nullopt;
}

KafkaClient::KafkaClient(std::string brokers) : brokers_(std::move(brokers)) {
  rd_kafka_conf_t* conf = base_conf(brokers_);
  set(conf, "linger.ms", "5");
  rd_kafka_conf_set_dr_msg_cb(conf, &on_delivery);
  char errstr[512];
  producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!producer_) throw std::runtime_error(std::string("test producer: ") + errstr);
}

KafkaClient::~KafkaClient() {
  rd_kafka_flush(producer_, 5000);
  rd_kafka_destroy(producer_);
}

void KafkaClient::produce(const std::string& topic, const std::vector<Record>& records) {
  std::atomic<int> failures{0};
  for (const auto& r : records) {
    rd_kafka_headers_t* headers = nullptr;
    if (!r.headers.empty()) {
      headers = rd_kafka_headers_new(r.headers.size());
      for (const auto& [n, v] : r.headers)
        rd_kafka_header_add(headers, n.data(), static_cast<ssize_t>(n.size()), v.data(),
                            static_cast<ssize_t>(v.size()));
    }
    const void* key = r.key ? r.key->data() : nullptr;
    const size_t key_len = r.key ? r.key->size() : 0;
    rd_kafka_resp_err_t err;
    for (int attempt = 0;; ++attempt) {
      err = rd_kafka_producev(
          producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(r.partition),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(const_cast<char*>(r.payload.data()), r.payload.size()),
          RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_HEADERS(headers),
          RD_KAFKA_V_TIMESTAMP(r.timestamp_ms), RD_KAFKA_V_OPAQUE(&failures), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || attempt > 1000) break;
      rd_kafka_poll(producer_, 10);
    }
    if (err) {
      if (headers) rd_kafka_headers_destroy(headers);
      throw std::runtime_error("produce to " + topic + ": " + rd_kafka_err2str(err));
    }
    rd_kafka_poll(producer_, 0);
  }
  if (rd_kafka_flush(producer_, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("produce to " + topic + ": not all delivered in 30 s");
  if (failures) throw std::runtime_error("produce to " + topic + ": delivery failures");
}

int KafkaClient::partition_count(const std::string& topic) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer_, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  int count = 0;
  if (rd_kafka_metadata(producer_, 0, rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (md->topic_cnt == 1 && !md->topics[0].err) count = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(rkt);
  return count;
}

int64_t KafkaClient::watermark_sum(const std::string& topic, bool high_marks) {
  int64_t total = 0;
  int partitions = partition_count(topic);
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(producer_, topic.c_str(), p, &low, &high, 5000) ==
        RD_KAFKA_RESP_ERR_NO_ERROR)
      total += high_marks ? high : low;
  }
  return total;
}

int64_t KafkaClient::message_count(const std::string& topic) { return watermark_sum(topic, true); }

int64_t KafkaClient::trimmed(const std::string& topic) { return watermark_sum(topic, false); }

std::vector<Consumed> KafkaClient::read(const std::string& topic, size_t count,
                                        std::chrono::milliseconds timeout) {
  std::vector<Consumed> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int partitions = 0;
  while ((partitions = partition_count(topic)) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (partitions == 0) return out;

  rd_kafka_conf_t* conf = base_conf(brokers_);
  set(conf, "group.id", unique_name("reader"));
  set(conf, "enable.auto.commit", "false");
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!rk) throw std::runtime_error(std::string("test reader: ") + errstr);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) {
      Consumed c;
      c.topic = rd_kafka_topic_name(m->rkt);
      c.partition = m->partition;
      c.offset = m->offset;
      if (m->payload) c.payload.assign(static_cast<const char*>(m->payload), m->len);
      if (m->key) c.key = std::string(static_cast<const char*>(m->key), m->key_len);
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); ++i)
          c.headers.emplace_back(
              name, value ? std::string(static_cast<const char*>(value), size) : std::string());
      }
      rd_kafka_timestamp_type_t type;
      c.timestamp_ms = rd_kafka_message_timestamp(m, &type);
      out.push_back(std::move(c));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

std::map<int32_t, int64_t> KafkaClient::committed(const std::string& group,
                                                  const std::string& topic) {
  std::map<int32_t, int64_t> out;
  int partitions = partition_count(topic);
  rd_kafka_conf_t* conf = base_conf(brokers_);
  set(conf, "group.id", group);
  set(conf, "enable.auto.commit", "false");
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!rk) throw std::runtime_error(std::string("offset reader: ") + errstr);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  if (rd_kafka_committed(rk, list, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i)
      if (list->elems[i].offset >= 0) out[list->elems[i].partition] = list->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  return out;
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
}

std::string shared_brokers() { return kafka_brokers(); }

std::string connector_config(const std::string& brokers, const boost::json::object& extra) {
  boost::json::object c{
      {"brokers", brokers},
      {"statistics_interval_ms", 200},
      {"commit_interval_ms", 100},
      {"redelivery_delay_ms", 100},
      {"revoke_timeout_ms", 1000},
      {"properties", boost::json::object{{"session.timeout.ms", 6000},
                                         {"heartbeat.interval.ms", 500},
                                         {"topic.metadata.refresh.interval.ms", 1000}}},
  };
  for (const auto& [k, v] : extra) {
    if (k == "properties" && v.is_object()) {
      for (const auto& [pk, pv] : v.get_object()) c["properties"].as_object()[pk] = pv;
    } else {
      c[k] = v;
    }
  }
  return boost::json::serialize(c);
}

}  // namespace sluice::test::kafka
