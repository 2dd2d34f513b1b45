/* Plugins that the loader must refuse, one variant per compile definition,
 * for the loader-refusal tests (tests/e2e/loader_refusals.cpp):
 *   BAD_ABI_MAJOR      built for ABI major 2
 *   BAD_ABI_MINOR      built for an ABI minor newer than the host's
 *   BAD_NO_ENTRY       exports no sluice_plugin_entry
 *   BAD_UNDEFINED      references a variable nobody defines: dlopen fails
 *   BAD_NAME="x"       otherwise valid, named x (two files with one name)
 *   BAD_SUBJECT_SYNTAX declares a subject syntax no host knows (99)
 *   ABI_1_0            not bad: a descriptor as ABI 1.0 filled it, without
 *                      subject_syntax; the host must load it and guess
 *   BAD_CONSTRUCTOR_ABORT  calls abort() from a constructor: dlopen kills the
 *                      process that loads it
 * BAD_MISSING_LIBRARY needs no code: the build links it against a library
 * whose SONAME exists nowhere. */
#include <sluice/plugin.h>
#include <stddef.h>

#ifndef BAD_NAME
#define BAD_NAME "bad"
#endif

#ifdef BAD_ABI_MAJOR
#define DECLARED_MAJOR 2
#else
#define DECLARED_MAJOR SLUICE_ABI_MAJOR
#endif

#ifdef BAD_ABI_MINOR
#define DECLARED_MINOR (SLUICE_ABI_MINOR + 1)
#elif defined(ABI_1_0)
#define DECLARED_MINOR 0
#else
#define DECLARED_MINOR SLUICE_ABI_MINOR
#endif

#ifdef BAD_CONSTRUCTOR_ABORT
#include <stdlib.h>
__attribute__((constructor)) static void bad_abort_while_loading(void) { abort(); }
#endif

#ifdef BAD_UNDEFINED
/* A data reference is bound at load time even with lazy binding, so the
 * loader's dlopen fails however it is called. */
extern int sluice_test_symbol_that_does_not_exist;
SLUICE_EXPORT int bad_use_missing(void) { return sluice_test_symbol_that_does_not_exist; }
#endif

static sluice_status bad_validate(const char* config_json, sluice_error* error) {
  (void)config_json;
  (void)error;
  return SLUICE_OK;
}

static sluice_instance* bad_create(const sluice_host_api* api, sluice_host* host,
                                   const char* config_json, sluice_error* error) {
  static int instance;
  (void)api;
  (void)host;
  (void)config_json;
  (void)error;
  return (sluice_instance*)&instance;
}

static sluice_status bad_start(sluice_instance* instance, sluice_error* error) {
  (void)instance;
  (void)error;
  return SLUICE_OK;
}

static void bad_stop(sluice_instance* instance) { (void)instance; }

static void bad_destroy(sluice_instance* instance) { (void)instance; }

static const sluice_plugin_vtable kVtable = {sizeof(sluice_plugin_vtable),
                                             bad_validate,
                                             bad_create,
                                             NULL,
                                             bad_start,
                                             bad_stop,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             NULL,
                                             bad_destroy};

#ifdef BAD_SUBJECT_SYNTAX
#define DECLARED_SUBJECT_SYNTAX 99
#else
#define DECLARED_SUBJECT_SYNTAX SLUICE_SUBJECT_SYNTAX_NATS
#endif

#ifdef ABI_1_0
/* ABI 1.0's descriptor ended with the vtable pointer. */
#define DESCRIPTOR_SIZE (offsetof(sluice_plugin_descriptor, vtable) + sizeof(void*))
#else
#define DESCRIPTOR_SIZE sizeof(sluice_plugin_descriptor)
#endif

static const sluice_plugin_descriptor kDescriptor = {DESCRIPTOR_SIZE,
                                                     DECLARED_MAJOR,
                                                     DECLARED_MINOR,
                                                     BAD_NAME,
                                                     "0.0.1",
                                                     "A plugin the loader must refuse",
                                                     0,
                                                     "{\"type\":\"object\"}",
                                                     &kVtable,
                                                     DECLARED_SUBJECT_SYNTAX};

#ifdef BAD_NO_ENTRY
SLUICE_EXPORT const sluice_plugin_descriptor* not_the_entry_point(void) { return &kDescriptor; }
#else
SLUICE_EXPORT const sluice_plugin_descriptor* sluice_plugin_entry(void) { return &kDescriptor; }
#endif
