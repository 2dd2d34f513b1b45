/* `stall`: a sink that misbehaves the way a wedged client library does, so
 * that tests can check that shutdown is bounded anyway: it accepts every
 * publish and never completes it, and its `destroy` never returns. */
#define _POSIX_C_SOURCE 200809L

#include <sluice/plugin.h>
#include <stdlib.h>
#include <time.h>

typedef struct stall_instance {
  int unused;
} stall_instance;

static const char kSchema[] =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
    "\"properties\":{}}";

static sluice_status stall_validate(const char* config_json, sluice_error* error) {
  (void)config_json;
  (void)error;
  return SLUICE_OK;
}

static sluice_instance* stall_create(const sluice_host_api* api, sluice_host* host,
                                     const char* config_json, sluice_error* error) {
  (void)api;
  (void)host;
  (void)config_json;
  (void)error;
  return (sluice_instance*)calloc(1, sizeof(stall_instance));
}

static sluice_status stall_start(sluice_instance* instance, sluice_error* error) {
  (void)instance;
  (void)error;
  return SLUICE_OK;
}

static void stall_stop(sluice_instance* instance) { (void)instance; }

static sluice_status stall_publish(sluice_instance* instance, const sluice_message* message,
                                   sluice_completion* completion, sluice_error* error) {
  (void)instance;
  (void)message;
  (void)completion; /* never completed */
  (void)error;
  return SLUICE_OK;
}

static void stall_destroy(sluice_instance* instance) {
  struct timespec second = {1, 0};
  (void)instance;
  for (;;) nanosleep(&second, NULL);
}

static const sluice_plugin_vtable kVtable = {sizeof(sluice_plugin_vtable),
                                             stall_validate,
                                             stall_create,
                                             NULL,
                                             stall_start,
                                             stall_stop,
                                             stall_publish,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             stall_destroy};

static const sluice_plugin_descriptor kDescriptor = {
    sizeof(sluice_plugin_descriptor),
    SLUICE_ABI_MAJOR,
    SLUICE_ABI_MINOR,
    "stall",
    "1.0.0",
    "Test sink: never completes a publish, never returns from destroy",
    SLUICE_CAP_SINK,
    kSchema,
    &kVtable};

SLUICE_EXPORT const sluice_plugin_descriptor* sluice_plugin_entry(void) { return &kDescriptor; }
