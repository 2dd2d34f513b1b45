# CPACK_PROJECT_CONFIG_FILE: cpack runs this once per generator.
if(CPACK_GENERATOR STREQUAL "DEB")
  # Each Debian description brings its own synopsis line; with a project-wide
  # summary set, CPack would put that same line in front of all of them.
  unset(CPACK_PACKAGE_DESCRIPTION_SUMMARY)
endif()
