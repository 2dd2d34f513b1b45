/* A library that the missing_library case links against. It is built
 * with the SONAME libsluice-test-absent.so.1, which no file has, so the
 * plugin's dependency can never be found at load time. */
int sluice_test_absent_function(void) { return 42; }
