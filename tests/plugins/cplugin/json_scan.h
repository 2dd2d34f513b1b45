/* A minimal JSON scanner for the C test plugin: walks the members of the
 * top-level config object and reads strings, integers and booleans. Just
 * enough for flat settings; a C plugin has no JSON library to lean on. */
#ifndef SLUICE_CTEST_JSON_SCAN_H
#define SLUICE_CTEST_JSON_SCAN_H

#include <stddef.h>

typedef enum json_kind {
  JSON_STRING,
  JSON_NUMBER,
  JSON_TRUE,
  JSON_FALSE,
  JSON_NULL,
  JSON_OBJECT,
  JSON_ARRAY,
  JSON_INVALID
} json_kind;

/* Position after whitespace. */
const char* json_skip_ws(const char* p);

/* The kind of the value starting at p (after whitespace). */
json_kind json_kind_of(const char* p);

/* Past the value at p, or NULL when it is malformed. */
const char* json_skip_value(const char* p);

/* Reads the string at p into out (NUL-terminated, truncated to cap).
 * Returns the position after it, or NULL when malformed. */
const char* json_read_string(const char* p, char* out, size_t cap);

/* Member iteration over the object starting at *p ('{' on the first call).
 * Returns 1 with the key copied into key and *value at the member's value,
 * 0 at the end of the object, -1 when malformed. Advance with
 * json_object_next again: it skips the previous value itself. */
typedef struct json_object_iter {
  const char* pos;
  const char* value;
  int started;
} json_object_iter;
void json_object_begin(json_object_iter* it, const char* text);
int json_object_next(json_object_iter* it, char* key, size_t key_cap);

#endif
