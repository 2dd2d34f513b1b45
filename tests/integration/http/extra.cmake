# The tests compute HMAC signatures with the plugin's own helper (checked
# against RFC 4231 in the unit tests) and use the file plugin as the sink.
target_link_libraries(integration_http PRIVATE sluice-http-units)
add_dependencies(integration_http sluice-plugin-http sluice-plugin-file)
# The stall test sink answers nothing: the 504 test routes into it.
add_dependencies(integration_http sluice-test-plugin-stall)
