# The pipeline tests run the generate plugin through `sluice run` (its units
# are tested in tests/unit/generate).
add_dependencies(integration_generate sluice-plugin-generate sluice-plugin-file)
