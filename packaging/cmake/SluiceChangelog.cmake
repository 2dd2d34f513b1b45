# Turns CHANGELOG.md (Keep a Changelog) into the Debian changelog that
# /usr/share/doc/<package>/changelog.gz must be, and into an RPM %changelog,
# so that the release notes are written once.
#
#   sluice_write_changelogs(INPUT <CHANGELOG.md> SOURCE_NAME <name> MAINTAINER "Name <mail>"
#                           DEBIAN_OUT <file> RPM_OUT <file> RPM_RELEASE <n>)

# Day of the week (0 = Sunday) of a Gregorian date, Sakamoto's method.
function(_sluice_weekday year month day out)
  set(offsets 0 3 2 5 0 3 5 1 4 6 2 4)
  math(EXPR index "${month} - 1")
  list(GET offsets ${index} offset)
  if(month LESS 3)
    math(EXPR year "${year} - 1")
  endif()
  math(EXPR dow "(${year} + ${year} / 4 - ${year} / 100 + ${year} / 400 + ${offset} + ${day}) % 7")
  set(${out} ${dow} PARENT_SCOPE)
endfunction()

# Word-wraps `text` to `width` columns: `first` prefixes the first line,
# `rest` the following ones.
function(_sluice_wrap text width first rest out)
  string(REPLACE " " ";" words "${text}")
  set(result "")
  set(line "${first}")
  set(line_has_word FALSE)
  foreach(word IN LISTS words)
    string(LENGTH "${line} ${word}" next_length)
    if(line_has_word AND next_length GREATER width)
      string(APPEND result "${line}\n")
      set(line "${rest}${word}")
    elseif(line_has_word)
      string(APPEND line " ${word}")
    else()
      string(APPEND line "${word}")
    endif()
    set(line_has_word TRUE)
  endforeach()
  string(APPEND result "${line}\n")
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

function(sluice_write_changelogs)
  cmake_parse_arguments(ARG "" "INPUT;SOURCE_NAME;MAINTAINER;DEBIAN_OUT;RPM_OUT;RPM_RELEASE" "" ${ARGN})
  set(day_names Sun Mon Tue Wed Thu Fri Sat)
  set(month_names Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)

  # CMake lists split on ";" and group on "[...]": hide those characters
  # behind control codes while parsing and restore them in the output.
  string(ASCII 1 semicolon)
  string(ASCII 2 open_bracket)
  string(ASCII 3 close_bracket)
  file(READ "${ARG_INPUT}" text)
  string(REPLACE "\r" "" text "${text}")
  string(REPLACE ";" "${semicolon}" text "${text}")
  string(REPLACE "[" "${open_bracket}" text "${text}")
  string(REPLACE "]" "${close_bracket}" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  # A trailing sentinel heading flushes the last release inside the loop.
  list(APPEND lines "## ${open_bracket}end${close_bracket}")
  set(heading "^## ${open_bracket}")
  set(release_heading "^## ${open_bracket}([^${close_bracket}]+)${close_bracket} - ")
  string(APPEND release_heading "([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])")

  set(debian "")
  set(rpm "")
  set(version "")
  set(entries "")
  foreach(line IN LISTS lines)
    if(line MATCHES "${heading}")
      if(NOT version STREQUAL "" AND NOT entries STREQUAL "")
        # Debian versions sort pre-releases with "~": 1.0.0-rc1 -> 1.0.0~rc1.
        string(REPLACE "-" "~" debian_version "${version}")
        string(APPEND debian "${ARG_SOURCE_NAME} (${debian_version}) unstable; urgency=medium\n\n")
        foreach(entry IN LISTS entries)
          _sluice_wrap("${entry}" 78 "  * " "    " wrapped)
          string(APPEND debian "${wrapped}")
        endforeach()
        _sluice_weekday(${year} ${month} ${day} dow)
        list(GET day_names ${dow} day_name)
        math(EXPR month_index "${month} - 1")
        list(GET month_names ${month_index} month_name)
        string(APPEND debian "\n -- ${ARG_MAINTAINER}  "
                             "${day_name}, ${day} ${month_name} ${year} 00:00:00 +0000\n\n")

        string(REPLACE "-" "~" rpm_version "${version}")
        string(APPEND rpm "* ${day_name} ${month_name} ${day} ${year} ${ARG_MAINTAINER}"
                          " - ${rpm_version}-${ARG_RPM_RELEASE}\n")
        foreach(entry IN LISTS entries)
          string(APPEND rpm "- ${entry}\n")
        endforeach()
        string(APPEND rpm "\n")
      endif()
      set(version "")
      set(entries "")
      # "## [Unreleased]" and other dateless headings start a skipped section.
      if(line MATCHES "${release_heading}")
        set(version "${CMAKE_MATCH_1}")
        set(year "${CMAKE_MATCH_2}")
        # math() drops leading zeros: "Nov 4" in the changelog, not "Nov 04".
        math(EXPR month "${CMAKE_MATCH_3}")
        math(EXPR day "${CMAKE_MATCH_4}")
      endif()
    elseif(NOT version STREQUAL "" AND line MATCHES "^- (.+)$")
      list(APPEND entries "${CMAKE_MATCH_1}")
    elseif(NOT version STREQUAL "" AND NOT entries STREQUAL "" AND line MATCHES "^  +(.+)$")
      # A continuation line of the previous entry.
      list(POP_BACK entries last)
      list(APPEND entries "${last} ${CMAKE_MATCH_1}")
    endif()
  endforeach()

  if(debian STREQUAL "")
    message(FATAL_ERROR "${ARG_INPUT} has no release heading like '## [1.2.3] - 2026-01-31'")
  endif()
  # Debian wants a single trailing newline.
  string(REGEX REPLACE "\n+$" "\n" debian "${debian}")
  foreach(out debian rpm)
    string(REPLACE "${semicolon}" ";" ${out} "${${out}}")
    string(REPLACE "${open_bracket}" "[" ${out} "${${out}}")
    string(REPLACE "${close_bracket}" "]" ${out} "${${out}}")
  endforeach()
  # Rewritten only when the text changed, so the gzip step does not rerun.
  file(WRITE "${ARG_DEBIAN_OUT}.tmp" "${debian}")
  configure_file("${ARG_DEBIAN_OUT}.tmp" "${ARG_DEBIAN_OUT}" COPYONLY)
  file(WRITE "${ARG_RPM_OUT}.tmp" "${rpm}")
  configure_file("${ARG_RPM_OUT}.tmp" "${ARG_RPM_OUT}" COPYONLY)
endfunction()
