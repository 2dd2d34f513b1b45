// The plugin ABI pinned down: every struct's size and field offsets, every
// function pointer's type and every enum value of plugin.h, as ABI 1.2
// defines them on LP64 (x86-64, arm64). Plugins compiled against an older
// header must keep working, so a change that moves, resizes or retypes
// anything here breaks them.
//
// When this test fails:
// - appending a field at the end of a struct (struct_size tells readers it
//   is there) or a new enum value is a minor change: bump SLUICE_ABI_MINOR,
//   and add the field's line to this file under the new minor;
// - anything else (reordering, retyping, removing, renumbering) breaks
//   every compiled plugin: it needs SLUICE_ABI_MAJOR + 1, not an edit here.
#include <gtest/gtest.h>
#include <sluice/plugin.h>

#include <cstddef>
#include <type_traits>

namespace {

static_assert(sizeof(void*) == 8 && sizeof(size_t) == 8, "the pinned layout is LP64's");

#define EXPECT_FIELD(type, field, offset) \
  EXPECT_EQ(offsetof(type, field), static_cast<size_t>(offset)) << #type "." #field
#define EXPECT_SIGNATURE(type, field, ...) \
  static_assert(std::is_same_v<decltype(type::field), __VA_ARGS__>, #type "." #field)

TEST(AbiLayout, VersionIsTheOnePinnedHere) {
  EXPECT_EQ(SLUICE_ABI_MAJOR, 1);
  EXPECT_EQ(SLUICE_ABI_MINOR, 2);
  EXPECT_STREQ(SLUICE_PLUGIN_ENTRY_SYMBOL, "sluice_plugin_entry");
}

TEST(AbiLayout, PlainValues) {
  EXPECT_EQ(sizeof(sluice_bytes), 16u);
  EXPECT_FIELD(sluice_bytes, data, 0);
  EXPECT_FIELD(sluice_bytes, len, 8);

  EXPECT_EQ(sizeof(sluice_header), 32u);
  EXPECT_FIELD(sluice_header, name, 0);
  EXPECT_FIELD(sluice_header, value, 16);

  EXPECT_EQ(sizeof(sluice_message), 112u);
  EXPECT_FIELD(sluice_message, struct_size, 0);
  EXPECT_FIELD(sluice_message, payload, 8);
  EXPECT_FIELD(sluice_message, key, 24);
  EXPECT_FIELD(sluice_message, subject, 40);
  EXPECT_FIELD(sluice_message, headers, 56);
  EXPECT_FIELD(sluice_message, header_count, 64);
  EXPECT_FIELD(sluice_message, timestamp_ms, 72);
  EXPECT_FIELD(sluice_message, reply_to, 80);
  EXPECT_FIELD(sluice_message, attributes, 96);
  EXPECT_FIELD(sluice_message, attribute_count, 104);

  EXPECT_EQ(sizeof(sluice_error), 24u);
  EXPECT_FIELD(sluice_error, struct_size, 0);
  EXPECT_FIELD(sluice_error, message, 8);
  EXPECT_FIELD(sluice_error, capacity, 16);

  EXPECT_EQ(sizeof(sluice_health), 32u);
  EXPECT_FIELD(sluice_health, struct_size, 0);
  EXPECT_FIELD(sluice_health, healthy, 8);
  EXPECT_FIELD(sluice_health, message, 16);
  EXPECT_FIELD(sluice_health, capacity, 24);
}

TEST(AbiLayout, HostApi) {
  EXPECT_EQ(sizeof(sluice_host_api), 128u);
  EXPECT_FIELD(sluice_host_api, struct_size, 0);
  EXPECT_FIELD(sluice_host_api, abi_major, 8);
  EXPECT_FIELD(sluice_host_api, abi_minor, 12);
  EXPECT_FIELD(sluice_host_api, emit, 16);
  EXPECT_FIELD(sluice_host_api, complete, 24);
  EXPECT_FIELD(sluice_host_api, log, 32);
  EXPECT_FIELD(sluice_host_api, log_enabled, 40);
  EXPECT_FIELD(sluice_host_api, metric, 48);
  EXPECT_FIELD(sluice_host_api, metric_add, 56);
  EXPECT_FIELD(sluice_host_api, metric_set, 64);
  EXPECT_FIELD(sluice_host_api, timer_start, 72);
  EXPECT_FIELD(sluice_host_api, timer_cancel, 80);
  EXPECT_FIELD(sluice_host_api, node_id, 88);
  EXPECT_FIELD(sluice_host_api, connector_name, 96);
  EXPECT_FIELD(sluice_host_api, state_dir, 104);
  EXPECT_FIELD(sluice_host_api, source_finished, 112);
  // ABI 1.2
  EXPECT_FIELD(sluice_host_api, emit_batch, 120);

  EXPECT_SIGNATURE(sluice_host_api, emit,
                   sluice_status(*)(sluice_host*, const sluice_message*, uint64_t, uint32_t));
  EXPECT_SIGNATURE(sluice_host_api, complete,
                   void (*)(sluice_completion*, sluice_status, const char*, const sluice_message*));
  EXPECT_SIGNATURE(sluice_host_api, log, void (*)(sluice_host*, sluice_log_level, const char*));
  EXPECT_SIGNATURE(sluice_host_api, log_enabled, int (*)(sluice_host*, sluice_log_level));
  EXPECT_SIGNATURE(sluice_host_api, metric,
                   sluice_metric * (*)(sluice_host*, sluice_metric_kind, const char*, const char*));
  EXPECT_SIGNATURE(sluice_host_api, metric_add, void (*)(sluice_metric*, double));
  EXPECT_SIGNATURE(sluice_host_api, metric_set, void (*)(sluice_metric*, double));
  EXPECT_SIGNATURE(sluice_host_api, timer_start,
                   uint64_t(*)(sluice_host*, uint32_t, uint32_t, sluice_timer_fn, void*));
  EXPECT_SIGNATURE(sluice_host_api, timer_cancel, void (*)(sluice_host*, uint64_t));
  EXPECT_SIGNATURE(sluice_host_api, node_id, const char* (*)(sluice_host*));
  EXPECT_SIGNATURE(sluice_host_api, connector_name, const char* (*)(sluice_host*));
  EXPECT_SIGNATURE(sluice_host_api, state_dir, const char* (*)(sluice_host*));
  EXPECT_SIGNATURE(sluice_host_api, source_finished, void (*)(sluice_host*));
  EXPECT_SIGNATURE(sluice_host_api, emit_batch,
                   sluice_status(*)(sluice_host*, const sluice_message*, const uint64_t*, size_t,
                                    uint32_t, size_t*));
  static_assert(std::is_same_v<sluice_timer_fn, void (*)(void*)>);
}

TEST(AbiLayout, PluginVtable) {
  EXPECT_EQ(sizeof(sluice_plugin_vtable), 112u);
  EXPECT_FIELD(sluice_plugin_vtable, struct_size, 0);
  EXPECT_FIELD(sluice_plugin_vtable, validate, 8);
  EXPECT_FIELD(sluice_plugin_vtable, create, 16);
  EXPECT_FIELD(sluice_plugin_vtable, subscribe, 24);
  EXPECT_FIELD(sluice_plugin_vtable, start, 32);
  EXPECT_FIELD(sluice_plugin_vtable, stop, 40);
  EXPECT_FIELD(sluice_plugin_vtable, publish, 48);
  EXPECT_FIELD(sluice_plugin_vtable, request, 56);
  EXPECT_FIELD(sluice_plugin_vtable, reply, 64);
  EXPECT_FIELD(sluice_plugin_vtable, ack, 72);
  EXPECT_FIELD(sluice_plugin_vtable, flush, 80);
  EXPECT_FIELD(sluice_plugin_vtable, health, 88);
  EXPECT_FIELD(sluice_plugin_vtable, destroy, 96);
  // ABI 1.2
  EXPECT_FIELD(sluice_plugin_vtable, ack_batch, 104);

  EXPECT_SIGNATURE(sluice_plugin_vtable, validate, sluice_status(*)(const char*, sluice_error*));
  EXPECT_SIGNATURE(
      sluice_plugin_vtable, create,
      sluice_instance * (*)(const sluice_host_api*, sluice_host*, const char*, sluice_error*));
  EXPECT_SIGNATURE(sluice_plugin_vtable, subscribe,
                   sluice_status(*)(sluice_instance*, const char*, sluice_error*));
  EXPECT_SIGNATURE(sluice_plugin_vtable, start, sluice_status(*)(sluice_instance*, sluice_error*));
  EXPECT_SIGNATURE(sluice_plugin_vtable, stop, void (*)(sluice_instance*));
  EXPECT_SIGNATURE(
      sluice_plugin_vtable, publish,
      sluice_status(*)(sluice_instance*, const sluice_message*, sluice_completion*, sluice_error*));
  EXPECT_SIGNATURE(sluice_plugin_vtable, request,
                   sluice_status(*)(sluice_instance*, const sluice_message*, uint32_t,
                                    sluice_completion*, sluice_error*));
  EXPECT_SIGNATURE(sluice_plugin_vtable, reply,
                   sluice_status(*)(sluice_instance*, sluice_bytes, const sluice_message*,
                                    sluice_completion*, sluice_error*));
  EXPECT_SIGNATURE(sluice_plugin_vtable, ack, void (*)(sluice_instance*, uint64_t, sluice_outcome));
  EXPECT_SIGNATURE(sluice_plugin_vtable, flush, sluice_status(*)(sluice_instance*, uint32_t));
  EXPECT_SIGNATURE(sluice_plugin_vtable, health, void (*)(sluice_instance*, sluice_health*));
  EXPECT_SIGNATURE(sluice_plugin_vtable, destroy, void (*)(sluice_instance*));
  EXPECT_SIGNATURE(sluice_plugin_vtable, ack_batch,
                   void (*)(sluice_instance*, const uint64_t*, const sluice_outcome*, size_t));
}

TEST(AbiLayout, PluginDescriptor) {
  EXPECT_FIELD(sluice_plugin_descriptor, struct_size, 0);
  EXPECT_FIELD(sluice_plugin_descriptor, abi_major, 8);
  EXPECT_FIELD(sluice_plugin_descriptor, abi_minor, 12);
  EXPECT_FIELD(sluice_plugin_descriptor, name, 16);
  EXPECT_FIELD(sluice_plugin_descriptor, version, 24);
  EXPECT_FIELD(sluice_plugin_descriptor, description, 32);
  EXPECT_FIELD(sluice_plugin_descriptor, capabilities, 40);
  EXPECT_FIELD(sluice_plugin_descriptor, config_schema, 48);
  EXPECT_FIELD(sluice_plugin_descriptor, vtable, 56);
  // ABI 1.1
  EXPECT_FIELD(sluice_plugin_descriptor, subject_syntax, 64);
  EXPECT_EQ(sizeof(sluice_plugin_descriptor), 72u);
  static_assert(std::is_same_v<sluice_plugin_entry_fn, const sluice_plugin_descriptor* (*)()>);
}

TEST(AbiLayout, EnumValues) {
  EXPECT_EQ(SLUICE_CAP_SOURCE, 1u);
  EXPECT_EQ(SLUICE_CAP_SINK, 2u);
  EXPECT_EQ(SLUICE_CAP_REQUEST, 4u);

  EXPECT_EQ(SLUICE_OK, 0);
  EXPECT_EQ(SLUICE_BUSY, 1);
  EXPECT_EQ(SLUICE_ERROR, 2);
  EXPECT_EQ(SLUICE_CLOSED, 3);
  EXPECT_EQ(SLUICE_TIMEOUT, 4);
  EXPECT_EQ(SLUICE_UNSUPPORTED, 5);
  EXPECT_EQ(SLUICE_REJECTED, 6);

  EXPECT_EQ(SLUICE_OUTCOME_ACK, 0);
  EXPECT_EQ(SLUICE_OUTCOME_NACK, 1);

  EXPECT_EQ(SLUICE_LOG_TRACE, 0);
  EXPECT_EQ(SLUICE_LOG_DEBUG, 1);
  EXPECT_EQ(SLUICE_LOG_INFO, 2);
  EXPECT_EQ(SLUICE_LOG_WARN, 3);
  EXPECT_EQ(SLUICE_LOG_ERROR, 4);

  EXPECT_EQ(SLUICE_METRIC_COUNTER, 0);
  EXPECT_EQ(SLUICE_METRIC_GAUGE, 1);

  // ABI 1.1
  EXPECT_EQ(SLUICE_SUBJECT_SYNTAX_ANY, 0);
  EXPECT_EQ(SLUICE_SUBJECT_SYNTAX_LITERAL, 1);
  EXPECT_EQ(SLUICE_SUBJECT_SYNTAX_NATS, 2);
  EXPECT_EQ(SLUICE_SUBJECT_SYNTAX_MQTT, 3);
  EXPECT_EQ(SLUICE_SUBJECT_SYNTAX_AMQP, 4);
  EXPECT_EQ(SLUICE_SUBJECT_SYNTAX_GLOB, 5);

  // Enums cross the boundary as int-sized values.
  EXPECT_EQ(sizeof(sluice_status), 4u);
  EXPECT_EQ(sizeof(sluice_outcome), 4u);
  EXPECT_EQ(sizeof(sluice_log_level), 4u);
  EXPECT_EQ(sizeof(sluice_metric_kind), 4u);
}

}  // namespace
