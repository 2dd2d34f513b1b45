# The file plugin's line I/O, checkpoint and settings code is linked into the
# test too, so it is tested directly as well as through `sluice run`.
target_link_libraries(integration_file PRIVATE sluice-file-units)
add_dependencies(integration_file sluice-plugin-file)
